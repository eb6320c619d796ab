"""Scrolling: a column that scrolls inside a panel, so that the panel itself needs no more
height than the screen has (the Optimizers tab's controls at 1280x720 in presentation mode
were taller than the tab, and the whole tab scrolled, its plots below the fold)."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class Scrolling(QScrollArea):
    """A widget in a frameless scroll area that scrolls up and down only (both ways with
    ``horizontal``); without it, the area is as wide as the widget's minimum at any font."""

    def __init__(self, widget: QWidget, horizontal: bool = False):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.horizontal = horizontal
        if not horizontal:
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.horizontal:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        inner = self.widget()           # None only after takeWidget(), which bpviz never calls
        width = inner.minimumSizeHint().width() if inner is not None else 0
        return QSize(width + bar, hint.height())
