"""The Training tab is built without torch (issue 19: lesson 8 showed the augmentation demo,
one of its pages, after 4.7 s of imports): torch loads in the background once the form is
shown, the GPUs arrive in the Device field, and what a lesson or the user chose before they
did is kept. A torch that is found but does not load ends in the InstallNotice.

The subprocess tests start a fresh Python: this test process has torch loaded already."""
import gc
import html
import json
import os
import subprocess
import sys
import textwrap

import pytest

from bpviz.gui.lessons.runner import LessonRunner
from bpviz.gui.training import engine_loader, install_notice
from bpviz.gui.training.augment_demo import show_augment_demo
from bpviz.gui.training.training_form import LOOKING, RECIPES
from bpviz.gui.widgets.collector import collecting


def run_python(code: str, tmp_path) -> dict:
    """``python -c CODE`` offscreen with settings of its own; the JSON of its last line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    # an upper bound for a hung process, not a guess of this machine's speed
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Fatal" not in result.stderr, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


WINDOW = textwrap.dedent("""\
    import json, sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    app.processEvents()

    def turn(seconds, until=lambda: False):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and not until():
            app.processEvents()
            time.sleep(0.01)

    def engine_modules():
        return sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision"))
    """)


def test_the_tab_and_the_demo_show_without_importing_torch(tmp_path):
    seen = run_python(WINDOW + textwrap.dedent("""\
        from bpviz.gui.training.augment_demo import show_augment_demo
        show_augment_demo(window)                  # lesson 8, step 2
        turn(1.0)                                  # whatever a timer would start
        tab = window.training_tab.panel
        print(json.dumps({"demo": tab.pages.currentWidget() is tab.augment_demo,
                          "lit": tab.augment_demo.result.lit.shape,
                          "engine": engine_modules(), "loader": tab.loader.state}))
        """), tmp_path)
    assert seen == {"demo": True, "lit": [3, 224, 224], "engine": [], "loader": "idle"}


def test_torch_loads_in_the_background_once_the_form_is_shown(tmp_path):
    """The window keeps answering while torch loads (a 50 ms timer goes on ticking), the
    Device field and the status say so, and Start waits for the end."""
    seen = run_python(WINDOW + textwrap.dedent("""\
        window.show_tab("training")
        tab = window.training_tab.panel
        built = {"engine": engine_modules(), "device": tab.form.device.currentText(),
                 "start": tab.start_button.isEnabled(), "status": tab.status.text()}
        turn(60, lambda: tab.loader.state == "loading")
        ticks = []
        timer = QTimer(interval=50)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        started = time.perf_counter()
        turn(240, lambda: tab.loader.state != "loading")
        print(json.dumps({"built": built, "state": tab.loader.state,
                          "seconds": time.perf_counter() - started, "ticks": len(ticks),
                          "device": tab.form.device.currentText(),
                          "start": tab.start_button.isEnabled(),
                          "status": tab.status.text(), "torch": "torch" in sys.modules}))
        """), tmp_path)
    built = seen["built"]
    assert built["engine"] == [] and built["device"] == LOOKING and not built["start"]
    assert built["status"].startswith("Loading PyTorch and looking for GPUs")
    assert seen["state"] == "ready" and seen["torch"] and seen["start"]
    assert seen["device"] != LOOKING and seen["status"].startswith("Start trains AlexNet")
    # frozen, the timer would have ticked about once; answering, ~20 times a second
    assert seen["ticks"] >= min(10, 5 * seen["seconds"]), seen


def test_quitting_while_torch_loads_is_clean(tmp_path):
    seen = run_python(WINDOW + textwrap.dedent("""\
        window.show_tab("training")
        tab = window.training_tab.panel
        turn(60, lambda: tab.loader.state == "loading")
        state = tab.loader.state
        closed = window.close()
        app.quit()
        print(json.dumps({"state": state, "closed": closed}))
        """), tmp_path)
    assert seen == {"state": "loading", "closed": True}


# --- in this process (torch is loaded: the loader's imports take no time) ---------------------
@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(engine_loader, "find_gpus", lambda: ([], ""))


def loaded_tab(qtbot, window):
    """The Training tab's form shown, and torch loaded by the background load."""
    show_augment_demo(window, False)
    tab = window.training_tab.panel
    qtbot.waitUntil(lambda: tab.loader.state not in ("idle", "loading"), timeout=60_000)
    return tab


