"""The session file field by field: what a file leaves out takes the defaults the app
starts with, each range is taken at both ends and refused one past them, and a session
saved under any name the user types opens back as the same class."""
import json

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
    session_path,
    session_to_dict,
)
from bpviz.paths import example_path


def graph_dict():
    return load_graph(example_path("spirals_mlp")).to_dict()


GRAPH = graph_dict()


def minimal(**fields) -> dict:
    spec = {"format": "bpviz.session", "version": 1, "graph": graph_dict(),
            "data": {"source": "spirals"}}
    spec.update(fields)
    return spec


def refused(spec) -> str:
    with pytest.raises(SessionError) as caught:
        session_from_dict(spec)
    return str(caught.value)


def test_a_data_choice_left_out_takes_the_panels_defaults():
    assert session_from_dict(minimal()).data == DataChoice("spirals", 8, 0, 0, False, None)
    s = session_from_dict(minimal(data={"source": "moons", "batch": 4096, "sample": 4095,
                                        "batch_seed": 2**31 - 1, "train_mode": True,
                                        "file": "/data/points.csv"}))
    assert s.data == DataChoice("moons", 4096, 4095, 2**31 - 1, True, "/data/points.csv")


@pytest.mark.parametrize("field, low, high", [
    ("batch", 1, 4096), ("sample", 0, 4095), ("batch_seed", 0, 2**31 - 1)])
def test_a_data_number_is_taken_at_its_ends_and_refused_past_them(field, low, high):
    for value in (low, high):
        data = {"source": "spirals", field: value}
        assert getattr(session_from_dict(minimal(data=data)).data, field) == value
    for value in (low - 1, high + 1):
        message = refused(minimal(data={"source": "spirals", field: value}))
        assert message == (f"field data.{field}: expected a whole number from {low} to "
                           f"{high:,}, got {value}")


def test_the_steps_taken_are_taken_up_to_the_steppers_guard():
    assert session_from_dict(minimal(stepper={"steps": 100_000})).steps == 100_000
    assert session_from_dict(minimal(stepper={})).steps == 0
    assert "field stepper.steps" in refused(minimal(stepper={"steps": -1}))
    assert "field stepper.steps" in refused(minimal(stepper={"steps": 100_001}))
    assert refused(minimal(stepper={"step": 3})).startswith(
        "field stepper.step: unknown field (fields: steps)")


def test_texts_have_their_limits():
    assert session_from_dict(minimal(graph_file="g" * 4096)).graph_file == "g" * 4096
    assert "field graph_file: expected non-empty text" in refused(minimal(graph_file="g" * 4097))
    assert "field graph_file: expected non-empty text" in refused(minimal(graph_file="  "))
    assert session_from_dict(minimal(data={"source": "s" * 200})).data.source == "s" * 200
    assert "field data.source" in refused(minimal(data={"source": "s" * 201}))


def test_a_missing_or_unknown_field_names_itself_and_the_fields_there_are():
    message = refused({k: v for k, v in minimal().items() if k != "graph"})
    assert message == "field session.graph: missing"
    message = refused(minimal(colour="red"))
    assert message == ("field session.colour: unknown field (fields: data, format, graph, "
                       "graph_file, labs, lesson, modified, stepper, tab, version)")
    assert refused(minimal(data="spirals")) == (
        "field data: expected an object, got 'spirals'")


def test_a_long_or_multiline_unknown_key_is_quoted_as_a_short_excerpt():
    plain = "k" * 40
    assert refused(minimal(**{plain: 1})).startswith(f"field session.{plain}: unknown")
    long = "k" * 41
    assert refused(minimal(**{long: 1})).startswith(f"field session.'{long[:10]}")
    message = refused(minimal(**{"a\nb": 1}))
    assert message.startswith("field session.'a\\nb': unknown") and "\n" not in message


def test_the_version_and_format_are_checked_first():
    assert refused(minimal(version=0)) == (
        "field version: expected a whole number from 1 to 1, got 0")
    assert refused(minimal(version=True)).startswith("field version: expected")
    assert refused(minimal(version=2)) == (
        "written by a newer bpviz (session version 2); this bpviz reads version 1: please "
        "update bpviz")
    assert refused([1]) == ("not a bpviz session: 'format' is 'list', expected "
                            "'bpviz.session'")
    assert refused(minimal(format=None)).startswith("not a bpviz session: 'format' is None")


