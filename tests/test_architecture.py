"""Architecture checks: bpviz.core never needs Qt, pyqtgraph or torch, bpviz.train never
needs Qt, the GUI holds no math, no import cycles, modules and functions stay small, and
packaging is complete."""
import re
import subprocess
import sys
import tomllib

from .module_graph import ROOT, cycles, import_graph, modules, sizes

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

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
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_core_imports_and_runs_with_qt_pyqtgraph_and_torch_blocked():
    code = """
import numpy as np
import bpviz.core
from bpviz.core import Graph, Stepper, load_graph, optim
from bpviz.core.data import datasets
from bpviz.core.backprop import gradcheck
from bpviz.core.optimization import trainer
from bpviz.core.network import export
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


IMPORT_ALL = """
import importlib, pkgutil
import {package}
names = [m.name for m in pkgutil.walk_packages({package}.__path__, '{package}.')
         if not m.name.endswith('.__main__')]          # that one runs the command
for name in names:
    importlib.import_module(name)
bad = [m for m in sys.modules if m.split('.')[0] in {blocked!r}]
assert not bad, bad
print(len(names))
"""


def count(prefix: str) -> int:
    """Modules below ``prefix`` that may be imported (a ``__main__`` runs its command)."""
    return sum(n.startswith(prefix) and not n.endswith(".__main__") for n in modules())


def test_every_core_module_imports_with_qt_pyqtgraph_and_torch_blocked():
    blocked = {"PySide6", "pyqtgraph", "torch", "torchvision", "shiboken6"}
    result = run_blocked(IMPORT_ALL.format(package="bpviz.core", blocked=blocked), blocked)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == count("bpviz.core.")     # pkgutil saw every module


def test_every_train_module_imports_with_qt_blocked():
    blocked = {"PySide6", "pyqtgraph", "shiboken6"}
    result = run_blocked(IMPORT_ALL.format(package="bpviz.train", blocked=blocked), blocked)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == count("bpviz.train.")


def test_no_import_cycles():
    graph = import_graph()
    assert len(graph) > 50                           # the reader found the modules
    assert any("bpviz.core.network.graph" in deps for deps in graph.values())
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_or_function_is_too_long():
    mods, funcs = sizes()
    assert [m for m in mods if m[0] > MAX_MODULE_LINES] == []
    assert [f for f in funcs if f[0] > MAX_FUNCTION_LINES] == []


# The lecture's math (products, exponentials, logarithms, norms, gradients) belongs to the
# core; the GUI may only rescale what it draws (log10 axes, clipping to a colour range).
GUI_MATH = re.compile(r"np\.(exp|log|log1p|tanh|dot|matmul|einsum|linalg|gradient)\b"
                      r"|\w[\])]? @ [\w(]")


def test_the_gui_holds_no_math():
    found = []
    for name, path in modules().items():
        if name.startswith("bpviz.gui"):
            for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#")[0]
                if GUI_MATH.search(code):
                    found.append(f"{name}:{k}: {line.strip()}")
    assert found == [], "\n".join(found)


def test_the_math_check_sees_math():
    assert GUI_MATH.search("y = W @ x") and GUI_MATH.search("np.exp(z)")
    assert not GUI_MATH.search("np.log10(v)") and not GUI_MATH.search("'@ home'")


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


def test_every_folder_of_modules_is_a_package():
    """A folder of modules without __init__.py imports as a namespace package: tools (mypy,
    the packagers) may miss it (gui/lessons was one)."""
    folders = {p.parent for p in (ROOT / "bpviz").rglob("*.py")
               if "__pycache__" not in p.parts and "_resources" not in p.parts}
    assert sorted(str(f.relative_to(ROOT)) for f in folders
                  if not (f / "__init__.py").exists()) == []


# The rooms (issue 22): a package holds modules by job; a module directly in bpviz/core or
# bpviz/gui is one the whole layer uses. tests/ mirrors the rooms.
MOST_DIRECTLY_IN = {"bpviz/core": 8, "bpviz/gui": 6}
TESTS = ROOT / "tests"
# folders of tests that mirror no package of bpviz: what they test lives at the top
OUTSIDE_BPVIZ = {"packaging"}


def _flat(folder):
    return sorted(p.name for p in (ROOT / folder).glob("*.py") if p.name != "__init__.py")


def test_rooms_hold_few_modules_directly():
    over = {room: _flat(room) for room, most in MOST_DIRECTLY_IN.items()
            if len(_flat(room)) > most}
    assert over == {}, f"more modules directly in a room than {MOST_DIRECTLY_IN}: {over}"


def test_the_room_count_sees_modules():
    assert "classroom.py" in _flat("bpviz/core") and "app.py" in _flat("bpviz/gui")


def _test_folders():
    return sorted({p.parent for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts}
                  - {TESTS})


def test_every_folder_of_tests_is_a_package():
    assert [str(f.relative_to(ROOT)) for f in _test_folders()
            if not (f / "__init__.py").exists()] == []


def test_the_tests_mirror_the_rooms():
    """tests/<path> holds the tests of bpviz/<path> (tests/packaging those of packaging/),
    and every package of bpviz with modules of its own has its folder of tests."""
    strays = [str(f.relative_to(ROOT)) for f in _test_folders()
              if not (ROOT / "bpviz" / f.relative_to(TESTS) / "__init__.py").exists()
              and f.relative_to(TESTS).parts[0] not in OUTSIDE_BPVIZ]
    assert strays == [], f"folders of tests that mirror no package of bpviz: {strays}"
    packages = {p.parent.relative_to(ROOT / "bpviz") for p in (ROOT / "bpviz").rglob("*.py")
                if p.name != "__init__.py" and "__pycache__" not in p.parts}
    untested = sorted(str(p) for p in packages if p.parts
                      and not any((TESTS / p).glob("test_*.py")))
    assert untested == [], f"rooms of bpviz without their folder of tests: {untested}"
