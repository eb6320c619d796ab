"""What a shared lesson or session can reach (issue 25, items 6 and 12): a lesson's
``example`` is a shipped example or a graph in the lesson's own folder, never a path out
of it; a session's data file is named without quoting its cells; messages built from a
file quote a short excerpt of it."""
import json

import pytest

from bpviz.core import load_graph
from bpviz.core.classroom import Classroom
from bpviz.core.classroom_session import restore_classroom, session_of
from bpviz.core.data.data_source import CSV_SOURCE
from bpviz.core.teaching.lessons import LessonError, example_file, load_lesson
from bpviz.core.teaching.session_file import SessionError, session_from_dict, session_to_dict
from bpviz.paths import example_path

GRAPH = example_path("spirals_mlp")


def lesson_with(tmp_path, example: str):
    path = tmp_path / "lessons" / "mine.lesson.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({
        "format": "bpviz.lesson", "version": 1, "title": "Mine",
        "steps": [{"title": "Open", "text": "t", "do": [{"example": example}]}]}))
    return path


@pytest.mark.parametrize("example", [
    "../x.bpviz.json", "../x", "graphs/../../x.bpviz.json", "/abs/path.bpviz.json",
    "/abs/path", "~/x.bpviz.json", "C:/x.bpviz.json", "..\\x.bpviz.json"])
def test_a_path_out_of_the_lessons_folder_is_one_lesson_error(tmp_path, example):
    (tmp_path / "x.bpviz.json").write_text(GRAPH.read_text())
    with pytest.raises(LessonError) as err:
        load_lesson(lesson_with(tmp_path, example))
    assert "mine.lesson.json, step 1" in str(err.value) and "do[0].example" in str(err.value)


def test_a_link_that_leads_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.bpviz.json"
    outside.write_text(GRAPH.read_text())
    path = lesson_with(tmp_path, "own.bpviz.json")
    (path.parent / "own.bpviz.json").symlink_to(outside)
    with pytest.raises(LessonError, match="leads out of the lesson's folder"):
        load_lesson(path)
    with pytest.raises(ValueError, match="leads out"):       # checked again when it runs
        example_file("own.bpviz.json", path.parent)


def test_a_lesson_brings_its_own_graph_beside_it(tmp_path):
    path = lesson_with(tmp_path, "graphs/own.bpviz.json")
    (path.parent / "graphs").mkdir()
    (path.parent / "graphs" / "own.bpviz.json").write_text(GRAPH.read_text())
    lesson = load_lesson(path)
    assert lesson.steps[0].actions == ({"example": "graphs/own.bpviz.json"},)
    found = example_file("graphs/own.bpviz.json", path.parent)
    assert found == (path.parent / "graphs" / "own.bpviz.json").resolve()
    assert load_graph(found).to_dict() == load_graph(GRAPH).to_dict()


def test_a_missing_own_graph_is_named_and_a_shipped_example_still_opens(tmp_path):
    with pytest.raises(LessonError, match="no such graph beside the lesson"):
        load_lesson(lesson_with(tmp_path, "gone.bpviz.json"))
    assert example_file("spirals_mlp", None) == GRAPH


def test_a_long_step_title_is_quoted_as_an_excerpt(tmp_path):
    path = tmp_path / "long.lesson.json"
    path.write_text(json.dumps({"format": "bpviz.lesson", "version": 1, "title": "T",
                                "steps": [{"title": "x" * 100_000, "text": "t"}]}))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    message = str(err.value)
    assert len(message) < 300 and "\n" not in message and "100,000 characters" in message


def test_an_unknown_session_key_is_quoted_as_an_excerpt():
    spec = session_to_dict(session_of(Classroom(load_graph(GRAPH))))
    for key in ("k" * 100_000, "line\n" * 100_000):
        with pytest.raises(SessionError) as err:
            session_from_dict(dict(spec, **{key: 1}))
        message = str(err.value)
        assert len(message) < 300 and "\n" not in message and "unknown field" in message
    spec["labs"] = {"optimizers": {"configs": {"o" * 100_000: {"k" * 100_000: "x"}}}}
    with pytest.raises(SessionError) as err:
        session_from_dict(spec)
    assert len(str(err.value)) < 300


def test_a_bad_cell_of_a_sessions_data_file_is_not_quoted(tmp_path):
    csv = tmp_path / "accounts.csv"
    csv.write_text("x,y,label\n1,hunter2-SECRET,0\n")
    session = session_of(Classroom(load_graph(GRAPH)))
    session.data.source, session.data.file = CSV_SOURCE, str(csv)
    with pytest.raises(ValueError) as err:
        restore_classroom(Classroom(), session)
    message = str(err.value)
    assert "accounts.csv" in message and "line 2" in message, message
    assert "hunter2" not in message and "SECRET" not in message, message
