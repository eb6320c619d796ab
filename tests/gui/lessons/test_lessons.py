"""Lessons in the window: every step of every shipped lesson runs, questions are answered
and kept, the user's own graph comes back, and bad lessons are named."""
import json

import pytest
from PySide6.QtCore import Qt

from bpviz.core.teaching.lessons import lessons_in
from bpviz.paths import example_path, lessons_dir

LESSONS, PROBLEMS = lessons_in(lessons_dir())


def test_every_shipped_lesson_validates():
    assert PROBLEMS == []
    assert len(LESSONS) >= 2


def walk(qtbot, window, lesson):
    """Every step, answering each question right; yields (index, step) once it is shown."""
    lessons = window.lessons
    assert lessons.open(str(lesson.path), ask=False) == ""
    for index, step in enumerate(lesson.steps):
        assert lessons.index == index
        assert lessons.panel.error.text() == "", (lesson.name, index)
        if step.question is not None:
            lessons.answer(int(step.question.answer) if step.question.choices
                           else step.question.answer)
            assert lessons.panel.error.text() == "", (lesson.name, index)
        yield index, step
        lessons.next()
    assert lessons.active and lessons.finishing         # a stray Page Down at the end ...
    lessons.next()
    assert not lessons.active                          # ... and Finish leaves the lesson


def expect(window, actions) -> None:
    """The state the step's actions left (the last of each kind counts) is the state shown."""
    last = {}
    for action in actions:
        (name, value), = action.items()
        last["focus" if name == "unfocus" else name] = (name, value)
    if "step_to" in last:
        event, target = window.classroom.current, last["step_to"][1]
        assert (event.node, event.phase) == (target["node"], target["phase"])
    if "focus" in last:
        assert window.focus.is_open == (last["focus"][0] == "focus")
    if "example" in last:
        name = json.loads(example_path(last["example"][1]).read_text())["name"]
        assert window.document.graph.name == name
    if "sample" in last:
        assert window.classroom.data.sample == last["sample"][1]
        assert window.data.sample.value() == last["sample"][1]     # and the box shows it


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_every_step_of_every_lesson_runs_and_shows_what_it_asked_for(qtbot, window, lesson):
    for _index, step in walk(qtbot, window, lesson):
        expect(window, step.actions + step.reveal)


def test_a_focused_number_is_the_engines(qtbot, window):
    lesson = next(lesson for lesson in LESSONS if lesson.name == "01_one_layer")
    for _index, step in walk(qtbot, window, lesson):
        if step.title == "Softmax":
            event = window.classroom.current
            shown = window.inspector.heatmaps["output"].matrix
            assert shown.sum() == pytest.approx(1.0)
            assert shown.ravel() == pytest.approx(event.output[event.sample].ravel())


def test_leaving_gives_back_the_users_graph_data_and_tab(qtbot, window):
    window.document.open_example(example_path("spirals_mlp"))
    window.editor.add_op("ReLU", window.view.mapToScene(10, 10))
    mine, nodes = window.document.graph, set(window.document.graph.nodes)
    window.show_tab("losses")
    assert window.lessons.open("01_one_layer", 2, ask=False) == ""
    assert window.document.graph is not mine and window.lessons.dock.isVisible()
    window.lessons.leave()
    assert window.document.graph is mine and set(mine.nodes) == nodes
    assert window.document.modified                        # still unsaved, still asked about
    assert window.tabs.currentIndex() == 1 and not window.lessons.dock.isVisible()


def test_opening_a_file_during_a_lesson_asks_about_the_users_graph(qtbot, window):
    window.editor.add_op("ReLU", window.view.mapToScene(10, 10))
    window.lessons.open("01_one_layer", ask=False)
    window.files.open_example(example_path("sigmoid_chain"))
    assert window.asked_unsaved == [True]                  # about the user's graph, not the
    assert not window.lessons.active                       # lesson's, which is left first


def test_page_down_and_up_move_through_the_lesson(qtbot, window):
    window.lessons.open("02_chain_rule", ask=False)
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    assert window.lessons.index == 1
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    assert window.lessons.index == 0


def test_next_before_answering_reveals_the_answer_then_moves_on(qtbot, window):
    lesson = next(lesson for lesson in LESSONS if lesson.name == "02_chain_rule")
    asked = next(i for i, step in enumerate(lesson.steps) if step.question)
    window.lessons.open("02_chain_rule", asked, ask=False)
    window.lessons.next()
    assert window.lessons.index == asked and "The answer" in window.lessons.panel.feedback.text()
    assert window.lessons.answers("02_chain_rule") == {}    # a skip is not an answer
    window.lessons.next()
    assert window.lessons.index == asked + 1


def test_answers_are_counted_and_kept(qtbot, window):
    lesson = next(lesson for lesson in LESSONS if lesson.name == "02_chain_rule")
    asked = [i for i, step in enumerate(lesson.steps) if step.question]
    window.lessons.open("02_chain_rule", asked[0], ask=False)
    window.lessons.answer("12345")                           # wrong
    assert "Not quite" in window.lessons.panel.feedback.text()
    # the score shows from the next step: a line that appears at an answer moves the column
    assert window.lessons.panel.score.isHidden()
    window.lessons.go(asked[1])
    assert window.lessons.panel.score.text() == "score 0 of 1 right"
    assert not window.lessons.panel.score.isHidden()
    window.lessons.answer(int(lesson.steps[asked[1]].question.answer))
    assert window.lessons.answers("02_chain_rule") == {str(asked[0]): False,
                                                        str(asked[1]): True}
    assert window.lessons.panel.score.text() == "score 1 of 2 right"


