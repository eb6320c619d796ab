"""OptimizerForm: pick one of the lecture's optimizers and edit its hyperparameters (the
fields of the bpviz.core.optimization.optim dataclass, with torch's names)."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QWidget

from ...core.optimization.optim import PRESETS, build  # noqa: F401 - the lab's names

UPDATE_FORMULAS = {
    "GD": r"W \leftarrow W - \gamma\,\frac{\partial L}{\partial W}",
    "SGD": r"W \leftarrow W - \gamma\,\frac{\partial L}{\partial W}",
    "Momentum": r"v \leftarrow \gamma v + \eta\,\nabla_W L,\quad W \leftarrow W - v",
    "Nesterov": r"v \leftarrow \mu v + g,\quad W \leftarrow W - \eta\,(g + \mu v)",
    "Adagrad": r"G \leftarrow G + g^2,\quad W \leftarrow W - \frac{\eta}{\sqrt{G} + \epsilon}\,g",
    "RMSprop": (r"s \leftarrow \alpha s + (1-\alpha) g^2,\quad "
                r"W \leftarrow W - \frac{\eta}{\sqrt{s} + \epsilon}\,g"),
    "Adam": r"W \leftarrow W - \frac{\eta}{\sqrt{\hat v_t} + \epsilon}\,\hat m_t",
}


class OptimizerForm(QWidget):
    """A combo of presets and one field per hyperparameter."""

    kind_changed = Signal(str)
    edited = Signal()                  # a hyperparameter was typed or ticked

    def __init__(self, kinds=tuple(PRESETS), default: str = "Adam", parent=None):
        super().__init__(parent)
        self.kind = QComboBox()
        self.kind.addItems(list(kinds))
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Optimizer", self.kind)
        self.fields: dict[str, QCheckBox | QLineEdit] = {}
        self.kind.currentTextChanged.connect(self._kind_changed)
        self.kind.setCurrentText(default)
        self._kind_changed(self.kind.currentText())

    def _kind_changed(self, kind: str) -> None:
        self.set_values(kind, PRESETS[kind][1])
        self.kind_changed.emit(kind)

    def set_values(self, kind: str, values: dict) -> None:
        """Show ``kind`` with ``values`` (the preset's defaults fill the rest)."""
        if self.kind.currentText() != kind:
            self.kind.blockSignals(True)
            self.kind.setCurrentText(kind)
            self.kind.blockSignals(False)
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.fields = {}
        cls, preset = PRESETS[kind]
        for f in dataclasses.fields(cls):
            value = values.get(f.name, preset.get(f.name, f.default))
            w: QCheckBox | QLineEdit
            if isinstance(value, bool):
                w = QCheckBox()
                w.setChecked(value)
                w.toggled.connect(lambda _: self.edited.emit())
            else:
                w = QLineEdit(", ".join(map(str, value)) if isinstance(value, tuple) else str(value))
                w.textChanged.connect(lambda _: self.edited.emit())
            w.setObjectName(f"hyper_{f.name}")
            w.setAccessibleName(f.name)
            self.form.addRow(f.name, w)
            self.fields[f.name] = w
        # a field made now would come last in the window's Tab order: after the kind box
        previous: QWidget = self.kind
        for w in self.fields.values():
            QWidget.setTabOrder(previous, w)
            previous = w

    def values(self) -> dict:
        """The hyperparameters as typed; ValueError naming a field that is not a number."""
        values: dict[str, bool | float | tuple[float, ...]] = {}
        for name, w in self.fields.items():
            if isinstance(w, QCheckBox):
                values[name] = w.isChecked()
                continue
            try:
                parts = [float(p) for p in w.text().replace(",", " ").split()]
            except ValueError:
                raise ValueError(f"{name}: '{w.text()}' is not a number") from None
            if not parts:
                raise ValueError(f"{name}: give a value")
            values[name] = tuple(parts) if len(parts) > 1 else parts[0]
        return values

    def optimizer(self):
        return build(self.kind.currentText(), self.values())
