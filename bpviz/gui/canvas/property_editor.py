"""PropertyEditor: the selected node's attributes, one widget per attribute kind.

Values are checked by building the op with them (the engine's own validation); a value the
op refuses is not applied, the message is shown, and the widget goes back to the model's
value. Accepted edits leave as ``attrs_edited`` requests for an undo command.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import Graph
from ...core.errors import OpError
from ...core.ops import REGISTRY, shape_label
from ..theme import error_color, show_as_error

# The spin boxes' range: no size, index or count of a graph that runs comes near it, and a
# larger number typed as text must be refused here, not overflow somewhere in Qt.
INT_LIMIT = 2**31 - 1


def _whole(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not {what}") from None
    if abs(value) > INT_LIMIT:
        raise ValueError(f"{text} is out of range (at most {INT_LIMIT:,} either way)")
    return value


def _ints(text: str) -> list[int]:
    parts = [p for p in text.replace("×", ",").replace("x", ",").replace(" ", ",").split(",")
             if p]
    return [_whole(p, "a list of whole numbers") for p in parts]


def parse_attr_text(attr, text: str):
    """The JSON value for ``text`` typed into the field of ``attr``; ValueError if unreadable."""
    text = text.strip()
    if text == "" and attr.optional:
        return None
    if attr.kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
    if attr.kind == "int":
        return _whole(text, "a whole number")
    values = _ints(text)
    if attr.kind == "pair":
        if len(values) == 1:
            return values[0]
        if len(values) == 2:
            return values
        raise ValueError("give one number, or two separated by a comma")
    if attr.kind == "dims":
        return values[0] if len(values) == 1 else values
    return values                                    # shape


def attr_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field_text(attr, value) -> str:
    return attr_text(None if value is attr.default and attr.required else value)


def _spin_value(spin: QSpinBox, value) -> int:
    """``value`` for the spin box; one it cannot hold (a hand-edited file) shows as its
    nearest end, and the node keeps its problem until the user types a value."""
    if not isinstance(value, int) or isinstance(value, bool):
        return 0
    return min(max(value, spin.minimum()), spin.maximum())


class PropertyEditor(QWidget):
    # node id, the node's new attributes (a Python dict: as a QVariantMap, a big int would
    # overflow inside Qt)
    attrs_edited = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graph: Graph | None = None
        self.nid: str | None = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.doc = QLabel(wordWrap=True)
        self.status = QLabel(wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel(wordWrap=True)
        show_as_error(self.message)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        for w in (self.title, self.doc, self.status, self.form_host, self.message):
            layout.addWidget(w)
        layout.addStretch(1)
        self.widgets: dict[str, QWidget] = {}
        self._op: str | None = None             # the op whose form is built
        self.show_node(None, None)

    def show_node(self, graph: Graph | None, nid: str | None) -> None:
        """Show node ``nid`` of ``graph`` (None: nothing selected).

        The node already shown is updated in place: this runs inside the signal of the
        widget whose edit changed it, and deleting a widget inside its own signal crashes."""
        node = graph.nodes.get(nid) if graph is not None and nid is not None else None
        same_form = (graph is self.graph and nid == self.nid and self.widgets
                     and node is not None and node.op == self._op)
        self.graph, self.nid = graph, nid
        self.message.clear()
        if same_form and node is not None:
            self._fill(node)
            self.refresh_status()
            return
        self._clear_form()
        if node is None:
            self.title.setText("<b>No node selected</b>")
            self.doc.setText("Select a node on the canvas to edit its attributes.")
            self.status.clear()
            return
        cls = REGISTRY.get(node.op)
        self._op = node.op
        self.title.setText(f"<b>{nid}</b> &nbsp;·&nbsp; {node.op}")
        self.doc.setText(cls.doc if cls else "This op does not exist in bpviz.")
        self.refresh_status()
        if cls is None:
            return
        for attr in cls.attrs:
            widget = self._widget_for(attr, node.attrs.get(attr.name, attr.default))
            widget.setToolTip(attr.doc or f"{attr.name} ({attr.kind})")
            widget.setObjectName(f"attr_{attr.name}")
            self.form.addRow(attr.name, widget)
            self.widgets[attr.name] = widget

    def _clear_form(self) -> None:
        """Take the rows out and delete their widgets later, silenced: one of them may be
        the sender of the signal that led here."""
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.blockSignals(True)
                    widget.setObjectName("")       # findChild must not find it
                    widget.hide()
                    widget.deleteLater()
        self.widgets = {}
        self._op = None

    def _fill(self, node) -> None:
        """Put the node's values into the widgets without committing them again."""
        cls = REGISTRY[node.op]
        for attr in cls.attrs:
            widget = self.widgets[attr.name]
            value = node.attrs.get(attr.name, attr.default)
            blocker = QSignalBlocker(widget)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QSpinBox):
                widget.setValue(_spin_value(widget, value))
            elif isinstance(widget, QLineEdit):
                widget.setText(_field_text(attr, value))
            blocker.unblock()

    def refresh_status(self) -> None:
        """Output shape and problem of the shown node (they change with any edit)."""
        if self.graph is None or self.nid not in self.graph.nodes:
            return
        analysis = self.graph.analyze()
        problems = [p.problem for p in analysis.problems if p.node == self.nid]
        lines = [f"output: <b>{shape_label(analysis.shapes.get(self.nid))}</b>"]
        if self.nid in analysis.shapes:
            for p in self.graph.param_names(self.nid):
                lines.append(f"{p}: {shape_label(self.graph.param_shape(self.nid, p))}")
        lines += [f"<span style='color:{error_color()}'>⚠ {escape(p)}</span>" for p in problems]
        self.status.setText("<br>".join(lines))

    def _widget_for(self, attr, value) -> QWidget:
        name = attr.name
        if attr.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda checked, n=name: self._commit(n, checked))
            return box
        if attr.kind == "choice":
            combo = QComboBox()
            for choice in attr.choices:
                combo.addItem(str(choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.activated.connect(lambda i, n=name, w=combo: self._commit(n, w.itemData(i)))
            return combo
        if attr.kind == "int" and not attr.optional:
            spin = QSpinBox()
            spin.setRange(int(attr.low) if attr.low is not None else -2**31 + 1,
                          int(attr.high) if attr.high is not None else 2**31 - 1)
            spin.setValue(_spin_value(spin, value))
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, n=name: self._commit(n, v))
            return spin
        field = QLineEdit(_field_text(attr, value))
        field.setPlaceholderText("none" if attr.optional else attr.kind)
        field.editingFinished.connect(lambda n=name, w=field, a=attr: self._commit_text(a, w))
        return field

    def _commit_text(self, attr, widget: QLineEdit) -> None:
        try:
            value = parse_attr_text(attr, widget.text())
        except ValueError as err:
            self._refuse(f"{attr.name}: {err}")
            return
        self._commit(attr.name, value)

    def _commit(self, name: str, value) -> None:
        assert self.graph is not None and self.nid is not None, "only a node's form commits"
        node = self.graph.nodes[self.nid]
        attrs = dict(node.attrs)
        if attrs.get(name, object()) == value and name in attrs:
            return
        attrs[name] = value
        cls = REGISTRY[node.op]
        spec = next(a for a in cls.attrs if a.name == name)
        if not spec.required and value == spec.default and type(value) is type(spec.default):
            attrs.pop(name)                     # defaults stay implicit in the file
        if attrs == node.attrs:
            return
        try:
            cls(**attrs)
        except OpError as err:
            self._refuse(str(err))
            return
        self.message.clear()
        self.attrs_edited.emit(self.nid, attrs)

    def _refuse(self, message: str) -> None:
        """Say why, and put the widgets back to the model's values."""
        nid = self.nid
        self.show_node(self.graph, nid)
        self.message.setText(f"Not applied — {message}")
