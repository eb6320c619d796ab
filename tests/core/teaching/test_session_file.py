"""The session file format: what is saved is read back equal; each kind of damage is one
SessionError naming the file and the field; writing is atomic."""
import json
import os

import pytest

from bpviz.core import load_graph
from bpviz.core.teaching.session_file import (
    Aside,
    DataChoice,
    LessonPlace,
    Session,
    SessionError,
    load_session,
    save_session,
    session_from_dict,
    session_to_dict,
)
from bpviz.paths import example_path


def full_session() -> Session:
    graph = load_graph(example_path("spirals_mlp"))
    graph.set_param("fc1", "weight", graph.param("fc1", "weight") * 2)   # kept exactly
    return Session(graph, "/home/me/mine.bpviz.json", True, "optimizers",
                   DataChoice("moons", 16, 5, 3, True, None), 12,
                   {"losses": {"page": 1, "controls": {"slider_margin Δ": 20,
                                                       "multiclass_target": "goldfish",
                                                       "regression_derivatives": False}},
                    "optimizers": {"controls": {"race_steps": 120}, "ticked": ["SGD", "Adam"],
                                   "selected": "Adam", "shown": 25, "start": (1.0, -0.5),
                                   "configs": {"Adam": {"lr": 0.2, "betas": (0.8, 0.95)}}}},
                   LessonPlace("01_one_layer", 4,
                               Aside(load_graph(example_path("branching")), None, True,
                                     "losses", "blobs", 32, 7)))


def same(a: Session, b: Session) -> None:
    assert a.graph.to_dict() == b.graph.to_dict()
    assert (a.graph_file, a.modified, a.tab, a.data, a.steps, a.labs) == (
        b.graph_file, b.modified, b.tab, b.data, b.steps, b.labs)
    assert (a.lesson.lesson, a.lesson.step) == (b.lesson.lesson, b.lesson.step)
    x, y = a.lesson.aside, b.lesson.aside
    assert x.graph.to_dict() == y.graph.to_dict()
    assert (x.graph_file, x.modified, x.tab, x.data, x.batch, x.sample) == (
        y.graph_file, y.modified, y.tab, y.data, y.batch, y.sample)


def test_a_saved_session_reads_back_equal(tmp_path):
    session = full_session()
    path = save_session(session, tmp_path / "class")
    assert path.name == "class.bpviz-session.json"
    again = load_session(path)
    same(again, session)
    assert (again.graph.param("fc1", "weight") == session.graph.param("fc1", "weight")).all()
    spec = json.loads(path.read_text())
    assert spec["lesson"]["step"] == 5                 # counted from 1, as the lesson panel
    assert [p.name for p in tmp_path.iterdir()] == [path.name]     # no temporary file left


def test_a_minimal_session_takes_the_defaults():
    spec = {"format": "bpviz.session", "version": 1, "data": {"source": "spirals"},
            "graph": load_graph(example_path("spirals_mlp")).to_dict()}
    s = session_from_dict(spec)
    assert (s.tab, s.steps, s.labs, s.lesson, s.graph_file, s.modified) == (
        "backprop", 0, {}, None, None, False)
    assert s.data == DataChoice("spirals")


def damaged(path: list, value):
    """The full session's dict with the field at ``path`` replaced (or removed: ...)."""
    spec = session_to_dict(full_session())
    target = spec
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return spec


@pytest.mark.parametrize("path, value, words", [
    (["format"], "bpviz.graph", "not a bpviz session: 'format' is 'bpviz.graph'"),
    (["version"], 2, "written by a newer bpviz (session version 2)"),
    (["version"], "1", "field version: expected a whole number from 1 to 1"),
    (["extra"], 1, "field session.extra: unknown field"),
    (["data"], ..., "field session.data: missing"),
    (["graph", "nodes"], "x", "field graph: graph: 'nodes' must be of type list"),
    (["graph_file"], 3, "field graph_file: expected non-empty text"),
    (["modified"], "yes", "field modified: expected true or false"),
    (["tab"], "Backprop", "field tab: expected one of 'backprop'"),
    (["data", "source"], "", "field data.source: expected non-empty text"),
    (["data", "batch"], 0, "field data.batch: expected a whole number from 1 to 4,096"),
    (["data", "sample"], True, "field data.sample"),
    (["data", "batch_seed"], -1, "field data.batch_seed"),
    (["data", "train_mode"], 1, "field data.train_mode: expected true or false"),
    (["data", "colour"], "red", "field data.colour: unknown field"),
    (["stepper", "steps"], 10**9, "field stepper.steps: expected a whole number from 0"),
    (["labs", "training"], {}, "field labs.training: unknown field"),
    (["labs", "losses", "page"], 99, "field labs.losses.page"),
    (["labs", "losses", "controls", "slider_margin Δ"], [1],
     "field labs.losses.controls.slider_margin Δ: expected a finite number"),
    (["labs", "optimizers", "ticked"], "Adam", "field labs.optimizers.ticked: expected a list"),
    (["labs", "optimizers", "start"], [1, float("nan")],
     "field labs.optimizers.start[1]: expected a finite number"),
    (["labs", "optimizers", "configs", "Adam", "betas"], [0.9, "x"],
     "field labs.optimizers.configs.Adam.betas[1]"),
    (["labs", "optimizers", "shown"], 6000, "field labs.optimizers.shown"),
    (["lesson", "step"], 0, "field lesson.step: expected a whole number from 1"),
    (["lesson", "lesson"], None, "field lesson.lesson: expected non-empty text"),
    (["lesson", "aside", "graph"], {"format": "bpviz.graph", "version": 99},
     "field lesson.aside.graph: this file was written by a newer bpviz"),
    (["lesson", "aside", "tab"], "nowhere", "field lesson.aside.tab"),
])
def test_each_damage_is_one_error_naming_the_file_and_the_field(tmp_path, path, value,
                                                                words):
    file = tmp_path / "class.bpviz-session.json"
    file.write_text(json.dumps(damaged(path, value)))
    with pytest.raises(SessionError) as err:
        load_session(file)
    assert str(err.value).startswith("'class.bpviz-session.json': ")
    assert words in str(err.value)


@pytest.mark.parametrize("text, words", [
    ("", "is empty"), ("{", "is not valid JSON"), ("[]", "not a bpviz session"),
    ("[" * 100 + "]" * 100, "not a bpviz session"),
])
def test_a_file_that_is_not_a_session_is_named(tmp_path, text, words):
    file = tmp_path / "x.bpviz-session.json"
    file.write_text(text)
    with pytest.raises(SessionError, match=words):
        load_session(file)
    with pytest.raises(SessionError, match="no such file"):
        load_session(tmp_path / "missing.bpviz-session.json")


def test_deep_nesting_is_refused_as_damage():
    spec = session_to_dict(full_session())
    deep = 1
    for _ in range(20):
        deep = [deep]
    spec["labs"]["optimizers"]["configs"]["Adam"]["betas"] = deep
    with pytest.raises(SessionError, match="nested more than 16 deep: this is not a session"):
        session_from_dict(spec)


def test_saving_is_atomic_and_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = save_session(full_session(), tmp_path / "class.bpviz-session.json")
    old = path.read_text()
    import bpviz.core.network.fileformat as fileformat

    def full_disk(fd, *args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(fileformat.os, "fsync", full_disk)
    with pytest.raises(SessionError, match="cannot save .*No space left on device"):
        save_session(full_session(), path)
    assert path.read_text() == old
    assert sorted(os.listdir(tmp_path)) == [path.name]
