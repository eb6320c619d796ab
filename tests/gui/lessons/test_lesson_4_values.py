"""Lesson 4 steps 4-6 on the projector (issue 20): each value a step's text quotes is on
screen in type a class can read (16 px at least) — w and b where y = w·x + b is computed,
t and y before the question is asked, the asked ∂L/∂y once revealed — and the enlarged
matrices carry their names."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from bpviz.gui.widgets.matrix_viewport import MatrixViewport

from ..acting import type_into
from ..canvas.test_canvas_projector import open_on_projector

BACK_ROW_PX = 16


def on_screen(widget: QWidget, window) -> bool:
    """Drawn now (not a scroll away, not covered), outside the lesson strip that quotes."""
    strip = window.lessons.dock
    return (widget.isVisible() and not widget.visibleRegion().isEmpty()
            and not strip.isAncestorOf(widget))


def laid_out() -> None:
    """Every layout pass and resize that is waiting has run (the enlarged view fits its
    matrices to the size its layout gives them), whatever the machine's speed."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def matrices(window) -> list[list[str]]:
    """The numbers each matrix on screen writes, where they are at least BACK_ROW_PX."""
    laid_out()
    found = []
    for view in window.findChildren(MatrixViewport):
        shown = view.numbers() if on_screen(view, window) else None
        if shown is None:
            continue
        texts = shown[1]
        if QFontInfo(view.number_font(texts)).pixelSize() >= BACK_ROW_PX:
            found.append([t.replace("−", "-") for t in texts])
    return found


def names(window) -> set[str]:
    """The labels on screen at BACK_ROW_PX or more."""
    laid_out()
    return {label.text() for label in window.findChildren(QLabel)
            if on_screen(label, window) and label.text()
            and QFontInfo(label.font()).pixelSize() >= BACK_ROW_PX}


def unnamed(window, *parts: str) -> list[str]:
    """The parts no label on screen holds: an enlarged view is titled by whose values it
    shows ("hinge (HingeLoss): its target, from t · sample 2")."""
    shown = names(window)
    return [part for part in parts if not any(part in name for name in shown)]


def page_down(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.wait(20)


def answer(qtbot, window, text: str) -> None:
    """Typed into the lesson's box and Enter: the reveal."""
    panel = window.lessons.panel
    type_into(qtbot, panel.number, text)
    qtbot.keyClick(panel.number, Qt.Key.Key_Return)
    qtbot.wait(20)
    assert "Right" in panel.feedback.text()


def test_step_4_shows_w_and_b_where_y_is_computed(qtbot, window):
    """"w = (1, 0) and b = 0, so y = x₁": fc's forward step, its parameters beside x and y."""
    open_on_projector(qtbot, window, "04_classification_losses", 4)
    assert window.classroom.current.node == "fc"
    shown = matrices(window)
    assert ["1", "0"] in shown and ["0"] in shown
    assert unnamed(window, "weight (fc)", "bias (fc)", "its input, from x", "its output") == []
    x = window.classroom.current.inputs["input"][2]
    assert shown.count([f"{x[0]:.3g}"]) == 1        # y = x₁: the output is x's first entry


@pytest.mark.parametrize("step, t, y, asked", [(5, "1", "0.754", "-1"),
                                               (6, "-1", "-1.47", "0")])
def test_steps_5_and_6_show_t_and_y_before_the_question_and_the_answer_after(
        qtbot, window, step, t, y, asked):
    """"Point 2 has t = +1 and y = 0.75" (step 5), "Point 0 has t = −1 and y = −1.47"
    (step 6): both named, both legible while the class thinks; then the revealed ∂L/∂y."""
    open_on_projector(qtbot, window, "04_classification_losses", step - 1)
    for _ in range(2):           # from the step before, as in class (step 5 reveals first)
        if window.lessons.index < step - 1:
            page_down(qtbot, window)
    assert window.lessons.index == step - 1
    shown = matrices(window)
    assert [t] in shown and [y] in shown, shown
    assert unnamed(window, "its input, from y", "its target, from t") == []
    assert [asked] not in shown or asked == t         # step 6: t = −1 is not the answer 0
    answer(qtbot, window, asked)
    assert window.classroom.current.phase == "backward"
    assert [asked] in matrices(window)


def test_page_up_from_step_5_gives_w_and_b_back_and_esc_closes_them(qtbot, window):
    """Back a step, as a lecturer does when asked "what was w again?"; Esc then closes the
    enlarged section and the canvas comes back."""
    open_on_projector(qtbot, window, "04_classification_losses", 5)
    assert ["1", "0"] not in matrices(window)          # step 5 shows y, t and the loss
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.wait(20)
    assert window.lessons.index == 3 and window.classroom.current.node == "fc"
    assert ["1", "0"] in matrices(window) and "bias (fc)" in names(window)
    qtbot.keyClick(window.focus.view, Qt.Key.Key_Escape)
    qtbot.wait(20)
    assert not window.focus.is_open and on_screen(window.view, window)