def test_text_that_is_not_unicode_is_refused_as_a_session():
    message = refused(minimal(graph_file="\ud800"))
    assert "is not valid Unicode" in message
    spec = minimal()
    deep = 1
    for _ in range(20):
        deep = [deep]
    spec["labs"] = {"losses": {"controls": {"x": deep}}}
    assert "this is not a session" in refused(spec)


def test_labs_left_out_keep_their_defaults_and_give_only_what_the_file_holds():
    s = session_from_dict(minimal(labs={"losses": {}, "optimizers": {}}))
    assert s.labs == {"losses": {"page": 0, "controls": {}},
                      "optimizers": {"controls": {}, "configs": {}}}
    s = session_from_dict(minimal(labs={"losses": {"page": 20}, "optimizers": {
        "ticked": [], "shown": 5000, "start": [1, -2], "selected": "SGD",
        "configs": {"SGD": {"nesterov": True, "lr": 0.1}}}}))
    assert s.labs["losses"]["page"] == 20
    assert s.labs["optimizers"] == {"controls": {}, "ticked": [], "shown": 5000,
                                    "start": (1.0, -2.0), "selected": "SGD",
                                    "configs": {"SGD": {"nesterov": True, "lr": 0.1}}}
    assert isinstance(s.labs["optimizers"]["start"][0], float)
    assert session_from_dict(minimal(labs={"optimizers": {"shown": 0}})).labs[
        "optimizers"]["shown"] == 0


@pytest.mark.parametrize("labs, message", [
    ({"losses": {"page": -1}}, "field labs.losses.page: expected a whole number from 0 to 20"),
    ({"losses": {"page": 21}}, "field labs.losses.page: expected a whole number from 0 to 20"),
    ({"losses": {"controls": [1]}},
     "field labs.losses.controls: expected an object of {control name: value}, got [1]"),
    ({"losses": {"controls": {"": 1}}}, "field labs.losses.controls (a name): expected "
                                        "non-empty text, got ''"),
    ({"losses": {"controls": {"n" * 201: 1}}}, "field labs.losses.controls (a name)"),
    ({"losses": {"controls": {"box": None}}},
     "field labs.losses.controls.box: expected a finite number, got None"),
    ({"optimizers": {"shown": 5001}}, "field labs.optimizers.shown"),
    ({"optimizers": {"shown": -1}}, "field labs.optimizers.shown"),
    ({"optimizers": {"ticked": ["SGD", ""]}},
     "field labs.optimizers.ticked[1]: expected non-empty text"),
    ({"optimizers": {"ticked": ["s" * 201]}}, "field labs.optimizers.ticked[0]"),
    ({"optimizers": {"selected": 3}}, "field labs.optimizers.selected: expected non-empty"),
    ({"optimizers": {"selected": "s" * 201}}, "field labs.optimizers.selected"),
    ({"optimizers": {"start": [1, 2, 3]}},
     "field labs.optimizers.start: expected [x, y], got [1, 2, 3]"),
    ({"optimizers": {"start": "1,2"}}, "field labs.optimizers.start: expected [x, y]"),
    ({"optimizers": {"start": ["1", 2]}}, "field labs.optimizers.start[0]: expected a finite"),
    ({"optimizers": {"configs": []}}, "field labs.optimizers.configs: expected an object of "
                                      "{optimizer: {hyperparameter: value}}, got []"),
    ({"optimizers": {"configs": {"Adam": 0.1}}}, "field labs.optimizers.configs.Adam: "
                                                 "expected an object of {hyperparameter: "
                                                 "value}, got 0.1"),
    ({"optimizers": {"configs": {"Adam": {"lr": "fast"}}}},
     "field labs.optimizers.configs.Adam.lr: expected a finite number, got 'fast'"),
    ({"optimizers": {"configs": {"Adam": {"betas": [0.9, None]}}}},
     "field labs.optimizers.configs.Adam.betas[1]: expected a finite number, got None"),
    ({"optimizers": {"speed": 1}}, "field labs.optimizers.speed: unknown field (fields: "
                                   "configs, controls, selected, shown, start, ticked)"),
])
def test_each_bad_lab_field_is_named(labs, message):
    assert refused(minimal(labs=labs)).startswith(message)


