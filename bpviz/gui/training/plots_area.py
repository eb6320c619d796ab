"""PlotsArea: the run's plots, scrolling where their rows need more height than the column
has (on a projector: two plots a row, five rows, each row at least ReflowGrid's 12 text
heights). Sized by hand: a resizable QScrollArea sized the grid by its height-for-width,
which the plots' wrapped legends made several times the window's height. The grid's cells:
a plot with its legend under it (``with_legend``), in rows of one height (``even_rows``)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ..widgets.reflow_grid import ReflowGrid


def with_legend(plot: QWidget, text: str) -> QWidget:
    """A plot with its legend on a line below: a legend box inside a plot always hid some
    curve."""
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(plot, 1)
    label = QLabel(text, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
    column.addWidget(label)
    return cell


def even_rows(grid: ReflowGrid) -> ReflowGrid:
    """Rows of one height: a cell with sentences under its plot took other rows' height."""
    for cell in grid.widgets:
        cell.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
    for row in range(len(grid.widgets)):
        grid.grid.setRowStretch(row, 1)
    return grid


class PlotsArea(QScrollArea):
    def __init__(self, grid: QWidget, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid = grid                  # the plots' ReflowGrid, sized here by hand
        self.setWidget(grid)

    def fit_grid(self) -> None:
        """The grid as wide as the view, as tall as the view or its rows' minimum."""
        grid = self.grid
        for _ in range(2):   # a new width may change the columns (ReflowGrid), so the rows
            # said outright: left AsNeeded, a bar shown for a taller grid stayed at range 0
            self.setVerticalScrollBarPolicy(
                Qt.ScrollBarPolicy.ScrollBarAsNeeded if grid.minimumHeight() > self.height()
                else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            grid.resize(self.viewport().width(),
                        max(self.viewport().height(), grid.minimumHeight()))
            # place the cells in their new columns now, not at some later resize
            layout = grid.layout()
            if layout is not None:
                layout.activate()
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
