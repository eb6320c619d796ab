"""Save and restore round-trips the session: the graph (a copy, without its file), the data
choice, the stepper position, the tab, both labs and the lesson's step come back; a damaged
or unusable session file is one message naming the field, and the state before stays."""
import json

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from bpviz.core.teaching.session_file import load_session
from bpviz.gui.shell.session_menu import capture
from bpviz.paths import example_path
from tests.stderr_lines import own_lines

from ..acting import choose


def screen(window) -> dict:
    """What a student sees, as comparable values: the classroom's state, and the data and
    stepper bars showing it."""
    classroom, bar = window.classroom, window.data
    d, event = classroom.data, classroom.current
    labs = {name: json.loads(json.dumps(page.panel.state()))
            for name, page in (("losses", window.losses), ("optimizers", window.optimizers))
            if page.built}
    return {"graph": window.document.graph.to_dict(), "path": window.document.path,
            "modified": window.document.modified, "tab": window.tabs.currentIndex(),
            "data": (d.source, d.file, d.batch, d.sample, d.batch_seed, classroom.train_mode),
            "bars": (bar.source.currentText(), bar.batch.value(), bar.sample.value(),
                     window.stepper.train_mode.isChecked(), window.stepper.position.text()),
            "steps": classroom.steps_taken,
            "event": (event.node, event.phase) if event else None,
            "inspector": [label.text() for label in window.inspector.findChildren(QLabel)],
            "labs": labs,
            "lesson": (window.lessons.lesson.name, window.lessons.index)
            if window.lessons.active else None}


def prepare_a_class(window, tmp_path):
    """A graph from a file with an unsaved edit, other data, a reshuffled batch, train mode,
    12 steps, both labs changed, the Optimizers tab in front."""
    graph_file = tmp_path / "mine.bpviz.json"
    window.document.save(graph_file)
    window.document.open(graph_file)
    nid, node = next(iter(window.document.graph.nodes.items()))
    window.editor.move({nid: (tuple(node.ui["pos"]), (40.0, 80.0))})   # an unsaved edit
    data = window.data                     # as the user does it, in the data bar
    choose(data.source, "moons")
    data.batch.setValue(16)
    for _ in range(3):
        data.reshuffle.click()
    data.sample.setValue(5)
    window.stepper.train_mode.setChecked(True)
    for _ in range(12):
        window.stepper.step()
    window.losses.panel.set_state({"page": 1, "controls": {"slider_margin Δ": 20}})
    lab = window.optimizers.panel
    lab.surface_kind.setCurrentText("Beale")
    lab.set_start(1.0, 1.0)
    lab.show_step(25)
    window.show_tab("optimizers")


def change_everything(window):
    window.show_tab("backprop")
    window.document.open_example(example_path("branching"))
    window.data.batch.setValue(4)
    window.stepper.run_phase()
    window.losses.panel.set_state({"page": 3, "controls": {"slider_margin Δ": 5}})
    window.optimizers.panel.surface_kind.setCurrentText("saddle")
    window.show_tab("losses")


def test_save_then_open_brings_everything_back(qtbot, window, tmp_path):
    prepare_a_class(window, tmp_path)
    saved = screen(window)
    assert saved["steps"] == 12 and saved["event"] is not None and saved["tab"] == 2
    path = tmp_path / "class"
    assert window.files.sessions.save(path)
    assert (tmp_path / "class.bpviz-session.json").is_file()      # the suffix is added
    change_everything(window)
    assert screen(window) != saved
    assert window.files.sessions.open(tmp_path / "class.bpviz-session.json", ask=False) == ""
    restored = screen(window)
    for key in saved:
        if key != "path":
            assert restored[key] == saved[key], key
    # issue 25 item 6: the session's graph opens as a copy, with no file of its own (Save
    # asks where): a shared session's graph_file must not be what Ctrl+S overwrites
    assert saved["path"] == tmp_path / "mine.bpviz.json" and restored["path"] is None
    assert window.windowTitle().startswith(window.document.graph.name)
    assert "copy of mine.bpviz.json" in window.last_message


