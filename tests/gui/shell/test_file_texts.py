"""What a shared lesson or session can do to the window (issue 25, items 6 and 12): its
graph opens as a copy that Save never writes back to the session's graph_file; text from
a file is shown as written, never as rich text; the command line says one short line."""
import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bpviz.gui.shell.main_window import as_plain_html
from bpviz.paths import example_path
from tests.stderr_lines import own_lines

IMG = "<img src='/etc/x.png'>"


def seen(rich: str) -> str:
    """What a rich text label draws, as text."""
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def test_a_sessions_graph_opens_as_a_copy_and_save_asks_where(qtbot, window, tmp_path,
                                                              monkeypatch):
    theirs = tmp_path / "theirs.bpviz.json"
    window.document.save(theirs)
    window.document.open(theirs)
    window.files.sessions.save(tmp_path / "shared.bpviz-session.json")
    before = theirs.read_bytes()
    window.document.open_example(example_path("branching"))
    assert window.files.sessions.open(tmp_path / "shared.bpviz-session.json", ask=False) == ""
    assert window.document.path is None and "theirs.bpviz.json" in window.last_message
    asked = []
    mine = tmp_path / "mine.bpviz.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a[2]) or (str(mine), ""))
    window.save_action.trigger()                                    # Ctrl+S
    assert len(asked) == 1 and "theirs" not in asked[0]
    assert mine.is_file() and theirs.read_bytes() == before


def test_a_lesson_aside_from_a_session_comes_back_without_its_file(qtbot, window, tmp_path):
    theirs = tmp_path / "theirs.bpviz.json"
    window.document.save(theirs)
    window.document.open(theirs)
    assert window.lessons.open("01_one_layer", 1, ask=False) == ""
    window.files.sessions.save(tmp_path / "lesson.bpviz-session.json")
    window.lessons.leave()
    assert window.files.sessions.open(tmp_path / "lesson.bpviz-session.json", ask=False) == ""
    window.lessons.leave()
    assert window.document.path is None


def test_a_lesson_runs_its_own_graph_beside_it(qtbot, window, tmp_path):
    graph = json.loads(example_path("branching").read_text())
    graph["name"] = "the lesson's own"
    (tmp_path / "own.bpviz.json").write_text(json.dumps(graph))
    path = tmp_path / "own.lesson.json"
    path.write_text(json.dumps({"format": "bpviz.lesson", "version": 1, "title": "Own",
                                "steps": [{"title": "Open", "text": "t",
                                           "do": [{"example": "own.bpviz.json"}]}]}))
    assert window.lessons.open(str(path), ask=False) == ""
    assert window.document.graph.name == "the lesson's own" and window.document.path is None


def test_text_from_a_lesson_is_shown_as_written(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "img.lesson.json"
    path.write_text(json.dumps({"format": "bpviz.lesson", "version": 1, "title": IMG,
                                "steps": [{"title": IMG, "text": IMG,
                                           "do": [{"select": IMG}]}]}))
    message = window.lessons.open(str(path), ask=False)
    assert "the graph has no node" in message
    panel = window.lessons.panel
    for label in (panel.lesson_title, panel.position, panel.text):
        assert label.textFormat() == Qt.TextFormat.RichText and IMG not in label.text()
        assert IMG in seen(label.text())                  # escaped: drawn as written
    assert panel.error.textFormat() == Qt.TextFormat.PlainText
    assert IMG in panel.error.text()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    window.show_error("Cannot open lesson", f"{IMG}: broken")
    assert IMG not in shown[0] and seen(shown[0]) == f"{IMG}: broken"
    assert window.last_message == f"{IMG}: broken"


def test_plain_html_keeps_every_character():
    assert as_plain_html("a < b & 'c'\nd") == \
        "<p style='white-space: pre-wrap'>a &lt; b &amp; 'c'\nd</p>"


def test_a_long_unknown_session_key_is_one_short_line_on_the_command_line(window, tmp_path):
    from tests.gui.test_command_line import run

    window.files.sessions.save(tmp_path / "good.bpviz-session.json")
    spec = json.loads((tmp_path / "good.bpviz-session.json").read_text())
    spec["line\n" * 100_000] = 1
    (tmp_path / "bad.bpviz-session.json").write_text(json.dumps(spec))
    result = run(["--session", "bad.bpviz-session.json", "--screenshot",
                  str(tmp_path / "x.png")], tmp_path)
    assert result.returncode == 2
    lines = own_lines(result.stderr)
    assert len(lines) == 1 and len(lines[0]) < 300 and "unknown field" in lines[0], lines
