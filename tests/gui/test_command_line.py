"""The bpviz command in subprocesses (a second QApplication in one process would abort)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stderr_lines import own_lines

ROOT = Path(__file__).resolve().parents[2]


def run(args, tmp_path, env_extra=None, timeout=300):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               BPVIZ_CONFIG_DIR=str(tmp_path / "config"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bpviz", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=timeout)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_screenshot_of_the_default_lecture_example(tmp_path):
    out = tmp_path / "shot.png"
    result = run(["--screenshot", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    width, height = png_size(out)
    assert width >= 1000 and height >= 600


@pytest.mark.parametrize("args", [["--example", "alexnet", "--theme", "dark"],
                                  ["--example", "sigmoid_chain", "--presentation",
                                   "--tab", "backprop"]])
def test_screenshot_options(tmp_path, args):
    out = tmp_path / "shot.png"
    result = run(args + ["--screenshot", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out)[0] > 0


@pytest.mark.parametrize("args,size", [
    (["--presentation", "--size", "1280x720"], (1280, 720)),
    (["--presentation"], (1280, 720)),                  # a projector's size, not full screen
    (["--size", "1024x768", "--tab", "optimizers"], (1024, 768)),
    ([], (1440, 900)),
])
def test_screenshot_has_exactly_the_asked_size(tmp_path, args, size):
    out = tmp_path / "shot.png"
    result = run(args + ["--screenshot", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == size


def test_self_test_prints_one_json_line_and_writes_nowhere_else(tmp_path):
    home = tmp_path / "home"
    result = run(["--self-test"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    status = json.loads(lines[0])
    assert status["status"] == "ok" and status["nodes"] == 8 and status["loss"] > 0
    assert not home.exists() and not (tmp_path / "config").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args,message", [
    (["--tab", "nope"], "invalid choice: 'nope'"),
    (["--theme", "pink"], "invalid choice: 'pink'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--example", "nope"], "no example named 'nope'"),
    (["missing.bpviz.json"], "no such file"),
    (["a.json", "--example", "alexnet"], "not both"),
    (["--size", "12x"], "'12x' is not WIDTHxHEIGHT"),
    (["--size", "axb"], "'axb' is not WIDTHxHEIGHT"),
    (["--size=-5x100"], "'-5x100' is not WIDTHxHEIGHT"),
    (["--size", "10x10"], "'10x10' is outside 320x240 to 7680x4320"),
    (["--lesson", "nope"], "no lesson named 'nope' (lessons: 01_one_layer"),
    (["--lesson", "01_one_layer", "--step", "99"], "01_one_layer.lesson.json has steps 1 to"),
    (["--lesson", "01_one_layer", "--step", "0"], "'0' is not a step number"),
    (["--step", "2"], "--step goes with --lesson"),
    (["--lesson", "missing.lesson.json"], "cannot open 'missing.lesson.json': no such file"),
])
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "x.png"
    result = run(args + ["--screenshot", str(out)], tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(own_lines(result.stderr)) == 1
    assert "Traceback" not in result.stderr


def test_size_needs_a_screenshot(tmp_path):
    result = run(["--size", "800x600"], tmp_path)
    assert result.returncode == 2 and "--size goes with --screenshot" in result.stderr
    assert len(own_lines(result.stderr)) == 1


def test_bad_file_on_the_command_line(tmp_path):
    bad = tmp_path / "bad.bpviz.json"
    bad.write_text("{oops")
    result = run([str(bad), "--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    assert len(own_lines(result.stderr)) == 1


def test_start_up_does_not_import_torch(tmp_path):
    code = ("import sys; from bpviz.gui.app import main; "
            f"code = main(['--screenshot', {str(tmp_path / 's.png')!r}]); "
            "assert 'torch' not in sys.modules, 'torch imported'; "
            "assert 'pyqtgraph' not in sys.modules; sys.exit(code)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_CONFIG_DIR=str(tmp_path / "c"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def screenshot_with_hook(tmp_path, hook_code: str, *args: str):
    """``bpviz --screenshot`` with ``hook_code`` run first (a sitecustomize); the result and
    the config folder."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(hook_code)
    config = tmp_path / "config"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(hook),
               BPVIZ_CONFIG_DIR=str(config))
    result = subprocess.run([sys.executable, "-m", "bpviz", *args, "--screenshot",
                             str(tmp_path / "x.png")], capture_output=True, text=True,
                            env=env, timeout=300)
    return result, config


def assert_one_line(result, config, fault: str) -> None:
    """Exit 2, one line naming ``fault`` and the log, no traceback but in the log."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert own_lines(result.stderr) == [f"bpviz: internal error: {fault} (details in "
                                        f"{config / 'errors.log'})"]
    assert "Traceback" in (config / "errors.log").read_text()


def test_an_internal_error_before_the_window_shows_is_one_line(tmp_path):
    """A fault of bpviz itself while it renders (here: a tab whose module cannot load) is
    one line naming the error and the log, exit 2, and the traceback goes to errors.log."""
    result, config = screenshot_with_hook(
        tmp_path,
        "import importlib.abc, sys\n"
        "class Broken(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'bpviz.gui.labs.loss_lab':\n"
        "            raise ImportError('broken on purpose')\n"
        "sys.meta_path.insert(0, Broken())\n", "--tab", "losses")
    assert_one_line(result, config, "ImportError: broken on purpose")


def test_a_fault_in_a_slot_before_the_event_loop_is_one_line_not_a_traceback(tmp_path):
    """A slot that fails while --screenshot processes events (under load the Losses tab's
    delayed build hit a broken import there) printed Python's traceback to stderr beside the
    one-line report and exited 0. Now it is logged and said in one line, exit 2."""
    result, config = screenshot_with_hook(
        tmp_path,
        "import bpviz.gui.app as app\n"
        "original = app.open_asked\n"
        "def open_asked(window, args):\n"
        "    from PySide6.QtCore import QTimer\n"
        "    def fail():\n"
        "        raise RuntimeError('a slot failed on purpose')\n"
        "    QTimer.singleShot(0, fail)\n"
        "    return original(window, args)\n"
        "app.open_asked = open_asked\n")
    assert_one_line(result, config, "RuntimeError: a slot failed on purpose")


def test_a_lesson_step_from_the_command_line(tmp_path):
    out = tmp_path / "lesson.png"
    result = run(["--lesson", "02_chain_rule", "--step", "2", "--screenshot", str(out)],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == (1440, 900)


def test_a_lesson_step_that_enlarges_a_view_exits_cleanly(tmp_path):
    """An enlarged view above the lesson strip at exit: the window's teardown deleted the
    strip after the focus controller that watched it, and the process crashed (139)."""
    lesson = tmp_path / "enlarged.lesson.json"
    lesson.write_text(json.dumps({
        "format": "bpviz.lesson", "version": 1, "title": "t", "steps": [{
            "title": "t", "text": "t", "do": [
                {"example": "tiny_cnn"}, {"data": "shapes"}, {"batch": 8},
                {"step_to": {"node": "conv", "phase": "backward"}}, {"focus": "jac_input"}]}]}))
    out = tmp_path / "x.png"
    result = run(["--lesson", str(lesson), "--presentation", "--screenshot", str(out)],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == (1280, 720)
