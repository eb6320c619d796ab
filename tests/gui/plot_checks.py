"""What a reader at the back sees of a plot, measured: the rectangles of its axis labels as
pyqtgraph lays them out (to find labels drawn over each other or cut off), its curves'
pen widths, and its height on screen."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter


def tick_labels(axis: pg.AxisItem) -> list[tuple[QRectF, str]]:
    """(rectangle in the axis's coordinates, text) of every tick label the axis draws."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(QRectF(rect), text) for rect, _, text in specs[2]]


def overlapping(labels: list[tuple[QRectF, str]]) -> list[tuple[str, str]]:
    """Pairs of labels whose rectangles overlap (by more than a pixel's rounding)."""
    out = []
    for i, (a, ta) in enumerate(labels):
        for b, tb in labels[i + 1:]:
            common = a.intersected(b)
            if common.width() > 1 and common.height() > 1:
                out.append((ta, tb))
    return out


def cut_off(axis: pg.AxisItem, labels: list[tuple[QRectF, str]]) -> list[str]:
    """Labels that reach outside the axis's own box (drawn there, they are clipped or run
    into the plot beside it)."""
    box = axis.boundingRect().adjusted(-1, -1, 1, 1)
    return [text for rect, text in labels if not box.contains(rect)]


def axis_problems(plot: pg.PlotWidget, sides=("left", "bottom")) -> list:
    """Every label drawn over another or cut off, on the given axes of ``plot``."""
    found = []
    for side in sides:
        axis = plot.getAxis(side)
        if not axis.isVisible():
            continue
        labels = tick_labels(axis)
        found += [(side, "overlap", pair) for pair in overlapping(labels)]
        found += [(side, "cut off", text) for text in cut_off(axis, labels)]
    return found


def curve_widths(plot: pg.PlotWidget) -> dict:
    """{name or index: pen width in px} of every drawn line in the plot but a heat map's
    contour lines (thin and translucent on purpose: the colours behind them are the data)."""
    widths = {}
    contours = getattr(plot, "contours", [])
    for k, item in enumerate(plot.getPlotItem().listDataItems()):
        if any(item is c for c in contours):
            continue
        pen = item.opts.get("pen")
        if pen is None or item.getData()[0] is None or not len(item.getData()[0]):
            continue
        pen = pg.mkPen(pen)
        if pen.style().name == "NoPen":
            continue
        widths[item.name() or k] = pen.widthF()
    return widths
