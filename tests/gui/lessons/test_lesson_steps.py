"""Moving through a lesson as a lecturer does: Page Down through the questions, Page Up back
to a step, which comes back as it was left (the stepped node, its numbers, the enlarged
view), with its answer shown instead of asked again and the score as first answered."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from bpviz.core.teaching.lessons import load_lesson
from bpviz.paths import lessons_dir

LESSON_2 = load_lesson(lessons_dir() / "02_chain_rule.lesson.json")


def page(qtbot, window, key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(window.view, key)


def shown(window) -> tuple:
    """What the class sees of the Classroom and the enlarged view."""
    event = window.classroom.current
    origin = window.focus.origin if window.focus.is_open else None
    return (window.lessons.index, event.node, event.phase,
            origin.objectName() if origin is not None else None)


def test_page_up_gives_back_the_step_its_numbers_and_its_enlarged_view(qtbot, window):
    window.resize(1280, 720)
    window.lessons.open("02_chain_rule", ask=False)
    page(qtbot, window, Qt.Key.Key_PageDown, 3)        # step 3: the question, then its reveal
    step_3 = shown(window)
    assert step_3 == (2, "log", "backward", "heatmap_grad_input")
    grad = window.inspector.heatmaps["grad_input"].matrix.copy()
    assert np.abs(grad).max() > 0                  # dL/dσ = −t/σ/N: never all zeros
    page(qtbot, window, Qt.Key.Key_PageDown, 2)        # step 4 and its reveal
    assert shown(window) == (3, "softmax", "backward", "heatmap_jac_input")
    page(qtbot, window, Qt.Key.Key_PageDown)           # step 5: at fc, dL/dW's rows enlarged
    assert shown(window) == (4, "fc", "backward", "templates_dweight")
    page(qtbot, window, Qt.Key.Key_PageUp, 2)
    assert shown(window) == step_3
    assert window.focus.origin is window.inspector.heatmaps["grad_input"]
    np.testing.assert_array_equal(window.inspector.heatmaps["grad_input"].matrix, grad)
    assert "The answer" in window.lessons.panel.feedback.text()   # shown, not asked again
    assert not window.lessons.panel.check.isVisible()


def test_an_answer_given_again_on_the_way_back_keeps_the_first(qtbot, window):
    asked = next(i for i, step in enumerate(LESSON_2.steps) if step.question)
    right = int(LESSON_2.steps[asked].question.answer)
    window.lessons.open("02_chain_rule", asked, ask=False)
    window.lessons.answer(str(right + 1))                # wrong first
    window.lessons.next()                                # the answer, then on
    window.lessons.next()
    window.lessons.previous()
    assert "Not quite" in window.lessons.panel.feedback.text()    # the stored answer
    window.lessons.answer(str(right))                   # a second try on the way back
    assert window.lessons.answers("02_chain_rule")[str(asked)] is False


def test_going_back_after_an_optimizer_step_gives_back_the_weights(qtbot, window):
    last = len(LESSON_2.steps) - 1
    window.lessons.open("02_chain_rule", last - 1, ask=False)
    w = window.classroom.graph.param("fc", "weight").copy()
    page(qtbot, window, Qt.Key.Key_PageDown)                     # to the last step
    assert window.lessons.index == last
    page(qtbot, window, Qt.Key.Key_PageDown)                     # its reveal: one SGD step
    assert not np.array_equal(window.classroom.graph.param("fc", "weight"), w)
    page(qtbot, window, Qt.Key.Key_PageUp)
    np.testing.assert_array_equal(window.classroom.graph.param("fc", "weight"), w)
    assert (window.classroom.current.node, window.classroom.current.phase) == ("fc", "backward")


def test_a_lesson_step_builds_the_inspector_once(qtbot, window):
    """Lesson 3's steps, forward and back: one Inspector page (at most) per step shown."""
    built = []
    show = window.inspector.show_event
    window.inspector.show_event = lambda ev: (built.append(ev), show(ev))
    window.lessons.open("03_backprop_layers", ask=False)
    presses = 0
    while window.lessons.active and window.lessons.index < 8:
        built.clear()
        window.lessons.next()
        presses += 1
        assert len(built) <= 1, (window.lessons.index, [(e.node, e.phase) for e in built
                                                         if e is not None])
    assert presses > 8


