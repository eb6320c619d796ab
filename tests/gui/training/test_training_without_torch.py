"""The app where torch is not installed (the README's first command installs none): every
tab opens, and the Training tab says what training needs and still opens run folders.

Each test runs bpviz in a subprocess whose imports of torch and torchvision fail, through a
sitecustomize.py on PYTHONPATH: this test process has torch loaded already, and blocking it
here could leak into other tests."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

BLOCK_TORCH = textwrap.dedent("""\
    import importlib.abc, sys

    class NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in ("torch", "torchvision"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, NoTorch())
    """)


def run_without_torch(args, tmp_path):
    """``python ARGS`` offscreen, with torch and torchvision impossible to import."""
    hook = tmp_path / "no_torch"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(BLOCK_TORCH)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(hook),
               HOME=str(tmp_path / "home"), BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    # an upper bound for a hung process, not a guess of this machine's speed
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=300)


def test_the_subprocess_really_has_no_torch(tmp_path):
    result = run_without_torch(["-c", "import torch"], tmp_path)
    assert result.returncode == 1 and "No module named 'torch'" in result.stderr


@pytest.mark.parametrize("tab", ["backprop", "losses", "optimizers", "training"])
def test_every_tab_opens_without_torch(tmp_path, tab):
    shot = tmp_path / f"{tab}.png"
    result = run_without_torch(["-m", "bpviz", "--tab", tab, "--screenshot", str(shot)],
                               tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert shot.stat().st_size > 10_000


# builds the window, shows the Training tab and opens a run folder; prints what it saw
TRAINING_TAB = textwrap.dedent("""\
    import json, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    window = MainWindow()
    window.show_tab("training")
    window.show()
    tab = window.training_tab.panel
    run = Path(sys.argv[1])
    opened = tab.open_run(run)
    tab.view.flush()
    print(json.dumps({
        "notice": tab.notice.why.text(),
        "command": tab.notice.command.text(),
        "buttons": {b.text(): b.isEnabled() for b in (tab.start_button, tab.open_button,
                                                       tab.continue_button)},
        "form_enabled": tab.form.isEnabled(), "started": tab.start(),
        "opened": opened, "status": tab.status.text(),
        "steps": list(tab.view.curves[("train", "loss")].getData()[0]),
        "log": tab.view.log.toPlainText(),
        "torch_loaded": any(m.split(".")[0] in ("torch", "torchvision") for m in sys.modules),
    }))
    """)


def test_the_training_tab_says_what_to_install_and_opens_run_folders(tmp_path):
    run = tmp_path / "cluster-run"
    run.mkdir()
    records = [{"step": s, "epoch": 0, "split": "train", "loss": 2.0 / s} for s in (5, 10)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (run / "config.json").write_text(json.dumps({"arch": "alexnet", "data": "synthetic"}))
    (run / "checkpoint.pt").write_bytes(b"read with torch only")
    result = run_without_torch(["-c", TRAINING_TAB, str(run)], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    assert "Training needs PyTorch" in seen["notice"]
    assert "No module named" in seen["notice"]
    assert " -m pip install torch torchvision" in seen["command"]
    assert sys.executable in seen["command"]            # the pip of the Python running bpviz
    assert seen["buttons"] == {"Start": False, "Open run folder…": True,
                               "Continue a run…": False}
    assert not seen["form_enabled"] and not seen["started"]
    assert seen["opened"] and seen["steps"] == [5, 10]
    assert "Opened cluster-run: 2 records" in seen["status"]
    assert "conv1 filters not shown: reading checkpoint.pt needs torch" in seen["log"]
    assert not seen["torch_loaded"]


# lesson 8's training step, as a student without torch reaches it
LESSON_8 = textwrap.dedent("""\
    import json
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    problem = window.lessons.open("08_alexnet_case_study", 7, ask=False)
    for _ in range(5):
        app.processEvents()
    tab = window.training_tab.panel
    notice = getattr(tab, "notice", None)
    print(json.dumps({
        "problem": problem, "tab": window.tabs.currentWidget() is window.training_tab,
        "form_enabled": tab.form.isEnabled(),
        "notice_shown": bool(notice and notice.isVisible()),
        # the form is in a scroll area of its own: compared in the tab's coordinates
        "notice_above_form": bool(notice) and notice.mapTo(tab, notice.rect().bottomLeft()).y()
                             < tab.form.mapTo(tab, tab.form.rect().topLeft()).y(),
        "command": notice.command.text() if notice else "",
        "step_text": window.lessons.lesson.steps[7].text,
    }))
    """)


def test_lesson_8s_training_step_points_at_what_adds_training(tmp_path):
    result = run_without_torch(["-c", LESSON_8], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    assert not seen["problem"] and seen["tab"] and not seen["form_enabled"]
    assert seen["notice_shown"] and seen["notice_above_form"]
    assert "-m pip install torch torchvision" in seen["command"]
    assert "without it the form is grey" in seen["step_text"] and "box above" in seen["step_text"]
