"""onnx is an optional extra (pip install 'bpviz[onnx]'): where it is missing, bpviz-convert
and `bpviz model.onnx` say so in one line naming the package and the pip command, with no
traceback and nothing written. onnx is blocked by a stand-in module that fails to import,
as a missing package does."""
import os
import subprocess
import sys

import pytest

from bpviz.interop.errors import missing_onnx
from bpviz.paths import example_path
from tests.stderr_lines import own_lines

BLOCKER = "raise ModuleNotFoundError(\"No module named 'onnx'\", name='onnx')\n"


@pytest.fixture
def no_onnx(tmp_path):
    """An environment whose Python cannot import onnx; a file named model.onnx."""
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "onnx.py").write_text(BLOCKER)
    work = tmp_path / "work"
    work.mkdir()
    (work / "model.onnx").write_bytes(b"\x08\x07" * 64)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(blocked), *filter(None, [os.environ.get("PYTHONPATH")])]),
        QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
        BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    return work, env


def run(args, work, env):
    return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120)


def says_what_to_install(stderr: str, prefix: str) -> None:
    lines = own_lines(stderr)
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith(prefix)
    assert "onnx package" in lines[0] and "pip install 'bpviz[onnx]'" in lines[0]


def test_the_blocker_blocks(no_onnx):
    work, env = no_onnx
    assert run(["-c", "import onnx"], work, env).returncode == 1


@pytest.mark.parametrize("source, target", [("model.onnx", "model.bpviz.json"),
                                            ("GRAPH", "model.onnx")])
def test_bpviz_convert_names_the_package_and_the_pip_command(no_onnx, source, target):
    work, env = no_onnx
    source = str(example_path("spirals_mlp")) if source == "GRAPH" else source
    before = sorted(p.name for p in work.iterdir())
    result = run(["-m", "bpviz.interop.convert", source, target], work, env)
    assert result.returncode == 2
    says_what_to_install(result.stderr, "bpviz-convert: error: reading and writing ONNX")
    assert sorted(p.name for p in work.iterdir()) == before            # nothing written


def test_bpviz_model_onnx_names_the_package_and_the_pip_command(no_onnx):
    work, env = no_onnx
    result = run(["-m", "bpviz", "model.onnx", "--loss", "CrossEntropyLoss",
                  "--screenshot", "shot.png"], work, env)
    assert result.returncode == 2 and not (work / "shot.png").exists()
    says_what_to_install(result.stderr, "bpviz: cannot open 'model.onnx': reading and writing")


def test_a_frozen_package_without_onnx_says_how_to_convert_instead(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    message = missing_onnx()
    assert "built without the onnx package" in message and "bpviz-convert" in message
