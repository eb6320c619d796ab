"""Inspector sections that enlarge as a whole: the heading of a section ("Local Jacobian
∂softmax/∂fc", "Upstream gradient", ...) remembers what was laid out under it, and its
focus copy is all of that enlarged — labels in larger type, heat maps, Jacobians, formulas
and images as the enlarged view enlarges each of them, side by side where they were side by
side (the chain-rule product dL/dout · J = product)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..widgets.enlarged_view import copy_of, title_of

LARGER = 1.5           # type of a section's labels in the enlarged view


class SectionTitle(QLabel):
    """A section's heading; double-click (or F) enlarges the whole section."""

    def __init__(self, text: str, parent=None):
        super().__init__(f"<b>{text}</b>", parent, wordWrap=True)
        self.setContentsMargins(0, 8, 0, 0)       # (a style sheet cost ~0.1 ms a heading)
        self.title = text
        self.members: list = []            # widgets and layouts under it, in order

    def focus_copy(self):
        page = QWidget()
        page.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        column = QVBoxLayout(page)
        for member in self.members:
            if isinstance(member, QWidget):
                copy = titled(member, enlarged(member))
                if copy is not None:
                    column.addWidget(copy, 0 if isinstance(copy, QLabel) else 1)
            else:
                row = QHBoxLayout()
                for k in range(member.count()):
                    widget = member.itemAt(k).widget()
                    copy = titled(widget, enlarged(widget)) if widget is not None else None
                    if copy is not None:
                        row.addWidget(copy, 1)
                column.addLayout(row, 1)
        return page


def larger(label: QLabel) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * LARGER)
    label.setFont(font)
    return label


def titled(widget, copy):
    """``copy`` under ``widget``'s title in larger type (a heat map's "input (y)"): the
    enlarged matrices of a section carry no title of their own, and a class could not
    tell y from t."""
    title = "" if isinstance(widget, QLabel) else title_of(widget)
    if copy is None or not title:
        return copy
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(larger(QLabel(title)))
    column.addWidget(copy, 1)
    return box


def enlarged(widget):
    """The enlarged view's copy of one member: a label in larger type, any other widget as
    the enlarged view enlarges it (None: nothing to show)."""
    if isinstance(widget, QLabel):
        if not widget.text():
            return None
        return larger(QLabel(widget.text(), wordWrap=True))
    return copy_of(widget)


class SectionLayout(QVBoxLayout):
    """The Inspector's page: what is added after a SectionTitle belongs to that section."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.current: SectionTitle | None = None

    def addWidget(self, widget, *args, **kwargs):
        if isinstance(widget, SectionTitle):
            self.current = widget
        elif self.current is not None:
            self.current.members.append(widget)
        super().addWidget(widget, *args, **kwargs)

    def addLayout(self, layout, *args, **kwargs):
        if self.current is not None:
            self.current.members.append(layout)
        super().addLayout(layout, *args, **kwargs)

    def end_section(self) -> None:
        """What follows (the gradient check) belongs to no section."""
        self.current = None
