"""SurfacePlot: a surface z(x, y) as a heat map with contours (contourpy) and a colour bar.
Given a way to compute the surface anywhere, the heat map follows the view: after a pan,
zoom or resize (debounced) it is computed again over the visible range, so the colours fill
the axes whatever their aspect. The colours come from a core Shading fixed per surface.
It has no legend of its own: drawn on the heat map, a legend hid part of it (the
Optimizers tab names its series in a SeriesLegend above the plots)."""
from __future__ import annotations

import contourpy
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ...core.labs.surface import Shading
from ..widgets.plot_style import titled

CMAP = pg.colormap.get("viridis")
REFILL_MS = 120                 # a drag or a resize settles before the surface is recomputed


def contour_lines(xs, ys, z, levels):
    """{level: (x, y) with NaN between pieces}, from contourpy."""
    gen = contourpy.contour_generator(xs, ys, z, line_type=contourpy.LineType.Separate)
    out = {}
    for level in levels:
        pieces = gen.lines(level)
        if not pieces:
            continue
        # Separate lines: each piece an (n, 2) array (contourpy's stubs type every line kind)
        joined = np.concatenate([np.vstack([np.asarray(p, dtype=float), [[np.nan, np.nan]]])
                                 for p in pieces])
        out[level] = (joined[:, 0], joined[:, 1])
    return out


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
        self.data: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None    # xs, ys, z
        self.shading: Shading | None = None           # set by show_surface, kept by refill
        self.fill = None                 # (xmin, xmax, ymin, ymax) -> (xs, ys, z), or None
        self.refill_timer = QTimer(self, singleShot=True, interval=REFILL_MS)
        self.refill_timer.timeout.connect(self.refill)
        self.getPlotItem().vb.sigRangeChanged.connect(self._range_changed)
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_surface(self, xs, ys, z, log: bool = False, title: str | None = None,
                     fill=None) -> None:
        """Show z over its grid and fit the view to it; with ``fill`` the heat map is
        computed again over whatever range the view shows later."""
        self.fill = fill
        self.shading = shading = Shading.of(z, log)
        self.bar.setLevels((shading.low, shading.high))
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
        shading = self.shading
        assert shading is not None, "drawn after show_surface chose the shading"
        self.data = (np.asarray(xs), np.asarray(ys), np.asarray(z))
        shown = shading.apply(self.data[2])
        self.image.setImage(shown.T, autoLevels=False)
        self.image.setRect(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
        for item in self.contours:
            self.removeItem(item)
        self.contours = []
        for cx, cy in contour_lines(xs, ys, shown, shading.levels).values():
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

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.clicked.emit(point.x(), point.y())
