"""PlotsArea: the run's plots, scrolling where their rows need more height than the column
has (on a projector: two plots a row, five rows, each row at least ReflowGrid's 12 text
heights). Sized by hand: a resizable QScrollArea sized the grid by its height-for-width,
which the plots' wrapped legends made several times the window's height."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class PlotsArea(QScrollArea):
    def __init__(self, grid: QWidget, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(grid)

    def fit_grid(self) -> None:
        """The grid as wide as the view, as tall as the view or its rows' minimum."""
        grid = self.widget()
        grid.resize(self.viewport().width(),
                    max(self.viewport().height(), grid.minimumHeight()))

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_grid()

    def showEvent(self, event):
        super().showEvent(event)
        self.fit_grid()
