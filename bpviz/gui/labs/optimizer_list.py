"""OptimizerList: the optimizers to race, ticked to race and selected to edit, each beside a
swatch of its series colour, in two columns that show every row without scrolling (one
column showed 3 of the 7 at 1280x720 in presentation mode, the rest behind a scroll bar)."""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from .optimizer_cards import swatch_icon

COLUMNS = 2


class OptimizerList(QListWidget):
    """One checkable item per name, laid out row by row in COLUMNS columns."""

    def __init__(self, colours: dict[str, str], parent=None):
        super().__init__(parent)
        for name, colour in colours.items():
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setIcon(swatch_icon(colour))       # GD's colour fails as text on dark
            self.addItem(item)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)     # every row is shown
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def rows(self) -> int:
        return math.ceil(self.count() / COLUMNS)

    def row_height(self) -> int:
        return max(self.sizeHintForRow(0), self.fontMetrics().height())

    def sizeHint(self) -> QSize:
        frame = 2 * self.frameWidth()
        width = COLUMNS * max(self.sizeHintForColumn(0), 1) + frame
        return QSize(width, self.rows() * self.row_height() + frame)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.sizeHint().width(), self.sizeHint().height())

    def _fit_grid(self) -> None:
        """Cells of a column's width (less a pixel: two cells exactly as wide as the view
        do not wrap in pairs), as high as a row at this font."""
        width = self.width() - 2 * self.frameWidth()
        self.setGridSize(QSize(width // COLUMNS - 1, self.row_height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_grid()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:       # presentation mode: taller rows
            self.updateGeometry()
            self._fit_grid()
