"""How a test acts as a user on the app's controls: it picks an item of a combo box and types
into a field, and the control tells the model; what the model holds is read from the model."""
from PySide6.QtCore import Qt


def choose(combo, text: str) -> None:
    """Pick ``text`` in ``combo`` as a click in its list does (``activated`` is the user's
    choice; a program setting the current item does not emit it)."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not among {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot, field, text: str, delay: int = -1) -> None:
    """Select what ``field`` (a QLineEdit) holds and type ``text`` over it, key by key;
    ``delay`` ms before each key lets timers (training) run in between."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text, Qt.KeyboardModifier.NoModifier, delay)