def test_a_recipe_a_lesson_chose_before_the_gpus_arrived_is_kept(qtbot, window, no_gpu):
    show_augment_demo(window)
    tab = window.training_tab.panel
    assert tab.loader.state == "idle" and tab.form.device.currentText() == LOOKING
    assert not tab.start_button.isEnabled()
    LessonRunner(window).run([{"augment_demo": False}, {"set": {
        "control": "training_recipe", "value": "AlexNet paper (GPU)"}}], "do")
    assert tab.loader.state == "idle"                  # not yet: after the form has painted
    assert loaded_tab(qtbot, window).loader.ready
    paper = RECIPES["AlexNet paper (GPU)"]
    form = tab.form
    assert form.recipe_choice.currentText() == "AlexNet paper (GPU)"
    assert (form.arch.currentText(), form.image_size.value(), form.batch.value(),
            form.lr.text(), form.max_steps.value()) == (
        paper["arch"], paper["image_size"], paper["batch"], paper["lr"], paper["max_steps"])
    assert form.device.currentText() == "CPU" and form.device.isEnabled()
    assert "No GPU found" in form.recipe.text() and tab.start_button.isEnabled()
    assert collecting() and not gc.isenabled()         # collections go on after the load,
                                                       # on the GUI thread (collector.py)


def test_a_form_nobody_filled_gets_the_machines_settings(qtbot, window, monkeypatch, no_gpu):
    form = loaded_tab(qtbot, window).form
    quick = RECIPES["quick CPU run"]
    assert form.recipe_choice.currentText() == "quick CPU run"
    assert (form.image_size.value(), form.batch.value(), form.max_steps.value()) == (
        quick["image_size"], quick["batch"], quick["max_steps"])


def test_gpus_found_are_chosen_and_the_settings_typed_meanwhile_kept(qtbot, window,
                                                                     monkeypatch):
    gpus = [("cuda:0 Test GPU (80 GiB)", "cuda:0"), ("cuda:1 Test GPU (80 GiB)", "cuda:1")]
    monkeypatch.setattr(engine_loader, "find_gpus", lambda: (gpus, ""))
    show_augment_demo(window)
    form = window.training_tab.panel.form
    form.batch.setValue(32)                            # typed while torch loads
    form = loaded_tab(qtbot, window).form
    assert form.device.currentData() == "cuda:0" and form.gpus.maximum() == 2
    assert form.workers.value() == 8
    assert form.batch.value() == 32 and form.recipe_choice.currentIndex() < 0


def test_the_settings_of_the_last_run_are_not_replaced_by_the_default(qtbot, window, no_gpu):
    from bpviz.gui.training.training_tab import TrainingTab
    loaded_tab(qtbot, window).form.batch.setValue(24)
    window.training_tab.panel.form.save()
    again = TrainingTab()
    qtbot.addWidget(again)
    assert again.engine_ready()                      # loaded now: it was never shown
    assert again.form.batch.value() == 24 and again.form.recipe_choice.currentIndex() < 0


BROKEN = [ImportError("libtorch_cuda.so: cannot open shared object file"),
          OSError("[WinError 126] fbgemm.dll not found"),
          RuntimeError("operator torchvision::nms does not exist"),
          AttributeError("module 'torch' has no attribute 'Tensor'")]


@pytest.mark.parametrize("error", BROKEN, ids=lambda e: type(e).__name__)
def test_a_torch_that_does_not_load_shows_the_install_notice(qtbot, window, monkeypatch,
                                                             error):
    def broken():
        raise error
    monkeypatch.setattr(engine_loader, "import_engine", broken)
    with qtbot.captureExceptions() as escaped:
        tab = loaded_tab(qtbot, window)
    assert not escaped
    assert tab.loader.state == "failed" and tab.missing
    why = tab.notice.why.text()
    assert html.escape(str(error)) in why and "Training needs PyTorch" in why
    qtbot.waitUntil(lambda: tab.notice.isVisibleTo(tab))    # shown in the next turn
    assert not tab.start_button.isEnabled() and not tab.continue_button.isEnabled()
    assert not tab.form.isEnabled() and tab.form.device.currentText() == "CPU"
    assert "training needs torch" in tab.status.text() and not tab.start()
    assert collecting() and not gc.isenabled()


def test_start_before_the_load_has_begun_loads_in_place_and_reports_a_failure(
        window, monkeypatch):
    def broken():
        raise OSError("libcudnn.so.9: cannot open shared object file")
    monkeypatch.setattr(install_notice, "load_engine", broken)
    show_augment_demo(window)                          # the form not shown: nothing loaded
    tab = window.training_tab.panel
    assert tab.loader.state == "idle"
    assert not tab.start()
    assert tab.loader.state == "failed" and "libcudnn.so.9" in tab.notice.why.text()
    assert not tab.start_button.isEnabled()
