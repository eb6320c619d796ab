"""Benchmarks leave no folder behind: they make scratch folders through benchmarks/scratch.py,
which removes them when the script exits, also by an exception."""
import os
import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

SCRIPT = """
import os, sys
sys.path.insert(0, sys.argv[1])
from scratch import config_dir, scratch_dir
made = scratch_dir("bpviz-test-")
open(os.path.join(made, "x"), "w").write("data")
config_dir()
print(made, os.environ["BPVIZ_CONFIG_DIR"], flush=True)
raise SystemExit("the benchmark failed half-way")
"""


def test_scratch_folders_go_when_the_script_fails(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "BPVIZ_CONFIG_DIR"}
    env["TMPDIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(BENCHMARKS)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "failed half-way" in result.stderr
    made, config = result.stdout.split()
    assert made.startswith(str(tmp_path)) and config.startswith(str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_no_benchmark_makes_a_temporary_folder_it_does_not_remove():
    """tempfile.mkdtemp only in scratch.py (a TemporaryDirectory removes itself)."""
    offenders = [p.name for p in BENCHMARKS.glob("*.py")
                 if p.name != "scratch.py" and re.search(r"\bmkdtemp\(", p.read_text())
                 and p.name != "random_actions.py"]     # removes each seed's folder itself
    assert offenders == []
