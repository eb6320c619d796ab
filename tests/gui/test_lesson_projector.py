"""Lesson steps of lessons 1-3 as a class sees them at 1280x720 in presentation mode
(issue 20's screenshot review): the lesson's text whole, the answer card's text whole."""
import pytest

from .readability import cut_lesson_text
from .test_canvas_projector import open_on_projector


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
