"""CurveReadout: the value and slope of every loss curve at one point, as numbers under the
plot and a vertical line in it, so a lesson (or a student) can read "hinge = 0.5 at
t·y = 0.5" instead of estimating it from the curve. The numbers come from the same engine
ops as the curves (the panel's ``losses``), evaluated at that one point."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ..widgets.heatmap import fmt


class CurveReadout(QLabel):
    """``show_at(symbol, x, {name: (values, slopes)})`` with arrays of one element each."""

    def __init__(self, plot: pg.PlotWidget, name: str):
        super().__init__(wordWrap=True)
        self.setObjectName(f"{name}_readout")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.line = pg.InfiniteLine(angle=90, movable=False)
        plot.addItem(self.line, ignoreBounds=True)
        self.values: dict[str, tuple[float, float]] = {}

    def show_at(self, symbol: str, x: float, losses: dict) -> None:
        self.values = {name: (float(v[0]), float(s[0])) for name, (v, s) in losses.items()}
        self.line.setPos(x)
        self.line.setPen(pg.mkPen(self.palette().text().color(), width=3,
                                  style=Qt.PenStyle.DotLine))
        parts = [f"{name} <b>{fmt(v)}</b> (slope {fmt(s)})"
                 for name, (v, s) in self.values.items()]
        self.setText(f"At <b>{symbol} = {x:g}</b>:<br>" + "<br>".join(parts))   # a line each