def test_the_stepper_position_is_replayed_with_its_values(qtbot, window, tmp_path):
    """The same batch (reshuffled twice), sample and step: the very numbers come back."""
    window.data.reshuffle.click()
    window.data.reshuffle.click()
    window.data.sample.setValue(3)
    for _ in range(len(window.document.graph.nodes) + 3):        # into the backward pass
        window.stepper.step()
    event = window.classroom.current
    assert event.phase == "backward" and event.dout is not None
    window.files.sessions.save(tmp_path / "s.bpviz-session.json")
    window.data.reshuffle.click()
    window.stepper.run_phase()
    window.files.sessions.open(tmp_path / "s.bpviz-session.json", ask=False)
    again = window.classroom.current
    assert (again.node, again.phase, again.index, again.sample) == (
        event.node, event.phase, event.index, 3)
    assert np.array_equal(again.output, event.output)
    assert np.array_equal(again.dout, event.dout)


def test_a_lesson_step_and_the_users_own_graph_come_back(qtbot, window, tmp_path):
    own = window.document.graph.name
    assert window.lessons.open("01_one_layer", 4, ask=False) == ""
    lesson_graph = window.document.graph.to_dict()
    saved = screen(window)
    window.files.sessions.save(tmp_path / "lesson.bpviz-session.json")
    window.lessons.leave()
    window.document.open_example(example_path("sigmoid_chain"))
    assert window.files.sessions.open(tmp_path / "lesson.bpviz-session.json", ask=False) == ""
    assert screen(window) == saved
    assert window.lessons.active and window.lessons.index == 4
    assert window.document.graph.to_dict() == lesson_graph
    window.lessons.next()                                  # the lesson goes on from there
    assert window.lessons.index == 5
    window.lessons.leave()
    assert window.document.graph.name == own              # the user's graph was kept aside


def write(tmp_path, spec, name="bad") -> str:
    path = tmp_path / f"{name}.bpviz-session.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return str(path)


def good_spec(window, tmp_path) -> dict:
    window.files.sessions.save(tmp_path / "good.bpviz-session.json")
    return json.loads((tmp_path / "good.bpviz-session.json").read_text())


@pytest.mark.parametrize("damage, words", [
    (lambda s: "{ not json", "is not valid JSON"),
    (lambda s: dict(s, format="bpviz.graph"), "not a bpviz session"),
    (lambda s: dict(s, data=dict(s["data"], batch=0)), "field data.batch"),
    (lambda s: dict(s, tab="Backprop"), "field tab"),
    (lambda s: dict(s, stepper={"steps": -1}), "field stepper.steps"),
])
def test_a_damaged_file_is_one_message_and_nothing_changes(qtbot, window, tmp_path, damage,
                                                            words):
    before = screen(window)
    spec = damage(good_spec(window, tmp_path))
    message = window.files.sessions.open(write(tmp_path, spec), ask=False)
    assert words in message and "bad.bpviz-session.json" in message
    assert screen(window) == before


@pytest.mark.parametrize("damage, words", [
    (lambda s: dict(s, lesson={"lesson": "no_such_lesson", "step": 1}),
     "field lesson.lesson: no lesson named 'no_such_lesson'"),
    (lambda s: dict(s, lesson={"lesson": "01_one_layer", "step": 99}), "field lesson.step"),
    (lambda s: dict(s, data=dict(s["data"], source="CSV file…", file="/no/such.csv")),
     "field data.file"),
    (lambda s: dict(s, data=dict(s["data"], source="mnist")), "field data.source"),
    (lambda s: dict(s, stepper={"steps": 10_000}), "field stepper.steps: stepping stopped"),
    (lambda s: dict(s, labs={"losses": {"controls": {"slider_gone": 1}}}),
     "field labs.losses: no control named 'slider_gone'"),
    (lambda s: dict(s, labs={"optimizers": {"ticked": ["Newton"]}}),
     "field labs.optimizers: no optimizer 'Newton'"),
])
def test_a_session_this_app_cannot_show_is_named_and_the_state_before_comes_back(
        qtbot, window, tmp_path, damage, words):
    for _ in range(4):
        window.stepper.step()
    window.losses.panel.set_state({"page": 2, "controls": {"slider_margin Δ": 20}})
    window.optimizers.panel.show_step(9)
    before = screen(window)
    spec = damage(good_spec(window, tmp_path))
    spec["data"]["batch"] = 4              # so that something changes before the fault
    message = window.files.sessions.open(write(tmp_path, spec), ask=False)
    assert words in message, message
    assert screen(window) == before


def test_open_session_asks_about_unsaved_changes_first(qtbot, window, tmp_path):
    path = tmp_path / "s.bpviz-session.json"
    window.files.sessions.save(path)
    window.document.undo_stack.resetClean()               # the graph now has unsaved changes
    assert window.files.sessions.open(path) == ""
    assert window.asked_unsaved == [True]
    assert not window.document.modified


