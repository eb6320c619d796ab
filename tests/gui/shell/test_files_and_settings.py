"""Files, the bad-file dialog, autosave recovery, the unsaved-changes prompt, themes and
remembered settings."""

from PySide6.QtWidgets import QMessageBox

from bpviz.core import load_graph
from bpviz.gui.config.settings import recent_files, recovery_path, settings
from bpviz.gui.shell import main_window as mw
from bpviz.paths import example_path


def record_warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(mw.QMessageBox, "warning",
                        lambda parent, title, text: shown.append((title, text)))
    return shown


def test_save_and_open_round_trip_with_recent_files(tmp_path, window):
    g = window.document.graph
    window.editor.select(["fc2"])
    window.editor.add_op("Tanh")
    assert window.document.modified and window.windowTitle().endswith("• — bpviz")
    path = tmp_path / "mine"
    assert window._save_to(path)
    saved = tmp_path / "mine.bpviz.json"
    assert saved.is_file() and not window.document.modified
    assert load_graph(saved).to_dict() == g.to_dict()
    assert recent_files()[0] == str(saved.resolve())
    window.document.new()
    assert window.open_file(saved)
    assert "tanh1" in window.scene.nodes and window.windowTitle() == "mine.bpviz.json — bpviz"


def test_bad_file_shows_the_error_and_keeps_the_document(tmp_path, window, monkeypatch):
    shown = record_warnings(monkeypatch)
    window.editor.add_op("ReLU")
    before = window.document.graph.to_dict()
    bad = tmp_path / "bad.bpviz.json"
    bad.write_text('{"format": "bpviz.graph", "version": 7, "nodes": []}')
    assert not window.open_file(bad, ask=False)
    assert shown and shown[0][0] == "Cannot open file" and "newer bpviz" in shown[0][1]
    assert window.document.graph.to_dict() == before and window.document.modified
    garbage = tmp_path / "garbage.bpviz.json"
    garbage.write_bytes(b"\x00\x01 not json")
    assert not window.open_file(garbage, ask=False)
    assert "not valid JSON" in shown[1][1] or "not a text" in shown[1][1]


def test_half_built_graphs_open_with_their_problems_shown(tmp_path, window):
    g = load_graph(example_path("spirals_mlp"))
    g.remove_node("relu1")
    from bpviz.core import save_graph
    path = tmp_path / "half.bpviz.json"
    save_graph(g, path)
    assert window.open_file(path)
    assert "not connected" in window.scene.nodes["fc2"].problem
    assert window.problems.count() == 1


def test_save_failure_is_reported(tmp_path, window, monkeypatch):
    shown = record_warnings(monkeypatch)
    assert not window._save_to(tmp_path / "missing-folder" / "g.bpviz.json")
    assert shown[0][0] == "Cannot save" and "cannot save" in shown[0][1]


def test_autosave_and_recovery_after_a_crash(qtbot, window):
    window.editor.select(["relu2"])
    window.editor.add_op("Sigmoid")
    assert window.document.write_recovery()
    assert recovery_path().is_file()
    crashed = window.document.graph.to_dict()
    # a new session finds the recovery file and offers it
    fresh = mw.MainWindow()
    qtbot.addWidget(fresh)
    fresh.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    asked = []
    fresh.ask_restore = lambda record: asked.append(record) or True
    assert fresh.check_recovery()
    assert asked and fresh.document.graph.to_dict() == crashed
    assert fresh.document.modified and "sigmoid1" in fresh.scene.nodes
    # declining deletes it
    window.document.write_recovery()
    other = mw.MainWindow()
    qtbot.addWidget(other)
    other.ask_restore = lambda record: False
    assert not other.check_recovery() and not recovery_path().exists()


def test_unreadable_recovery_file_is_ignored(window):
    recovery_path().write_text("{broken")
    assert window.document.recovery_record() is None
    assert not window.check_recovery()


def test_nothing_to_recover_after_a_clean_save(tmp_path, window):
    window.editor.add_op("ReLU")
    window.document.write_recovery()
    window._save_to(tmp_path / "g.bpviz.json")
    assert not recovery_path().exists()
    assert not window.document.write_recovery()          # nothing unsaved: nothing written


def test_unsaved_changes_prompt_on_close(window):
    window.editor.add_op("ReLU")
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    assert not window.close() and window.isVisible()
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    assert window.close()


def test_examples_menu_lists_every_example(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert len(titles) >= 7
    assert any("AlexNet" in t for t in titles) and any("sigmoid" in t.lower() for t in titles)
    alexnet = next(a for a in window.examples_menu.actions() if "AlexNet" in a.text())
    alexnet.trigger()
    assert len(window.scene.nodes) == 26 and window.scene.nodes["pool5"].out_shape == (
        "N", 256, 6, 6)
    assert not window.document.modified and window.document.path is None


def test_theme_presentation_and_remembered_layout(qtbot, window):
    window.set_theme("dark")
    assert window.scene.theme.name == "dark"
    item = window.scene.nodes["fc1"]
    assert not item.compact and item.scale_ == 1.0
    window.set_presentation(True)            # the compact style, its type 1.5 times larger
    item = window.scene.nodes["fc1"]
    assert item.compact and item.scale_ >= 1.5
    window.set_presentation(False)
    assert not window.scene.nodes["fc1"].compact and window.scene.nodes["fc1"].scale_ == 1.0
    window.docks["problems"].hide()
    window.resize(790, 560)          # within the offscreen screen (800x800, less a frame)
    assert window.close()
    s = settings()
    assert s.value("theme") == "dark"
    again = mw.MainWindow()
    qtbot.addWidget(again)
    assert (again.size().width(), again.size().height()) == (790, 560)
    assert again.docks["problems"].isHidden()
