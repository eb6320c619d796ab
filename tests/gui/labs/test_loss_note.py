"""The loss pages' note can be hidden by its check box (issue 20: a lesson hides it while
it asks what the note states) and comes back hidden with a saved state."""
import pytest
from PySide6.QtCore import QPoint, Qt

from bpviz.gui.labs.loss_lab import LossLab


@pytest.fixture
def lab(qtbot):
    lab = LossLab(lambda: (_ for _ in ()).throw(ValueError("no graph")))
    qtbot.addWidget(lab)
    lab.resize(1000, 500)
    lab.show()
    qtbot.waitExposed(lab)
    return lab


@pytest.mark.parametrize("page", ["classification", "regression"])
def test_a_click_hides_the_note_keeps_the_numbers_and_a_session_keeps_it(qtbot, lab, page):
    panel = getattr(lab, page)
    lab.setCurrentWidget(panel)
    qtbot.wait(10)
    box = panel.show_note
    assert box.isVisible() and panel.note.isVisible() and panel.note.text()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked() and not panel.note.isVisible() and panel.readout.isVisible()
    state = lab.state()
    assert state["controls"][f"{page}_note"] is False
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert panel.note.isVisible()
    lab.set_state(state)                       # a session saved with the note hidden
    assert not panel.note.isVisible() and not box.isChecked()