def test_the_file_menu_has_both_session_actions(window):
    texts = [a.text().replace("&", "") for a in window.actions()]
    assert "Save Session…" in texts and "Open Session…" in texts


def test_capture_reads_the_window_the_file_holds_it(window, tmp_path):
    window.files.sessions.save(tmp_path / "c.bpviz-session.json")
    session = load_session(tmp_path / "c.bpviz-session.json")
    assert session.graph.to_dict() == capture(window).graph.to_dict()
    assert session.data.source == window.classroom.data.source


def test_a_session_from_the_command_line(qtbot, window, tmp_path):
    from tests.gui.test_command_line import png_size, run

    for _ in range(5):
        window.stepper.step()
    window.files.sessions.save(tmp_path / "class.bpviz-session.json")
    out = tmp_path / "class.png"
    result = run(["--session", "class.bpviz-session.json", "--presentation", "--screenshot",
                  str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == (1280, 720)


@pytest.mark.parametrize("args, message", [
    (["--session", "missing.bpviz-session.json"],
     "cannot open 'missing.bpviz-session.json': no such file"),
    (["--session", "s.bpviz-session.json", "--example", "branching"],
     "--session brings its own graph and lesson: not with FILE, --example or --lesson"),
])
def test_a_bad_session_on_the_command_line_is_one_line(tmp_path, args, message):
    from tests.gui.test_command_line import run

    result = run(args + ["--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(own_lines(result.stderr)) == 1


def test_a_csv_data_file_is_read_again_from_its_path(qtbot, window, tmp_path):
    rng = np.random.default_rng(1)
    rows = [f"{x:.4f},{y:.4f},{k}" for (x, y), k in zip(rng.normal(size=(30, 2)),
                                                         rng.integers(0, 3, 30), strict=True)]
    csv = tmp_path / "points.csv"
    csv.write_text("x,y,label\n" + "\n".join(rows) + "\n")
    assert window.data.load_csv(csv)
    assert window.data.source.currentText() == "CSV file…"       # the bar shows the file
    window.data.batch.setValue(10)
    window.stepper.run_phase()
    saved = screen(window)
    first = window.classroom.data.current_batch()[0].copy()
    window.files.sessions.save(tmp_path / "csv.bpviz-session.json")
    window.document.open_example(example_path("spirals_mlp"))        # built-in data again
    assert window.files.sessions.open(tmp_path / "csv.bpviz-session.json", ask=False) == ""
    assert screen(window) == saved
    assert np.array_equal(window.classroom.data.current_batch()[0], first)
    assert window.classroom.data.file == str(csv)


def test_a_lesson_file_whose_name_is_not_utf8_is_refused_by_name(qtbot, window, tmp_path):
    """Issue 25 item 13: Save Session succeeded, and the session it wrote did not open."""
    import os

    from bpviz.paths import lessons_dir
    folder = os.fsencode(tmp_path)
    name = os.path.join(folder, b"caf\xe9.lesson.json")        # Latin-1, as old zips keep it
    with open(name, "wb") as f:
        f.write((lessons_dir() / "01_one_layer.lesson.json").read_bytes())
    assert window.lessons.open(os.fsdecode(name), 1, ask=False) == ""
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    target = tmp_path / "class.bpviz-session.json"
    assert not window.files.sessions.save(target)
    assert not target.exists() and not list(tmp_path.glob(".*tmp"))
    title, text = shown[0]
    assert title == "Cannot save session" and "caf\\xe9.lesson.json" in text
    assert "not UTF-8" in text and "lesson.lesson" in text and len(text) <= 300


def test_a_fault_of_bpviz_while_a_session_opens_gives_the_users_graph_back(
        qtbot, window, tmp_path, monkeypatch):
    """A session that trips a bug (the fault trials found one in the Classroom) is one
    message, no exception reaches Qt, and what was shown before comes back."""
    from bpviz.gui.shell import session_menu as session_module
    window.files.sessions.save(tmp_path / "class.bpviz-session.json")
    window.editor.add_op("ReLU")
    before = screen(window)
    real = session_module.restore_classroom
    calls = []

    def faulty(classroom, session, readers=None):
        calls.append(1)
        if len(calls) == 1:
            raise TypeError("'int' object is not iterable")
        real(classroom, session, readers)
    monkeypatch.setattr(session_module, "restore_classroom", faulty)
    problem = window.files.sessions.open(tmp_path / "class.bpviz-session.json", ask=False)
    assert "bpviz failed to open 'class.bpviz-session.json' (TypeError" in problem
    assert screen(window) == before
