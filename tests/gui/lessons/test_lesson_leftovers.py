"""Issue 20's leftovers, as a class sees them at 1280x720 in presentation mode: numbers from
10,000 up written with separators (lesson 8 step 7)."""
from PySide6.QtCore import Qt

from ..acting import type_into
from ..canvas.test_canvas_projector import open_on_projector
from ..readability import cut_lesson_text


def test_lesson_8s_answer_line_writes_10000_with_a_separator(qtbot, window):
    """8.7 asks for the steps per epoch; its answer line said "10000" beside an
    explanation writing "1,280,000 / 128 = 10,000"."""
    open_on_projector(qtbot, window, "08_alexnet_case_study", 7)
    panel = window.lessons.panel
    type_into(qtbot, panel.number, "9000")            # a wrong first answer
    qtbot.keyClick(panel.number, Qt.Key.Key_Return)
    type_into(qtbot, panel.number, "10000")           # the second try, typed plainly
    qtbot.keyClick(panel.number, Qt.Key.Key_Return)
    qtbot.wait(20)
    assert "Right" in panel.feedback.text() and "<b>10,000</b>" in panel.feedback.text()
    assert "10000" not in panel.feedback.text()
    assert cut_lesson_text(panel) == []
