"""Architecture checks: bpviz.core never needs Qt, pyqtgraph or torch; packaging is complete."""
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {blocked!r}:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
"""


def run_blocked(code: str, blocked: set) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER.format(blocked=blocked) + code],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_core_imports_and_runs_with_qt_pyqtgraph_and_torch_blocked():
    code = """
import numpy as np
import bpviz.core
from bpviz.core import Graph, Stepper, load_graph, optim
from bpviz.core import datasets, gradcheck, trainer, export
from bpviz.paths import example_path
g = load_graph(example_path('spirals_mlp'))
g.forward({'x': np.zeros((2, 2)), 't': np.array([0, 1])}); g.backward()
export.to_pytorch_source(g)
bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'torch', 'shiboken6')]
assert not bad, bad
print('ok')
"""
    result = run_blocked(code, {"PySide6", "pyqtgraph", "torch", "shiboken6"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_train_imports_without_qt():
    code = """
import bpviz.train.loop, bpviz.train.cli, bpviz.train.data, bpviz.train.models
import bpviz.train.make_dataset
bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]
assert not bad, bad
print('ok')
"""
    result = run_blocked(code, {"PySide6", "pyqtgraph", "shiboken6"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_blocker_really_blocks():
    result = run_blocked("import torch", {"torch"})
    assert result.returncode != 0 and "blocked: torch" in result.stderr


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "bpviz").rglob("__init__.py")}
    assert found <= listed, found - listed
    assert "bpviz._resources" in listed
