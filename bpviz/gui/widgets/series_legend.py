"""Legends that tell series apart without their colours: a sample of each series' dash
and marker beside a swatch of its colour (paint_sample), in pyqtgraph's legend
(SeriesSample) or in rows of their own above the plots (SeriesLegend), which never cover
what the plots show."""
from __future__ import annotations

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QLineF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QGridLayout, QHBoxLayout, QLabel, QWidget

from .plot_style import CURVE_PX, MARK_PX, curve_pen

EDGE = "#808080"                        # a swatch's edge, 3:1 or more on both themes


def paint_swatch(painter: QPainter, rect: QRect, colour: str) -> None:
    painter.setPen(QColor(EDGE))
    painter.setBrush(QColor(colour))
    painter.drawRect(rect.adjusted(0, 0, -1, -1))


def paint_sample(painter: QPainter, rect: QRectF, colour, pen: QPen, symbol: str | None) -> None:
    """A legend's sample in ``rect``: a swatch of the series colour with a grey edge (3:1
    on both themes), then the series' dash in the text colour (GD's near-black line would
    vanish on dark) with its marker in the series colour on it."""
    side = min(16.0, rect.height() - 4)
    top = rect.center().y() - side / 2
    paint_swatch(painter, QRect(round(rect.left() + 2), round(top), round(side), round(side)),
                 QColor(colour).name())
    text = QApplication.palette().text().color()
    sample = pg.mkPen(text, width=CURVE_PX)
    sample.setCapStyle(Qt.PenCapStyle.FlatCap)
    if pen.style() == Qt.PenStyle.CustomDashLine:
        sample.setDashPattern(pen.dashPattern())
    start, y = rect.left() + side + 8, rect.center().y()
    painter.setPen(sample)
    painter.drawLine(QLineF(start, y, rect.right() - 2, y))
    if symbol:
        painter.translate((start + rect.right()) / 2, y)
        drawSymbol(painter, symbol, MARK_PX, pg.mkPen(text, width=1), pg.mkBrush(colour))
        painter.translate(-(start + rect.right()) / 2, -y)


class SeriesSample(pg.ItemSample):
    """A pyqtgraph legend entry's sample drawn by paint_sample, from the item's pen and its
    ``series_symbol``."""

    WIDTH = 48

    def __init__(self, item):
        super().__init__(item)
        self.setFixedWidth(self.WIDTH)         # the legend lays its text out after this

    def boundingRect(self):
        return QRectF(0, 0, self.WIDTH, 20)

    def paint(self, painter: QPainter, *args) -> None:
        pen = pg.mkPen(self.item.opts["pen"])
        paint_sample(painter, QRectF(0, 0, self.WIDTH, 20), pen.color(), pen,
                     getattr(self.item, "series_symbol", None))

    def mouseClickEvent(self, event) -> None:
        event.ignore()          # pyqtgraph would hide the series, with no way to tell


class SampleIcon(QWidget):
    """paint_sample as a widget, as high as the text beside it."""

    def __init__(self, colour, pen: QPen, symbol: str | None, parent=None):
        super().__init__(parent)
        self.colour, self.pen, self.symbol = colour, pen, symbol

    def sizeHint(self) -> QSize:
        height = max(self.fontMetrics().height(), 20)
        return QSize(round(height * 2.6), height)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_sample(painter, QRectF(self.rect()), self.colour, self.pen, self.symbol)


class SeriesLegend(QWidget):
    """A legend in rows of its own above plots, never over them: a sample and the name in
    the text colour for each series, as many to a row as the width takes.
    ``show_series([(name, colour, style)])``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(0)
        self.entries: dict[str, tuple[SampleIcon, QLabel]] = {}
        self.boxes: list[QWidget] = []
        self.columns = 0

    def show_series(self, series: list) -> None:
        for box in self.boxes:
            box.hide()
            box.deleteLater()
        self.entries, self.boxes = {}, []
        for name, colour, style in series:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            icon = SampleIcon(colour, curve_pen(colour, style), style.symbol)
            icon.setFixedSize(icon.sizeHint())
            label = QLabel(name)
            row.addWidget(icon)
            row.addWidget(label)
            self.entries[name] = (icon, label)
            self.boxes.append(box)
        self.setAccessibleName("Legend: " + ", ".join(name for name, _, _ in series))
        self.columns = 0
        self.arrange()
        self.updateGeometry()            # the rows' height now, not at the next layout pass

    def arrange(self) -> None:
        """As many entries to a row as fit the width (all in one where it is not known)."""
        widest = max((b.sizeHint().width() for b in self.boxes), default=1)
        space = self.grid.horizontalSpacing()
        columns = max(1, (self.width() + space) // (widest + space)) if self.width() > 1 \
            else len(self.boxes)
        columns = min(columns, max(len(self.boxes), 1))
        if columns == self.columns:
            return
        self.columns = columns
        for box in self.boxes:
            self.grid.removeWidget(box)
        for k, box in enumerate(self.boxes):
            self.grid.addWidget(box, k // columns, k % columns,
                                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            box.show()

    def minimumSizeHint(self) -> QSize:
        widest = max((b.sizeHint().width() for b in self.boxes), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange()
