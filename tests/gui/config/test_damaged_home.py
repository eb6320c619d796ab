"""Issue 25 items 8 and 9: a damaged or read-only home, and the recovery files that every
instance leaves. bpviz starts, says once what it cannot save, never fails at quit, and
offers every piece of unsaved work that a crash left, whichever slot it was written in."""
import json
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox

from bpviz.gui.config.instance_lock import recovery_name
from bpviz.gui.config.settings import recovery_path, settings
from bpviz.gui.shell import main_window as mw
from bpviz.paths import example_path

from ..shell.test_files_and_settings import record_warnings
from .test_instances import HUNG, TAKE_SLOT, bpviz


def crashed_record(path, name="the crashed one") -> dict:
    """A recovery file as a killed instance leaves it."""
    graph = json.loads(example_path("spirals_mlp").read_text())
    graph["name"] = name
    record = {"saved_at": 1.0, "path": None, "graph": graph}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    return record


def fresh_window(qtbot, answers):
    """A window as a new start builds it; ``answers`` records each recovery question."""
    win = mw.MainWindow()
    qtbot.addWidget(win)
    win.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    win.ask_restore = lambda record: answers.append(record["graph"]["name"]) or True
    return win


def test_a_wrongly_typed_theme_is_the_default(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "bpviz.ini").write_text("[General]\ntheme=light, dark\n")
    result = bpviz(["--screenshot", str(tmp_path / "a.png")], tmp_path)
    assert result.returncode == 0, result.stderr


def test_training_runs_saved_as_a_list_or_bytes_is_the_default(window, config_dir):
    for value in ("a, b", "@ByteArray(abc)"):
        (config_dir / "bpviz.ini").write_text(f"[training]\nruns={value}\ndevice=x, y\n")
        window.show_tab("training")               # built from the settings, first time only
        assert window.training_tab.panel is not None
    assert settings().value("training/runs") is None      # read as absent, with a log line


def test_a_fifo_named_bpviz_ini_does_not_block_start_up(tmp_path):
    (tmp_path / "config").mkdir()
    os.mkfifo(tmp_path / "config" / "bpviz.ini")
    result = bpviz(["--screenshot", str(tmp_path / "a.png")], tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_home_where_no_config_folder_can_be_made_starts(tmp_path):
    """HOME below a regular file: nothing can be created there, even by root."""
    (tmp_path / "file").write_text("")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "file" / "home"))
    env.pop("BPVIZ_CONFIG_DIR")
    env.pop("XDG_CONFIG_HOME", None)
    result = subprocess.run([sys.executable, "-m", "bpviz", "--screenshot",
                             str(tmp_path / "a.png")], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=HUNG)
    assert result.returncode == 0, result.stderr


def test_an_unwritable_config_folder_is_said_once_and_quitting_is_clean(
        qtbot, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("BPVIZ_CONFIG_DIR", str(tmp_path / "file" / "config"))
    shown = record_warnings(monkeypatch)
    first = fresh_window(qtbot, [])
    first.check_left_work()
    assert [title for title, _ in shown] == ["Settings will not be saved"]
    assert "file/config" in shown[0][1] and "runs on" in shown[0][1]
    first.document.undo_stack.push(QUndoCommand("an edit"))
    assert not first.document.write_recovery()             # nowhere to write: no fault
    fresh_window(qtbot, []).check_left_work()
    assert len(shown) == 1                                  # once, not at every window
    with qtbot.captureExceptions() as faults:
        first.document.clear_recovery()
    assert not faults


@contextmanager
def read_only(folder):
    """``folder`` made read-only even for root (a read-only bind mount); skip if neither
    that nor a chmod can do it here."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)],
                             capture_output=True).returncode == 0
    if not mounted or subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)],
                                     capture_output=True).returncode != 0:
        if mounted:
            subprocess.run(["umount", str(folder)])
        pytest.skip("cannot make a folder read-only here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_config_folder_offers_the_crashed_work_and_quits_cleanly(
        qtbot, config_dir, monkeypatch):
    crashed_record(config_dir / "recovery.bpviz.json")
    shown = record_warnings(monkeypatch)
    with read_only(config_dir):
        answers = []
        win = fresh_window(qtbot, answers)
        win.check_left_work()
        assert answers == ["the crashed one"]         # offered though no slot was taken
        assert win.document.graph.name == "the crashed one" and win.document.modified
        assert [title for title, _ in shown] == ["Settings will not be saved"]
        with qtbot.captureExceptions() as faults:
            win.document.clear_recovery()             # what a quit does (it raised)
        assert not faults


def test_a_deeply_nested_recovery_file_is_a_message(window, config_dir):
    record = crashed_record(recovery_path())
    record["graph"]["nodes"][0]["ui"] = {"deep": json.loads("[" * 500 + "]" * 500)}
    recovery_path().write_text(json.dumps(record))
    assert not window.check_recovery()
    assert "nested" in window.last_message and len(window.last_message) < 300
    assert recovery_path().exists()                   # left alone, not deleted


def test_a_200_mb_recovery_file_is_not_read_at_start_up(window):
    crashed_record(recovery_path())
    with open(recovery_path(), "r+b") as f:
        f.truncate(200 * 2**20)                       # sparse: no time spent writing it
    assert not window.check_recovery()
    assert "more than a recovery file holds" in window.last_message
    assert recovery_path().exists()


def test_every_slots_recovery_file_is_offered(qtbot, config_dir):
    """A in slot 0 and B in slot 1; B is killed; A quits: the next start, in slot 0,
    offers B's work. Another slot's file, once restored, is this instance's own."""
    assert recovery_path().name == recovery_name(0)
    crashed_record(config_dir / recovery_name(1), "B's work")
    answers = []
    win = fresh_window(qtbot, answers)
    assert win.check_recovery()
    assert answers == ["B's work"] and win.document.graph.name == "B's work"
    assert not (config_dir / recovery_name(1)).exists() and recovery_path().is_file()


def test_a_running_instances_recovery_file_is_not_offered(qtbot, config_dir):
    config_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", TAKE_SLOT + "sys.stdin.readline()",
                               str(config_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "0"          # it holds slot 0
        crashed_record(config_dir / recovery_name(0), "running A's work")
        crashed_record(config_dir / recovery_name(2), "crashed C's work")
        answers = []
        fresh_window(qtbot, answers).check_recovery()
        assert answers == ["crashed C's work"]
        assert (config_dir / recovery_name(0)).exists()
    finally:
        holder.communicate("\n", timeout=HUNG)


def test_a_full_config_folder_is_said_once(qtbot, config_dir, monkeypatch):
    """A disk with no space left (a 64 kB tmpfs, filled): said once, nothing raised."""
    config_dir.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(config_dir)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        with open(config_dir / "filler", "wb") as f:
            try:
                f.write(b"\0" * 2**20)
            except OSError:
                pass
        shown = record_warnings(monkeypatch)
        win = fresh_window(qtbot, [])
        win.check_left_work()
        win.document.undo_stack.push(QUndoCommand("an edit"))
        assert not win.document.write_recovery()
        fresh_window(qtbot, []).check_left_work()
        assert [title for title, _ in shown] == ["Settings will not be saved"]
        assert "No space left" in shown[0][1]
        assert not list(config_dir.glob(".*tmp")) and not list(config_dir.glob(".bpviz-probe*"))
    finally:
        subprocess.run(["umount", str(config_dir)], check=True)
