"""bpviz-train --ranks N starts its ranks itself through torch's elastic launcher, so the
Training tab needs no Python to run torchrun with: from a venv each rank is python -m
bpviz.train, in the frozen full package the bpviz-train program itself. Two gloo ranks on
the CPU, both ways (frozen: a stand-in program that is not Python, as a frozen one is not)."""
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from bpviz.train import launch  # noqa: E402

TRAIN = ["--image-size", "64", "--batch-size", "4", "--classes", "4", "--workers", "0",
         "--device", "cpu", "--threads", "1", "--log-every", "2", "--max-steps", "6"]


def test_the_launcher_starts_python_or_the_frozen_program(monkeypatch):
    assert launch.launcher_args(2, ["--out", "r"]) == [
        "--standalone", "--nproc_per_node=2", "-m", "bpviz.train", "--out", "r"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/bpviz/bpviz-train")
    assert launch.launcher_args(2, ["--out", "r"]) == [
        "--standalone", "--nproc_per_node=2", "--no-python", "/opt/bpviz/bpviz-train",
        "--out", "r"]


def test_the_training_tab_runs_bpviz_train_beside_the_frozen_app(monkeypatch):
    pytest.importorskip("PySide6")
    from bpviz.gui.training.torchrun_process import torchrun_command
    from bpviz.train.train_config import TrainConfig

    cfg = replace(TrainConfig(), device="cpu", out="runs/x")
    program, args = torchrun_command(cfg, 2)
    assert program == sys.executable and args[:3] == ["-m", "bpviz.train", "--ranks=2"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/bpviz/bpviz")     # the app, not a Python
    program, args = torchrun_command(cfg, 2)
    assert program == "/opt/bpviz/bpviz-train" and args[0] == "--ranks=2"
    assert "--out=runs/x" in args


def records(folder) -> list[int]:
    lines = (folder / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line)["step"] for line in lines]


def run_ranks(command, tmp_path, out):
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
    env.pop("LOCAL_RANK", None)
    result = subprocess.run([*command, "--ranks", "2", *TRAIN, "--out", out], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert records(tmp_path / out) == [2, 4, 6]               # one writer: rank 0
    assert torch.load(tmp_path / out / "checkpoint.pt", weights_only=True)["step"] == 6
    return result


def test_two_gloo_ranks_from_a_venv(tmp_path):
    result = run_ranks([sys.executable, "-m", "bpviz.train"], tmp_path, "venv-run")
    assert "Traceback" not in result.stderr


FROZEN = textwrap.dedent("""\
    import sys
    sys.frozen = True                  # as PyInstaller sets it
    sys.executable = sys.argv.pop(1)   # the program, which is no Python
    from bpviz.train.cli import main
    sys.exit(main())
    """)


def test_two_gloo_ranks_from_a_frozen_bpviz_train(tmp_path):
    """The launcher runs the program it is given, with the flags only: a stand-in for the
    frozen bpviz-train (a shell script) records that it was run so, and trains."""
    program = tmp_path / "bpviz-train"
    seen = tmp_path / "ranks.txt"
    program.write_text(f"#!/bin/sh\necho \"$LOCAL_RANK $1\" >> {seen}\n"
                       f"exec {sys.executable} -m bpviz.train \"$@\"\n")
    program.chmod(0o755)
    run_ranks([sys.executable, "-c", FROZEN, str(program)], tmp_path, "frozen-run")
    assert sorted(seen.read_text().split("\n")[:2]) == ["0 --ranks", "1 --ranks"]
