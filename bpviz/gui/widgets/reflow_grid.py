"""ReflowGrid: plots in as many columns as their readable width allows — four across a
desk's window, two across a projector's large type — re-laid out when the width or the
font changes."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QGridLayout, QWidget

CELL_EMS = 16          # a plot narrower than this many text heights crowds its axis numbers
ROW_EMS = 12           # nor shorter than this: rows past the window's height scroll instead


class ReflowGrid(QWidget):
    def __init__(self, widgets, most_columns: int = 4, parent=None):
        super().__init__(parent)
        self.widgets = list(widgets)
        self.most_columns = most_columns
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.columns = 0
        self._reflow(most_columns)

    def columns_for(self, width: int) -> int:
        cell = CELL_EMS * QFontInfo(self.font()).pixelSize()
        return max(1, min(self.most_columns, width // max(cell, 1)))

    def _reflow(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        rows = -(-len(self.widgets) // columns)
        self.setMinimumHeight(rows * ROW_EMS * QFontInfo(self.font()).pixelSize())
        for widget in self.widgets:
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.widgets):
            self.grid.addWidget(widget, i // columns, i % columns)
        for c in range(self.most_columns):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._reflow(self.columns_for(event.size().width()))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reflow(self.columns_for(self.width()))
