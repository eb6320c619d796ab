"""ruff over the whole repository with pyproject.toml's rules (pyflakes, bugbear, pyupgrade,
import order): the command a commit hook runs is the one CI runs, through this test."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("bpviz", "tests", "benchmarks", "scripts", "packaging")


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_reads_the_projects_rules(tmp_path):
    """A zip without strict= is a finding under the project's rules (bugbear is on)."""
    bad = tmp_path / "bad.py"
    bad.write_text("pairs = list(zip([1], [2]))\n")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--config", str(ROOT / "pyproject.toml"), str(bad)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "B905" in result.stdout
