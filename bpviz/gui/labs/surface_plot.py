"""SurfacePlot: a surface z(x, y) as a heat map with contours (contourpy) and a colour bar.
Given a way to compute the surface anywhere, the heat map follows the view: after a pan,
zoom or resize (debounced) it is computed again over the visible range, so the colours fill
the axes whatever their aspect. The colours come from a core Shading fixed per surface.

Its legend stands on an opaque box in the theme's colours, with a swatch per series: drawn
on the heat map, white text met yellow at 1.1:1 and GD's near-black line vanished on dark."""
from __future__ import annotations

import contourpy
import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QEvent, QLineF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFontInfo, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ...core.labs.surface import Shading, quiet_corner
from ..theme import PROJECTOR_READABLE_PX, readable_px
from ..widgets.plot_style import CURVE_PX, titled
from .optimizer_cards import paint_swatch

CMAP = pg.colormap.get("viridis")
REFILL_MS = 120                 # a drag or a resize settles before the surface is recomputed
LEGEND_MARGIN = 10              # pixels between the legend and the plot's edge


def contour_lines(xs, ys, z, levels):
    """{level: (x, y) with NaN between pieces}, from contourpy."""
    gen = contourpy.contour_generator(xs, ys, z, line_type=contourpy.LineType.Separate)
    out = {}
    for level in levels:
        pieces = gen.lines(level)
        if not pieces:
            continue
        joined = np.concatenate([np.vstack([p, [[np.nan, np.nan]]]) for p in pieces])
        out[level] = (joined[:, 0], joined[:, 1])
    return out


class SeriesSample(pg.ItemSample):
    """A legend entry's sample: a square of the series colour with a grey edge (3:1 on both
    themes), the swatch the list and the cards show beside the same name, then the series'
    dash and marker in the text colour (told apart without colour, and GD's near-black
    line no longer vanishes on dark)."""

    WIDTH = 44

    def __init__(self, item):
        super().__init__(item)
        self.setFixedWidth(self.WIDTH)         # the legend lays its text out after this
    def boundingRect(self):
        return pg.QtCore.QRectF(0, 0, self.WIDTH, 20)

    def paint(self, painter: QPainter, *args) -> None:
        pen = self.item.opts["pen"]
        paint_swatch(painter, QRect(2, 2, 16, 16), pen.color().name())
        text = QApplication.palette().text().color()
        sample = pg.mkPen(text, width=CURVE_PX)
        sample.setCapStyle(Qt.PenCapStyle.FlatCap)
        if pen.style() == Qt.PenStyle.CustomDashLine:
            sample.setDashPattern(pen.dashPattern())
        painter.setPen(sample)
        painter.drawLine(QLineF(24, 10, self.WIDTH - 2, 10))
        symbol = getattr(self.item, "series_symbol", None)
        if symbol:
            painter.translate((24 + self.WIDTH) / 2, 10)
            drawSymbol(painter, symbol, 11, pg.mkPen(text, width=1), pg.mkBrush(pen.color()))

    def mouseClickEvent(self, event) -> None:
        event.ignore()          # pyqtgraph would hide the series, with no way to tell