def test_a_malformed_lesson_is_one_message_naming_file_step_and_field(qtbot, window, tmp_path):
    bad = json.loads((lessons_dir() / "01_one_layer.lesson.json").read_text())
    bad["steps"][1]["do"][0]["step_to"]["phase"] = "sideways"
    path = tmp_path / "mine.lesson.json"
    path.write_text(json.dumps(bad))
    graph = window.document.graph
    message = window.lessons.open(str(path), ask=False)
    assert message.startswith("mine.lesson.json, step 2 ('The input x'), field "
                              "do[0].step_to.phase: expected one of")
    assert window.document.graph is graph and not window.lessons.active


def test_a_step_the_app_cannot_do_is_named_and_the_lesson_stays(qtbot, window, tmp_path):
    spec = json.loads((lessons_dir() / "01_one_layer.lesson.json").read_text())
    spec["steps"][1]["do"] = [{"step_to": {"node": "nowhere", "phase": "forward"}}]
    path = tmp_path / "mine.lesson.json"
    path.write_text(json.dumps(spec))
    message = window.lessons.open(str(path), 1, ask=False)
    assert message == ("mine.lesson.json, step 2 ('The input x'), field do[0].step_to: the "
                       "graph has no node 'nowhere'")
    assert window.lessons.active and window.lessons.panel.error.text() == message


def test_reload_reads_the_edited_file_and_stays_on_the_step(qtbot, window, tmp_path):
    spec = json.loads((lessons_dir() / "01_one_layer.lesson.json").read_text())
    path = tmp_path / "mine.lesson.json"
    path.write_text(json.dumps(spec))
    window.lessons.open(str(path), 1, ask=False)
    spec["steps"][1]["title"] = "Edited"
    path.write_text(json.dumps(spec))
    window.lessons.reload()
    assert window.lessons.index == 1 and "Edited" in window.lessons.panel.position.text()


def test_a_lesson_on_a_projector_keeps_the_window_inside_1280x720(qtbot, window):
    """Every tab built (the Training tab alone needs 777 px in presentation mode) and the
    lesson strip open: the pages scroll, the window does not outgrow the projector."""
    from bpviz.gui.widgets.lazy import LazyPanel
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(1280, 720)
    for tab in ("optimizers", "losses", "training", "backprop"):
        window.show_tab(tab)
        for panel in window.findChildren(LazyPanel):
            if panel.isVisible():
                _ = panel.panel
        qtbot.wait(10)
    window.lessons.open("01_one_layer", 2, ask=False)
    qtbot.wait(20)
    assert window.minimumSizeHint().height() <= 720
    assert window.size().toTuple() == (1280, 720)


def test_the_answer_replaces_the_choices_and_an_enlarged_view_leaves_the_strip(qtbot,
                                                                               window):
    lesson = next(lesson for lesson in LESSONS if lesson.name == "02_chain_rule")
    asked = next(i for i, step in enumerate(lesson.steps)
                 if step.question and step.question.choices and any(
                     "focus" in a for a in step.reveal))
    window.resize(1280, 720)
    window.lessons.open("02_chain_rule", asked, ask=False)
    panel = window.lessons.panel
    qtbot.wait(10)                                       # new buttons show on layout
    assert panel.check.isVisible() and panel.choices.buttons()[0].isVisible()
    window.lessons.answer(int(lesson.steps[asked].question.answer))
    assert panel.feedback.isVisible() and not panel.check.isVisible()
    assert not any(button.isVisible() for button in panel.choices.buttons())
    assert window.focus.is_open                          # the reveal enlarged a view ...
    strip = window.lessons.dock.mapTo(window, window.lessons.dock.rect().topLeft()).y()
    assert window.focus.view.geometry().bottom() < strip  # ... above the lesson strip


def test_the_lesson_strip_takes_the_problems_place_and_gives_it_back(qtbot, window):
    problems = window.docks["problems"]
    assert problems.isVisible()
    window.lessons.open("01_one_layer", ask=False)
    assert window.lessons.dock.isVisible() and not problems.isVisible()
    window.lessons.leave()
    assert problems.isVisible() and not window.lessons.dock.isVisible()


def test_an_enlarged_view_follows_the_strip_when_the_layout_moves_it(qtbot, window):
    window.resize(1280, 720)
    window.lessons.open("02_chain_rule", ask=False)
    window.stepper.step()
    window.stepper.step()
    assert window.focus.open(next(iter(window.inspector.heatmaps.values())))
    dock = window.lessons.dock
    window.resizeDocks([dock], [dock.height() + 80], Qt.Orientation.Vertical)    # the strip grows
    qtbot.wait(20)
    strip = dock.mapTo(window, dock.rect().topLeft()).y()
    assert window.focus.view.geometry().bottom() < strip


def test_page_up_after_the_last_step_cancels_leaving(qtbot, window):
    window.lessons.open("01_one_layer", 5, ask=False)
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    assert window.lessons.active and window.lessons.panel.next.text() == "Leave the lesson"
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    assert window.lessons.index == 5 and not window.lessons.finishing
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    assert not window.lessons.active
