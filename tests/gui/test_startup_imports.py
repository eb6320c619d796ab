"""What start-up does before the first painted canvas (issue 24), in a subprocess as the
command starts: the lecture's example opened, quitting at the canvas's first paint. Not
timed: benchmarks/startup.py measures; these check the reasons it is quick."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# loaded on first use, never before the first paint
LAZY = ("torch", "pyqtgraph", "ziamath",
        "bpviz.interop", "bpviz.core.network.export",          # File ▸ Open of ONNX, Export Model
        "bpviz.gui.backprop.chain_view",               # the chain dialog (Ctrl+R)
        "bpviz.gui.widgets.jacobian_view", "bpviz.gui.widgets.matrix_viewport",
        "bpviz.gui.backprop.lecture_views",            # a step's views in the Inspector
        "bpviz.gui.backprop.dropout_view",
        "bpviz.core.teaching.help_pages", "bpviz.gui.widgets.help_page",   # F1's pages
        "bpviz.gui.widgets.figure_export",             # File ▸ Export Figure, Data
        "PySide6.QtSvg",                               # a Formula's renderer, first formula
        "numpy.random")                                # the data made, 1 s after the paint

PROBE = """
import json, sys
from bpviz.gui.app import main
code = main([])
from bpviz.core import load_graph
from bpviz.core.data.data_source import builtin
from bpviz.paths import example_path
data = builtin("imagenet10", load_graph(example_path("fc_softmax_ce")))   # the one shown
order = list(sys.modules)
print(json.dumps({"code": code, "modules": order, "images_made": data._made is not None}))
"""


GUARD_PROBE = """
import builtins, json
from bpviz.gui.app import import_model_first, main
import_model_first()
from bpviz.gui.widgets import wheel_style
seen, at_paint = [], []
def counted(self, obj, event, filter=wheel_style.WheelGuard.eventFilter):
    seen.append(1)
    return filter(self, obj, event)
wheel_style.WheelGuard.eventFilter = counted
def held(app, suspend=wheel_style.suspend):
    at_paint.append(len(seen))
    suspend(app)
wheel_style.suspend = held
def said(*args, say=builtins.print, **kwargs):
    if args and str(args[0]).startswith("painted"):
        at_paint.append(len(seen))
    say(*args, **kwargs)
builtins.print = said
code = main([])
print(json.dumps({"code": code, "guarded": at_paint, "on": wheel_style.ON == [True]}))
"""


def start_up(tmp_path, probe=PROBE) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_STARTUP_TIMING="1",
               BPVIZ_CONFIG_DIR=str(tmp_path / "config"), HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    return json.loads(last)


def test_the_first_paint_imports_nothing_it_does_not_show(tmp_path):
    found = start_up(tmp_path)
    assert found["code"] == 0
    modules = found["modules"]
    loaded = [name for name in LAZY if name in modules]
    assert not loaded, f"imported before the first paint: {loaded}"
    # numpy and the model before PySide6, which reads the source of every later module
    assert modules.index("numpy") < modules.index("PySide6")
    assert modules.index("bpviz.core.classroom") < modules.index("PySide6")
    # the lecture example's 40 images of 3x224x224 wait until a step reads them
    assert not found["images_made"]


KEYS = """
import json, sys
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from bpviz.gui.shell.main_window import MainWindow
from bpviz.paths import example_path
app = QApplication([])
window = MainWindow()
window.document.open_example(example_path("fc_softmax_ce"))
window.resize(1280, 800)
window.show()
QTest.qWaitForWindowExposed(window)
before = [m for m in LAZY if m in sys.modules]
window.view.setFocus()
QTest.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
dialog = window.workspace.chain_dialog
chain = dialog.isVisible() and "bpviz.gui.backprop.chain_view" in sys.modules
dialog.close()
QTest.keyClick(window.view, Qt.Key.Key_F1)
helped = window.focus.is_open and "bpviz.gui.widgets.help_page" in sys.modules
print(json.dumps({"before": before, "chain": chain, "help": helped}))
window.close()
"""


def test_the_wheel_guard_sees_none_of_the_building_and_is_on_after_the_paint(tmp_path):
    """The application's wheel filter (widgets/wheel_style.py) sees every event of every
    object: held off while the window is built and painted, then on again."""
    found = start_up(tmp_path, GUARD_PROBE)
    assert found["code"] == 0 and found["on"]
    held, painted = found["guarded"]            # events seen when held off, at the paint
    assert painted == held


def test_keys_of_what_loads_on_first_use_work_before_it_has_loaded(tmp_path):
    """Ctrl+R (the chain dialog) and F1 (the help page) in a window that has not loaded
    their modules yet: each key loads its module and opens its view."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               BPVIZ_CONFIG_DIR=str(tmp_path / "config"), HOME=str(tmp_path / "home"))
    code = f"LAZY = {LAZY!r}\n" + KEYS
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"before": [], "chain": True, "help": True}
