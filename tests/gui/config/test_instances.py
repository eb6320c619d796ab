"""Two bpviz processes at once, and where an installed bpviz writes: a second instance
started with a file opens it and leaves the first one's unsaved work alone; settings,
recovery files and training runs go to the user's folders, never beside the app."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from bpviz.gui.config.instance_lock import instance_slot, recovery_name
from bpviz.paths import example_path, resources_dir

# an upper bound for a hung process, not a guess of this machine's speed
HUNG = 300

TAKE_SLOT = "from bpviz.gui.config.instance_lock import instance_slot; import os, sys; " \
            "print(instance_slot(sys.argv[1]), flush=True); "

# instance A: opens a file, makes an unsaved change, autosaves, then waits to be told to end
FIRST_INSTANCE = textwrap.dedent("""\
    import sys
    from PySide6.QtGui import QUndoCommand
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.gui.config.settings import recovery_path
    window = MainWindow()
    window.document.open(sys.argv[1])
    window.document.undo_stack.push(QUndoCommand("an edit"))
    assert window.document.write_recovery()
    print(recovery_path(), flush=True)
    sys.stdin.readline()
    print(recovery_path().is_file(), flush=True)
    """)


def env_for(tmp_path, **extra):
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
                BPVIZ_CONFIG_DIR=str(tmp_path / "config"), **extra)


def bpviz(args, tmp_path, **extra):
    return subprocess.run([sys.executable, "-m", "bpviz", *args], capture_output=True,
                          text=True, cwd=tmp_path, env=env_for(tmp_path, **extra), timeout=HUNG)


def test_a_running_instance_keeps_its_slot(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", TAKE_SLOT + "sys.stdin.readline()",
                               str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "0"
        assert instance_slot(tmp_path) == 1 == instance_slot(tmp_path)   # held, kept
        assert recovery_name(1) == "recovery-1.bpviz.json"
    finally:
        holder.communicate("\n", timeout=HUNG)


def test_a_crashed_instance_frees_its_slot(tmp_path):
    crashed = subprocess.run([sys.executable, "-c", TAKE_SLOT + "os._exit(0)", str(tmp_path)],
                             capture_output=True, text=True, timeout=HUNG)
    assert crashed.stdout.strip() == "0"
    assert (tmp_path / "instance-0.lock").is_file()         # left behind, like a crash
    assert instance_slot(tmp_path) == 0
    assert recovery_name(0) == "recovery.bpviz.json"        # what one instance always used


def test_a_second_instance_opens_its_file_and_leaves_the_first_ones_work(tmp_path):
    first_file, second_file = tmp_path / "first.bpviz.json", tmp_path / "second.bpviz.json"
    first_file.write_text(example_path("spirals_mlp").read_text())
    second_file.write_text(example_path("tiny_cnn").read_text())
    first = subprocess.Popen([sys.executable, "-c", FIRST_INSTANCE, str(first_file)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=tmp_path, env=env_for(tmp_path))
    try:
        first_recovery = Path(first.stdout.readline().strip())
        assert first_recovery.name == "recovery.bpviz.json" and first_recovery.is_file()
        shot = tmp_path / "second.png"
        second = bpviz([str(second_file), "--screenshot", str(shot)], tmp_path)
        assert second.returncode == 0, second.stderr[-2000:]
        assert shot.stat().st_size > 10_000
        # the event loop's start-up, recovery check included; it quits after its first paint
        second = bpviz([str(second_file)], tmp_path, BPVIZ_STARTUP_TIMING="1")
        assert second.returncode == 0, second.stderr[-2000:]
        assert second.stdout.startswith("painted") and "Traceback" not in second.stderr
        out, _ = first.communicate("\n", timeout=HUNG)
        assert out.strip() == "True"                  # its recovery file was not touched
    finally:
        if first.poll() is None:
            first.kill()
    assert json.loads(first_recovery.read_text())["path"] == str(first_file)


USER_FOLDERS = textwrap.dedent("""\
    import json, os
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    app.setOrganizationName("bpviz"); app.setApplicationName("bpviz")
    from bpviz.gui.config.settings import config_dir, recovery_path, settings
    from bpviz.gui.training.training_form import TrainingForm
    print(json.dumps({"config": str(config_dir()), "recovery": str(recovery_path()),
                      "settings": settings().fileName(), "runs": os.path.expanduser(TrainingForm().out.text())}))
    """)


def test_settings_recovery_and_runs_go_to_the_users_folders(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in env_for(tmp_path).items()
           if k not in ("BPVIZ_CONFIG_DIR", "XDG_CONFIG_HOME")}
    result = subprocess.run([sys.executable, "-c", USER_FOLDERS], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=HUNG)
    assert result.returncode == 0, result.stderr[-2000:]
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    app_folders = (resources_dir().parent, Path(sys.executable).parent, Path(sys.prefix))
    for what, path in paths.items():
        path = Path(path)
        assert path.is_relative_to(home / ".config") or (what == "runs" and
                                                         path.is_relative_to(home)), what
        assert not any(path.is_relative_to(folder) for folder in app_folders), what
