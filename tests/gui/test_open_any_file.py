"""``bpviz FILE`` opens a graph, a lesson or a session by what the file holds (a double-click
on any of them runs this command); a file it cannot use is one dialog and one line."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpviz.core import load_graph
from bpviz.core.teaching.file_kind import GRAPH, LESSON, ONNX, SESSION, file_kind
from bpviz.core.teaching.session_file import DataChoice, Session, save_session
from bpviz.paths import example_path, lessons_dir
from tests.stderr_lines import own_lines

from .test_command_line import run


def a_session(folder: Path, name: str = "class.bpviz-session.json") -> Path:
    graph_file = example_path("tiny_cnn")
    session = Session(load_graph(graph_file), str(graph_file), tab="optimizers",
                      data=DataChoice("shapes"), steps=2)
    return save_session(session, folder / name)


def a_lesson() -> Path:
    return sorted(lessons_dir().glob("*.lesson.json"))[0]


def test_each_kind_is_told_by_its_content_whatever_its_name(tmp_path):
    session = a_session(tmp_path)
    renamed = tmp_path / "sent by mail.json"
    renamed.write_bytes(session.read_bytes())
    lesson_copy = tmp_path / "lesson.txt"
    lesson_copy.write_bytes(a_lesson().read_bytes())
    assert file_kind(example_path("alexnet")) == GRAPH
    assert file_kind(a_lesson()) == file_kind(lesson_copy) == LESSON
    assert file_kind(session) == file_kind(renamed) == SESSION
    # no format found (damaged, missing, a model): the name decides, its reader says why
    (tmp_path / "broken.lesson.json").write_text("{oops")
    assert file_kind(tmp_path / "broken.lesson.json") == LESSON
    assert file_kind(tmp_path / "gone.bpviz-session.json") == SESSION
    assert file_kind(tmp_path / "net.onnx") == ONNX
    assert file_kind(tmp_path) == GRAPH


def test_a_file_goes_where_its_option_would(tmp_path):
    from bpviz.gui.app import parse_args

    lesson, session = str(a_lesson()), str(a_session(tmp_path))
    args = parse_args([lesson, "--step", "3"])
    assert (args.lesson, args.step, args.file) == (lesson, 3, None)
    args = parse_args([session])
    assert (args.session, args.file) == (session, None)
    graph = str(example_path("tiny_cnn"))
    assert parse_args([graph]).file == graph


@pytest.mark.parametrize("kind", ["graph", "lesson", "session"])
def test_bpviz_file_opens_each_kind(tmp_path, kind):
    path = {"graph": lambda: example_path("tiny_cnn"), "lesson": a_lesson,
            "session": lambda: a_session(tmp_path, "sent by mail.json")}[kind]()
    out = tmp_path / "shot.png"
    result = run([str(path), "--screenshot", str(out)], tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


SHOW_DIALOGS = """
import sys
from PySide6.QtWidgets import QMessageBox
def exec_(box):
    print("DIALOG", box.windowTitle(), "|", box.text(), flush=True)
    return 0
QMessageBox.exec = exec_
from bpviz.gui.app import main
sys.exit(main(sys.argv[1:]))
"""


def dialogs(tmp_path, args) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    return subprocess.run([sys.executable, "-c", SHOW_DIALOGS, *args], capture_output=True,
                          text=True, env=env, timeout=120, cwd=tmp_path)


@pytest.mark.parametrize("name,text,reason", [
    ("notes.json", {"format": "something.else"}, "not a bpviz graph"),
    ("x.bpviz-session.json", "{oops", "not valid JSON"),
    ("bad.lesson.json", {"format": "bpviz.lesson", "version": 1}, "field title"),
])
def test_a_file_it_cannot_use_is_one_dialog_and_one_line(tmp_path, name, text, reason):
    bad = tmp_path / name
    bad.write_text(text if isinstance(text, str) else json.dumps(text))
    result = dialogs(tmp_path, [str(bad)])        # as a double-click starts it: a window
    assert result.returncode == 2
    shown = [line for line in result.stdout.splitlines() if line.startswith("DIALOG")]
    assert len(shown) == 1 and name in shown[0] and reason in shown[0], result.stdout
    assert len(own_lines(result.stderr)) == 1 and name in result.stderr
    no_window = run([str(bad), "--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert no_window.returncode == 2 and "DIALOG" not in no_window.stdout
    assert len(own_lines(no_window.stderr)) == 1
    assert name in no_window.stderr and reason in no_window.stderr
    assert not (tmp_path / "x.png").exists()


def test_an_onnx_model_opens_as_a_new_graph_and_a_damaged_one_says_why(tmp_path):
    pytest.importorskip("onnx")
    from bpviz.interop import save_onnx

    model = tmp_path / "net.onnx"
    save_onnx(load_graph(example_path("spirals_mlp")), model)
    result = run([str(model), "--screenshot", str(tmp_path / "x.png")], tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    model.write_bytes(b"\x08\x07")
    result = run([str(model), "--screenshot", str(tmp_path / "y.png")], tmp_path)
    assert result.returncode == 2 and "net.onnx" in result.stderr
    assert len(own_lines(result.stderr)) == 1