def test_a_wrong_first_answer_gets_a_second_try_and_the_score_keeps_the_first(qtbot, window):
    asked = next(i for i, step in enumerate(LESSON_2.steps)
                 if step.question and step.question.choices)
    question = LESSON_2.steps[asked].question
    window.lessons.open("02_chain_rule", asked, ask=False)
    panel = window.lessons.panel
    wrong = next(i for i in range(len(question.choices)) if i != int(question.answer))
    panel.choices.button(wrong).setChecked(True)
    qtbot.mouseClick(panel.check, Qt.MouseButton.LeftButton)
    assert "try once more" in panel.feedback.text() and panel.check.isEnabled()
    assert window.lessons.index not in window.lessons.revealed
    panel.choices.button(int(question.answer)).setChecked(True)
    qtbot.mouseClick(panel.check, Qt.MouseButton.LeftButton)
    assert "Right" in panel.feedback.text() and not panel.check.isEnabled()
    assert window.lessons.answers("02_chain_rule") == {str(asked): False}


@pytest.mark.parametrize("typed", ["nan", "1e999", "9" * 400, "fast", "1e-5·10^5x"])
def test_text_that_is_no_number_uses_up_no_try(qtbot, window, typed):
    asked = next(i for i, step in enumerate(LESSON_2.steps)
                 if step.question and not step.question.choices)
    question = LESSON_2.steps[asked].question
    window.lessons.open("02_chain_rule", asked, ask=False)
    with qtbot.captureExceptions() as escaped:
        window.lessons.answer(typed)
    assert escaped == [] and "is not a number" in window.lessons.panel.feedback.text()
    assert window.lessons.answers("02_chain_rule") == {}
    window.lessons.answer(str(question.answer))
    assert window.lessons.answers("02_chain_rule") == {str(asked): True}



def test_the_next_step_comes_after_the_data_set_was_changed_by_hand(qtbot, window):
    """Another data set chosen in the data bar mid-lesson starts the stepping again: lesson
    1's step 3 then has nothing to follow on from, and is reached from the lesson's start
    (it failed with "the Inspector shows no view 'output'")."""
    from ..acting import choose
    window.resize(1280, 720)
    window.lessons.open("01_one_layer", 1, ask=False)
    lessons_data, box = window.classroom.data.source, window.data.source
    other = next(box.itemText(i) for i in range(box.count()) if box.itemText(i) not in (
        box.currentText(), "") and "…" not in box.itemText(i))     # not one asking for a file
    choose(box, other)
    assert window.classroom.data.source != lessons_data
    page(qtbot, window, Qt.Key.Key_PageDown)
    assert window.lessons.panel.error.text() == "" and window.lessons.index == 2
    assert window.focus.is_open and window.focus.origin.objectName() == "heatmap_output"
    assert window.classroom.data.source == lessons_data        # the lesson's data again


def test_a_reveal_comes_after_a_node_was_added_to_the_lessons_graph(qtbot, window):
    """A node added while a question is asked (unconnected: the graph cannot step) leaves
    the reveal's step_to nothing to step: the step is reached again from the lesson's start
    and revealed there (it failed with "node 'softmax1' (Softmax): input 'input' is not
    connected")."""
    window.lessons.open("01_one_layer", 3, ask=False)
    window.editor.select([])
    window.editor.add_op("Softmax")
    page(qtbot, window, Qt.Key.Key_PageDown)                       # the reveal
    assert window.lessons.panel.error.text() == "" and 3 in window.lessons.revealed
    assert window.classroom.current.node == "softmax"
    assert window.focus.is_open and window.focus.origin.objectName() == "classes_output"


def test_page_down_and_a_step_with_a_help_page_enlarged(qtbot, window):
    """F1's help page is enlarged from no widget: Page Down in a lesson (which notes the
    step's enlarged view) and a step of the stepper (the Inspector's enlarged view follows
    its page) go on without asking it for a name or a parent (AttributeError, TypeError)."""
    window.lessons.open("02_chain_rule", 2, ask=False)
    page(qtbot, window, Qt.Key.Key_PageDown)                   # the reveal
    with qtbot.captureExceptions() as escaped:
        assert window.screen_help.explain("inspector")
        page(qtbot, window, Qt.Key.Key_PageDown)               # step 4
        assert window.screen_help.explain("inspector")
        window.stepper.step()
    assert escaped == [] and window.lessons.index == 3