class SurfacePlot(pg.PlotWidget):
    """z over a regular (xs, ys) grid: image, contour lines, colour bar; clicks reported."""

    clicked = Signal(float, float)

    def __init__(self, title: str = ""):
        super().__init__()
        self.heading = QLabel(title)        # above the plot (``titled()``): it wraps
        self.setBackground(self.palette().base().color())
        self.image = pg.ImageItem()
        self.addItem(self.image)
        self.bar = pg.ColorBarItem(colorMap=CMAP, interactive=False, width=12)
        self.bar.setImageItem(self.image, insert_in=self.getPlotItem())
        self.contours: list = []
        self.data = None
        self.shading = None
        self.fill = None                 # (xmin, xmax, ymin, ymax) -> (xs, ys, z), or None
        self.legend_avoids: list = []    # points (x, y) the legend keeps clear of
        self.refill_timer = QTimer(self, singleShot=True, interval=REFILL_MS)
        self.refill_timer.timeout.connect(self.refill)
        self.getPlotItem().vb.sigRangeChanged.connect(self._range_changed)
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_surface(self, xs, ys, z, log: bool = False, title: str | None = None,
                     fill=None) -> None:
        """Show z over its grid and fit the view to it; with ``fill`` the heat map is
        computed again over whatever range the view shows later."""
        self.fill = fill
        self.shading = Shading.of(z, log)
        self.bar.setLevels((self.shading.low, self.shading.high))
        self._draw(xs, ys, z)
        if title:
            self.setTitle(title + (" (colour: log scale)" if log else ""))
        self.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)
        if fill is not None:
            # over what the view shows, even when its range did not change (no signal then):
            # an aspect-locked view wider than the surface's box kept white bands beside it
            self.refill_timer.start()

    def setTitle(self, title: str | None = None, **args) -> None:
        """The title goes to the heading above the plot, which wraps."""
        self.heading.setText(title or "")

    def titled(self) -> QWidget:
        return titled(self)

    def _draw(self, xs, ys, z) -> None:
        self.data = (np.asarray(xs), np.asarray(ys), np.asarray(z))
        shown = self.shading.apply(self.data[2])
        self.image.setImage(shown.T, autoLevels=False)
        self.image.setRect(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
        for item in self.contours:
            self.removeItem(item)
        self.contours = []
        for cx, cy in contour_lines(xs, ys, shown, self.shading.levels).values():
            item = pg.PlotDataItem(cx, cy, connect="finite",
                                   pen=pg.mkPen((255, 255, 255, 150), width=1))
            self.addItem(item)
            self.contours.append(item)

    def _range_changed(self) -> None:
        if self.fill is not None:
            self.refill_timer.start()            # restarted by every change until it settles

    def refill(self) -> None:
        """Compute the surface again over the visible range (the same shading)."""
        if self.fill is None:
            return
        (x0, x1), (y0, y1) = self.getPlotItem().vb.viewRange()
        self._draw(*self.fill((x0, x1, y0, y1)))
        self.place_legend()                   # the corners now hold other parts of the race

    def _clicked(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        point = self.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.clicked.emit(point.x(), point.y())

    # --- legend --------------------------------------------------------------------------
    def add_legend(self) -> pg.LegendItem:
        """A legend on an opaque box in the theme's base colour; series added from now on
        (``plot(..., name=...)``) get an entry."""
        legend = self.addLegend(sampleType=SeriesSample)
        self.style_legend()
        return legend

    def place_legend(self, points=None) -> None:
        """Put the legend in the corner of the view where it hides the fewest ``points``
        (x, y), by default those given last (the view has changed since); from core's
        quiet_corner: (sx, sy), −1 left/bottom, +1 right/top."""
        if points is not None:
            self.legend_avoids = points
        legend, vb = self.getPlotItem().legend, self.getPlotItem().vb
        if legend is None:
            return
        (x0, x1), (y0, y1) = vb.viewRange()
        size = (legend.width() / max(vb.width(), 1), legend.height() / max(vb.height(), 1))
        corner = quiet_corner((x0, x1, y0, y1), self.legend_avoids, size)
        anchor = ((corner[0] + 1) / 2, (1 - corner[1]) / 2)
        offset = (-corner[0] * LEGEND_MARGIN, corner[1] * LEGEND_MARGIN)
        legend.anchor(itemPos=anchor, parentPos=anchor, offset=offset)

    def style_legend(self) -> None:
        """The legend's box, edge and text in the palette's colours, its text at the
        smallest size readable in this mode (the presentation font is larger still)."""
        item = self.getPlotItem()              # None while the base class is being built
        legend = None if item is None else item.legend
        if legend is None:
            return
        palette = self.palette()
        legend.setBrush(pg.mkBrush(palette.base().color()))
        legend.setPen(pg.mkPen(palette.text().color(), width=1))
        legend.setLabelTextColor(palette.text().color())
        font_px = QFontInfo(self.font()).pixelSize()
        smallest = readable_px(presentation=font_px >= PROJECTOR_READABLE_PX)
        legend.setLabelTextSize(f"{smallest}px")       # readable, and hiding the least
        legend.layout.setVerticalSpacing(-smallest // 3)          # rows as close as text

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.PaletteChange, QEvent.FontChange):
            self.style_legend()
