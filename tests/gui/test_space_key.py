"""Space as a keyboard user expects it (issue 21): on a focused button, check box or toggle
it presses that control (and types into a text field); elsewhere, the canvas included, it
steps the network. Step Forward keeps a key (F8) that works whatever has the focus."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QSpinBox, QToolButton

from .test_accessibility import settle, tab_to


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed where the keyboard focus is, as a user presses it."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_space_on_the_canvas_steps(window, qtbot):
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Space)
    assert window.stepper.position.text() == "forward 2/6"


def test_space_on_a_focused_button_presses_it_and_does_not_step(window, qtbot):
    back = window.findChild(QToolButton, "stepper_back")
    for _ in range(3):
        qtbot.mouseClick(window.findChild(QToolButton, "stepper_step"),
                         Qt.MouseButton.LeftButton)
    assert window.stepper.position.text() == "forward 3/6"
    tab_to(qtbot, window, back)
    press(qtbot, Qt.Key.Key_Space)                 # Back pressed: one step back, none forward
    assert window.stepper.position.text() == "forward 2/6"
    press(qtbot, Qt.Key.Key_F8)                    # F8 steps even here
    assert window.stepper.position.text() == "forward 3/6"
    press(qtbot, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)   # Step Back's key
    assert window.stepper.position.text() == "forward 2/6"


def test_space_on_a_focused_check_box_toggles_it(window, qtbot):
    window.show_training()
    settle(qtbot)
    boxes = [b for b in window.workspace.training.panel.findChildren(QCheckBox)
             if b.isVisible() and b.isEnabled()]
    assert boxes
    box = boxes[0]
    was = box.isChecked()
    tab_to(qtbot, window, box)
    press(qtbot, Qt.Key.Key_Space)
    assert box.isChecked() != was, box.objectName()
    assert "forward 1" not in window.stepper.position.text()


def test_space_in_a_number_field_does_not_step(window, qtbot):
    batch = window.findChild(QSpinBox, "data_batch")
    tab_to(qtbot, window, batch)
    value = batch.value()
    press(qtbot, Qt.Key.Key_Space)
    assert window.stepper.position.text() == "ready: press Space" and batch.value() == value
    window.view.setFocus(Qt.FocusReason.TabFocusReason)          # back on the canvas: steps
    press(qtbot, Qt.Key.Key_Space)
    assert window.stepper.position.text() == "forward 1/6"


def test_the_key_list_tells_what_space_does(window):
    text = window.keys_text()
    assert "Space or F8" in text
    assert "unless a button, check box, list or text field has the keyboard focus" in text
