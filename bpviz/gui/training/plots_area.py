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
        for _ in range(2):   # a new width may change the columns (ReflowGrid), so the rows
            # said outright: left AsNeeded, a bar shown for a taller grid stayed at range 0
            self.setVerticalScrollBarPolicy(
                Qt.ScrollBarPolicy.ScrollBarAsNeeded if grid.minimumHeight() > self.height()
                else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            grid.resize(self.viewport().width(),
                        max(self.viewport().height(), grid.minimumHeight()))
            # place the cells in their new columns now, not at some later resize
            grid.layout().activate()
        # the range too: the grid grown by its new minimum inside its own resize was not seen
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, grid.height() - self.viewport().height()))
        bar.setPageStep(self.viewport().height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_grid()

    def showEvent(self, event):
        super().showEvent(event)
        self.fit_grid()
