"""Lesson steps of lessons 1-3 as a class sees them at 1280x720 in presentation mode
(issue 20's screenshot review): the lesson's text whole, the answer card's text whole."""
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo

from bpviz.gui.lessons.controller import find_lesson
from bpviz.gui.widgets.class_vector import ClassVector
from bpviz.gui.widgets.formula import Formula
from bpviz.gui.widgets.image_grid import ImageGrid

from ..canvas.test_canvas_projector import open_on_projector
from ..readability import cut_lesson_text


@pytest.mark.parametrize("lesson, step, reveal", [("01_one_layer", 1, False),
                                                  ("03_backprop_layers", 9, False),
                                                  ("03_backprop_layers", 6, True)])
def test_the_lesson_text_is_drawn_to_its_last_line(qtbot, window, lesson, step, reveal):
    open_on_projector(qtbot, window, lesson, step)
    if reveal:
        window.lessons.next()                  # Page Down: the reveal
    qtbot.wait(30)
    panel = window.lessons.panel
    assert cut_lesson_text(panel) == []
    text = panel.text
    assert text.height() >= text.heightForWidth(text.width())


def test_page_up_from_the_gradient_flow_step_closes_its_dock(qtbot, window):
    """Lesson 3 step 10 opens Gradient Flow; Page Up gives step 9's window back."""
    open_on_projector(qtbot, window, "03_backprop_layers", 9)
    lessons = window.lessons
    lessons.next()
    qtbot.wait(10)
    assert window.gradient_flow_dock.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.wait(10)
    assert lessons.index == 8
    assert not window.gradient_flow_dock.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)         # and forward again: it opens
    qtbot.wait(10)
    assert lessons.index == 9 and window.gradient_flow_dock.isVisible()


# the hues of the standard and colour-blind-safe maps (widgets/colormap.py MAPS); a plot's
# own marks (Update & Train's green loss marks) do not change with them
HUES = re.compile(r"\b(red|reds|blue|violet|purple|orange)\b", re.IGNORECASE)


@pytest.mark.parametrize("name", ["01_one_layer", "02_chain_rule", "03_backprop_layers"])
def test_lesson_texts_name_no_colour_that_the_colour_maps_change(name):
    """View ▸ Colour-Blind-Safe Maps redraws heat maps and edges in other hues (3.9 said
    "red at the loss, fading towards violet"): a step describes them by the legend's ends,
    by sign or by width, true under every map."""
    lesson = find_lesson(name)
    said = [(i + 1, hue) for i, step in enumerate(lesson.steps)
            for hue in HUES.findall(" ".join([step.text, step.question.explain
                                              if step.question else ""]))]
    assert said == []


def enlarged(window):
    """The per-class list that the enlarged view shows enlarged."""
    assert window.focus.is_open
    return window.focus.view.findChild(ClassVector)


def test_the_softmax_reveal_shows_the_ten_probabilities_as_numbers(qtbot, window):
    """1.4: the class reads that the ten add up to 1 (a 1x10 heat map drew no numbers)."""
    open_on_projector(qtbot, window, "01_one_layer", 4)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)            # the reveal
    qtbot.wait(20)
    listed = enlarged(window)
    assert listed is not None and listed.isVisible() and listed.values.size == 10
    assert listed.values.sum() == pytest.approx(1.0)
    texts = [listed.text_of(k) for k in range(10)]
    assert all(text.split()[-1].startswith("0.") for text in texts)
    assert QFontInfo(listed.font()).pixelSize() >= 16
    assert listed.height() >= listed.height_for(listed.width())     # all ten lines shown


def test_the_target_is_shown_as_its_one_hot_vector_with_the_class_named(qtbot, window):
    """1.5: not a lone "0" but t, one line per class, 1 at the named true class."""
    open_on_projector(qtbot, window, "01_one_layer", 5)
    qtbot.wait(20)
    listed = enlarged(window)
    assert listed is not None and listed.isVisible()
    assert list(listed.values) == [1.0] + [0.0] * 9
    assert listed.true_class == 0 and listed.names[0] == "tabby cat"
    assert "one-hot" in listed.title


def inspector_formulas(window) -> list:
    return [f for f in window.inspector.findChildren(Formula) if f.isVisible() and f.latex]


def test_the_dl_dw_step_shows_dl_dw_and_the_inspectors_formulas_whole(qtbot, window):
    """2.5 talks about ∂L/∂W: its rows are enlarged as images; the Inspector's Linear
    gradient formulas stand one below the other at the text's size, nothing scrolled out
    sideways (a button 1 px too wide scrolled the column and cut the formula)."""
    open_on_projector(qtbot, window, "02_chain_rule", 5)
    qtbot.wait(20)
    grid = window.focus.view.findChild(ImageGrid)
    assert window.focus.is_open and grid is not None and grid.title == ""   # the bar's only
    assert "∂L/∂W" in window.focus.view.title.text()
    assert not window.inspector.horizontalScrollBar().isVisible()
    formulas = inspector_formulas(window)
    assert [f.latex.split("=")[0].strip() for f in formulas][1:] == [
        r"\frac{\partial L}{\partial W}", r"\frac{\partial L}{\partial \mathbf{x}}"]
    assert min(f.text_px() for f in formulas) >= 16


@pytest.mark.parametrize("step", [5, 6])
def test_the_convolution_formulas_are_drawn_at_16_px(qtbot, window, step):
    """3.5-3.6 after the reveal: conv's gradient formulas (588 px side by side in a 345 px
    column, drawn at 14 px) one below the other."""
    open_on_projector(qtbot, window, "03_backprop_layers", step)
    window.lessons.next()
    qtbot.wait(20)
    assert len(inspector_formulas(window)) == 3
    assert min(f.text_px() for f in inspector_formulas(window)) >= 16