def test_a_lesson_place_and_the_work_put_aside_take_their_defaults():
    s = session_from_dict(minimal(lesson={"lesson": "01_one_layer", "step": 10_000,
                                          "aside": {"graph": graph_dict()}}))
    assert (s.lesson.lesson, s.lesson.step) == ("01_one_layer", 9_999)
    a = s.lesson.aside
    assert (a.graph_file, a.modified, a.tab, a.data, a.batch, a.sample) == (
        None, False, "backprop", "", 8, 0)
    s = session_from_dict(minimal(lesson={"lesson": "01_one_layer", "step": 1}))
    assert (s.lesson.step, s.lesson.aside) == (0, None)
    s = session_from_dict(minimal(lesson={"lesson": "x", "step": 2, "aside": {
        "graph": graph_dict(), "data": "", "batch": 4096, "sample": 4095, "tab": "losses",
        "graph_file": "a.bpviz.json", "modified": True}}))
    a = s.lesson.aside
    assert (a.graph_file, a.modified, a.tab, a.data, a.batch, a.sample) == (
        "a.bpviz.json", True, "losses", "", 4096, 4095)


@pytest.mark.parametrize("lesson, message", [
    ({"lesson": "x", "step": 10_001}, "field lesson.step: expected a whole number from 1 to "
                                      "10,000, got 10001"),
    ({"lesson": "x"}, "field lesson.step: missing"),
    ({"step": 1}, "field lesson.lesson: missing"),
    ({"lesson": "x", "step": 1, "aside": {}}, "field lesson.aside.graph: missing"),
    ({"lesson": "x", "step": 1, "aside": {"graph": GRAPH, "batch": 0}},
     "field lesson.aside.batch: expected a whole number from 1 to 4,096"),
    ({"lesson": "x", "step": 1, "aside": {"graph": GRAPH, "sample": 4096}},
     "field lesson.aside.sample: expected a whole number from 0 to 4,095"),
    ({"lesson": "x", "step": 1, "aside": {"graph": GRAPH, "data": "d" * 201}},
     "field lesson.aside.data: expected text"),
    ({"lesson": "x", "step": 1, "aside": {"graph": GRAPH, "modified": 0}},
     "field lesson.aside.modified: expected true or false"),
    ({"lesson": "x", "step": 1, "aside": {"graph": GRAPH, "graph_file": ""}},
     "field lesson.aside.graph_file: expected non-empty text"),
])
def test_each_bad_lesson_field_is_named(lesson, message):
    assert refused(minimal(lesson=lesson)).startswith(message)


def test_a_graph_message_is_clipped_to_leave_room_for_the_file_name():
    spec = minimal()
    spec["graph"]["nodes"][1]["k" * 5000] = 1
    message = refused(spec)
    assert message.startswith("field graph: node") and message.endswith("…")
    assert len(message) == 220 + len("field graph: ")


@pytest.mark.parametrize("typed, saved", [
    ("class", "class.bpviz-session.json"),
    ("class.json", "class.bpviz-session.json"),
    ("class.bpviz-session.json", "class.bpviz-session.json"),
    ("week 3.v2", "week 3.v2.bpviz-session.json"),
])
def test_a_session_saved_under_any_typed_name_opens_back(tmp_path, typed, saved):
    assert session_path(tmp_path / typed) == tmp_path / saved
    session = Session(load_graph(example_path("spirals_mlp")), data=DataChoice("moons", 4))
    path = save_session(session, tmp_path / typed)
    assert path == tmp_path / saved and [p.name for p in tmp_path.iterdir()] == [saved]
    again = load_session(path)
    assert (again.data, again.tab, again.steps, again.lesson) == (
        DataChoice("moons", 4), "backprop", 0, None)
    assert path.read_text().endswith("}\n")


def test_a_saved_file_is_readable_json_with_every_field(tmp_path):
    place = LessonPlace("01_one_layer", 0, Aside(load_graph(example_path("branching"))))
    session = Session(load_graph(example_path("spirals_mlp")), lesson=place,
                      labs={"optimizers": {"configs": {"Adam": {"betas": (0.9, 0.99)}}}})
    path = save_session(session, tmp_path / "c")
    text = path.read_text()
    assert text.startswith('{\n "format": "bpviz.session",\n "version": 1,')
    spec = json.loads(text)
    assert spec["labs"]["optimizers"]["configs"]["Adam"]["betas"] == [0.9, 0.99]
    assert spec["lesson"]["aside"]["data"] == "" and spec["lesson"]["step"] == 1
    again = session_to_dict(load_session(path))
    assert {k: v for k, v in again.items() if k != "labs"} == {
        k: v for k, v in spec.items() if k != "labs"}


