"""A panel's named controls read and set as a user would: a lesson's ``set`` action and a
session file name a control by its Qt objectName, so a panel needs no code of its own to be
saved and restored — naming its controls is enough."""
from __future__ import annotations

from PySide6.QtGui import QStandardItemModel, QValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QWidget,
)

# the controls that hold a number: value(), minimum(), maximum(), setValue()
NUMBERS = (QAbstractSlider, QSpinBox, QDoubleSpinBox)


def read_value(control):
    """A check box's bool, a combo box's text, a slider's or spin box's number; None for
    anything that is not such a control."""
    if isinstance(control, QAbstractButton):
        return control.isChecked() if control.isCheckable() else None
    if isinstance(control, QComboBox):
        return control.currentText()
    if isinstance(control, NUMBERS):
        return control.value()
    return None


def set_value(control, value) -> None:
    """Set a slider, spin box, combo box or check box as a user would (its signals fire), or
    show a tab widget's page by its title; ValueError naming the control if ``value`` does
    not fit it."""
    name = control.objectName()
    if isinstance(control, QAbstractButton) and control.isCheckable():
        control.setChecked(bool(value))
    elif isinstance(control, QComboBox):
        index = control.findText(str(value))
        if index < 0:
            raise ValueError(f"{name!r} has no choice {value!r}")
        model = control.model()
        item = model.item(index) if isinstance(model, QStandardItemModel) else None
        if item is not None and not item.isEnabled():     # e.g. 3-D without OpenGL
            raise ValueError(f"{name!r}: {value!r} is not available here")
        control.setCurrentIndex(index)
        control.activated.emit(index)
    elif isinstance(control, NUMBERS):
        low, high = control.minimum(), control.maximum()
        if isinstance(value, (bool, str)) or not low <= value <= high:
            raise ValueError(f"{name!r} takes {low} to {high}, not {value!r}")
        if isinstance(control, QDoubleSpinBox):
            control.setValue(float(value))
        else:
            control.setValue(int(value))        # as QSpinBox.setValue(2.7) would: 2
    elif isinstance(control, QLineEdit) and not control.isReadOnly():
        set_text(control, value)
    elif isinstance(control, QTabWidget):        # a lesson shows a page by its title
        titles = [control.tabText(i) for i in range(control.count())]
        if value not in titles:
            raise ValueError(f"{name!r} has no page {value!r} (pages: {', '.join(titles)})")
        control.setCurrentIndex(titles.index(value))
    else:
        raise ValueError(f"{name!r} is not a control that can be set")


def set_text(edit, value) -> None:
    """Type ``value`` into a line edit (a learning rate) and press Enter; ValueError when
    its validator would refuse what a user typed."""
    text = str(value).lower() if isinstance(value, bool) else (
        f"{value:g}" if isinstance(value, float) else str(value))
    validator = edit.validator()
    if validator is not None and validator.validate(text, 0)[0] != QValidator.State.Acceptable:
        raise ValueError(f"{edit.objectName()!r} does not take {value!r}")
    edit.setText(text)
    edit.editingFinished.emit()


def named_controls(root: QWidget, skip=()) -> dict:
    """{objectName: control} under ``root`` in the order they were laid out, leaving out
    the controls inside the widgets of ``skip``. Two controls of one name are a fault of
    bpviz (a session could not tell them apart): ValueError."""
    found = {}
    for w in root.findChildren(QWidget):
        name = w.objectName()
        if not name or name.startswith("qt_") or read_value(w) is None:
            continue
        if any(s is w or s.isAncestorOf(w) for s in skip):
            continue
        if name in found:
            raise ValueError(f"two controls are named {name!r}")
        found[name] = w
    return found


def read_controls(root: QWidget, skip=()) -> dict:
    """{objectName: value} of the named controls under ``root``."""
    return {name: read_value(w) for name, w in named_controls(root, skip).items()}


def write_controls(root: QWidget, values: dict, skip=()) -> None:
    """Set the named controls in the order given (one may change another: a surface's
    model sets its resolution); ValueError for a name that is not there."""
    controls = named_controls(root, skip)
    for name, value in values.items():
        if name not in controls:
            raise ValueError(f"no control named {name!r} (controls: "
                             f"{', '.join(controls) or 'none'})")
        set_value(controls[name], value)