def test_a_file_that_cannot_be_read_is_named_as_a_session_file(tmp_path):
    path = tmp_path / "class.bpviz-session.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SessionError) as caught:
        load_session(path)
    assert str(caught.value) == ("'class.bpviz-session.json' is nested too deeply to be a "
                                 "session file")


def test_a_long_message_about_a_file_is_one_line_of_at_most_300(tmp_path):
    path = tmp_path / ("n" * 150 + ".bpviz-session.json")
    path.write_text(json.dumps(minimal(tab="t" * 500)))
    with pytest.raises(SessionError) as caught:
        load_session(path)
    message = str(caught.value)
    assert len(message) == 300 and message.endswith("…")
    assert message.startswith(f"'{path.name}': field tab")


def test_a_save_into_a_missing_folder_says_why(tmp_path):
    session = Session(load_graph(example_path("spirals_mlp")))
    with pytest.raises(SessionError) as caught:
        save_session(session, tmp_path / "gone" / "class")
    target = tmp_path / "gone" / "class.bpviz-session.json"
    assert str(caught.value) == f"cannot save '{target}': No such file or directory"


@pytest.mark.parametrize("where", ["graph_file", "data.file", "lesson.lesson",
                                   "lesson.aside.graph_file"])
def test_a_file_name_that_is_not_utf8_is_refused_by_name_before_saving(tmp_path, where):
    bad = "/home/me/caf\udce9.bpviz.json"
    graph = load_graph(example_path("spirals_mlp"))
    session = Session(graph, data=DataChoice(), lesson=LessonPlace("01_one_layer", 0,
                                                                   Aside(graph)))
    target = {"graph_file": session, "data.file": session.data,
              "lesson.lesson": session.lesson, "lesson.aside.graph_file": session.lesson.aside}
    setattr(target[where], where.rsplit(".", 1)[-1], bad)
    with pytest.raises(SessionError) as caught:
        save_session(session, tmp_path / "class")
    message = str(caught.value)
    assert f"({where}) is not UTF-8 text" in message and "caf\\xe9" in message
    assert list(tmp_path.iterdir()) == []


def test_a_half_built_graph_opens_as_in_the_editor_with_its_problem_kept():
    half = graph_dict()
    half["nodes"][1]["op"] = "NotAnOpYet"
    s = session_from_dict(minimal(graph=half, lesson={"lesson": "x", "step": 1,
                                                      "aside": {"graph": half}}))
    for graph in (s.graph, s.lesson.aside.graph):
        assert graph.to_dict()["nodes"][1]["op"] == "NotAnOpYet"
        assert graph.analyze().problems


def test_of_two_missing_fields_the_first_by_name_is_named():
    assert refused({"format": "bpviz.session", "version": 1}) == (
        "field session.data: missing")


def test_a_save_that_fails_without_a_system_reason_still_says_why(tmp_path, monkeypatch):
    import bpviz.core.network.fileformat as fileformat

    def gone(fd, *args, **kwargs):
        raise OSError("the USB stick was pulled out")
    monkeypatch.setattr(fileformat.os, "fsync", gone)
    with pytest.raises(SessionError) as caught:
        save_session(Session(load_graph(example_path("spirals_mlp"))), tmp_path / "c")
    assert str(caught.value).endswith(".bpviz-session.json': the USB stick was pulled out")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fields, message", [
    ({"modified": "yes"}, "field modified: expected true or false, got 'yes'"),
    ({"tab": "Backprop"}, "field tab: expected one of 'backprop', 'losses', 'optimizers', "
                          "'training', got 'Backprop'"),
    ({"data": {}}, "field data.source: missing"),
    ({"data": {"source": "csv", "file": 3}}, "field data.file: expected non-empty text, got 3"),
    ({"labs": {"losses": {"pages": 1}}}, "field labs.losses.pages: unknown field (fields: "
                                         "controls, page)"),
    ({"labs": {"optimizers": {"controls": 1}}},
     "field labs.optimizers.controls: expected an object of {control name: value}, got 1"),
    ({"labs": {"optimizers": {"ticked": "Adam"}}},
     "field labs.optimizers.ticked: expected a list of optimizer names, got 'Adam'"),
])
def test_each_message_names_the_field_and_quotes_what_the_file_holds(fields, message):
    assert refused(minimal(**fields)) == message
