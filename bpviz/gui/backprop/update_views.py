"""The views of Update & Train that must read beside a lesson at 1280x720 (a dock about
890x270 px in presentation type): the step's heat maps with captions short enough for a
third of it, and the loss plot that also marks the stepped batch's loss at each applied
step, writing the newest one beside its mark (lesson 2 step 6 asks for it: 2.44 → 66.5)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from ...core.display.array_views import brief
from ..widgets.heatmap import HeatMap, fmt
from ..widgets.plot_style import STYLES, add_values_actions, curve_pen

TRAIN, HELD_OUT, STEPPED = "#2f6fb0", "#c2571a", "#2e8b57"
CLASS_COLOURS = np.array([[47, 111, 176], [194, 87, 26], [46, 139, 87], [123, 79, 176],
                          [200, 160, 20], [110, 119, 129]])
WHOLE_STEPS = 10            # up to this many steps the step axis has a tick at each


def short_caption(matrix: np.ndarray) -> str:
    """Two short lines: the size, and the largest magnitude (``10×150528`` / ``±0.0266``)."""
    rows, cols = matrix.shape
    lo, hi, _ = brief(matrix)
    return f"{rows}×{cols}\n±{fmt(max(abs(lo), abs(hi)))}"


class StepHeatMap(HeatMap):
    """W before, the step or W after, captioned in two short lines: the heat map's own
    caption (size, min, max, mean and how it was drawn) was cut to "10×15052…" and "min"
    in a third of the panel beside a lesson. Never narrower than its title and caption."""

    def __init__(self, title: str, note: str):
        super().__init__(title)
        self.set_array(None, note=note)
        self._fit()

    def clear(self) -> None:
        """Empty, as before a first step (a new graph's panel showed the last graph's W)."""
        self.set_array(None, note="after a step")
        self._fit()

    def _drawn(self, drawing) -> None:
        super()._drawn(drawing)
        if drawing is self.drawing and self.matrix is not None:
            self.caption = short_caption(self.matrix)
            self._fit()

    def _fit(self) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        lines = [QFontMetrics(self.font()).horizontalAdvance(line)
                 for line in self.caption.splitlines()]
        self.setMinimumWidth(max([QFontMetrics(bold).horizontalAdvance(self.title), *lines])
                             + 10)           # drawn 4 px in from either side

    def changeEvent(self, event):
        super().changeEvent(event)
        self._fit()                     # presentation mode: larger type, wider titles


class LossPlot:
    """The loss per step: the training batches (a line), the held-out checks (dashed and
    marked) and the stepped batch after each applied step (marks; the newest value written
    beside its mark). The legend names only the curves that have points."""

    def __init__(self, background):
        self.plot = pg.PlotWidget(title="loss")
        self.plot.setBackground(background)
        self.plot.setLabel("bottom", "step")
        self.plot.setMinimumWidth(160)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)     # never "step (x0.001)"
        # bottom left: a falling loss starts high there (top right covered the curve)
        self.legend = self.plot.addLegend(offset=(10, -10))
        self.train = self.plot.plot([], [], pen=curve_pen(TRAIN), name="train (batch)")
        self.held_out = self.plot.plot([], [], pen=curve_pen(HELD_OUT, STYLES[1]), symbol="o",
                                       symbolSize=8, name="held out")
        self.stepped = self.plot.plot([], [], pen=curve_pen(STEPPED, STYLES[2]), symbol="s",
                                      symbolSize=11, symbolBrush=STEPPED,
                                      name="this batch")
        self.value = pg.TextItem(color=STEPPED)
        self.plot.addItem(self.value, ignoreBounds=True)
        add_values_actions(self.plot)             # its numbers as text, on right-click
        self.points: dict[int, float] = {}        # applied steps -> the stepped batch's loss
        self._name_curves()

    def clear(self) -> None:
        self.points = {}
        for curve in (self.train, self.held_out, self.stepped):
            curve.setData([], [])
        self._show_points()

    def set_point(self, step: int, loss: float) -> None:
        """The stepped batch's loss after ``step`` applied steps."""
        self.points[int(step)] = float(loss)
        self._show_points()

    def show_training(self, train: tuple, held_out: tuple) -> None:
        self.train.setData(*train)
        self.held_out.setData(*held_out)
        self._name_curves()
        self._fit_lone_value()

    def _show_points(self) -> None:
        steps = sorted(self.points)
        losses = [self.points[s] for s in steps]
        self.stepped.setData(steps, losses)
        finite = [(s, v) for s, v in zip(steps, losses, strict=True) if np.isfinite(v)]
        if finite:
            font = QFont(self.plot.font())
            font.setBold(True)
            self.value.setFont(font)
            self.value.setText(f"{finite[-1][1]:.3g}")
            self.value.setPos(*finite[-1])
        self.value.setVisible(bool(finite))
        self._name_curves()
        self._fit_lone_value()

    def _fit_lone_value(self) -> None:
        """pyqtgraph centres a single value in the span the axis had before (1.13 on
        −20…40): one value alone gets ±half its size; more, the automatic range."""
        ys = np.concatenate([[], *(c.getData()[1] for c in (self.train, self.held_out,
                                                            self.stepped)
                                   if c.getData()[1] is not None)])
        ys = np.unique(ys[np.isfinite(ys)])
        if len(ys) == 1:
            half = max(abs(float(ys[0])), 1.0) / 2
            self.plot.setYRange(ys[0] - half, ys[0] + half, padding=0)
        else:
            self.plot.enableAutoRange(axis="y")

    def _name_curves(self) -> None:
        """The curves with points in the legend (none for one alone: the legend box covered
        half a plot beside a lesson); a tick at each step while there are few."""
        drawn = [c for c in (self.train, self.held_out, self.stepped)
                 if c.getData()[0] is not None and len(c.getData()[0])]
        self.legend.clear()
        if len(drawn) > 1:
            for curve in drawn:
                self.legend.addItem(curve, curve.name())
        self.legend.setVisible(len(drawn) > 1)
        last = max((float(np.max(c.getData()[0])) for c in drawn), default=0.0)
        # the value beside its mark, on the side with room (left of a mark past the middle)
        past_middle = self.value.pos().x() >= max(last, 1) / 2
        self.value.setAnchor((1.15, 0.5) if past_middle else (-0.3, 0.5))
        axis = self.plot.getAxis("bottom")
        if last <= WHOLE_STEPS:
            axis.setTickSpacing(1, 1)
            # room left of the first mark and right of the last for the value written there
            self.plot.setXRange(-0.6, max(last, 1) + 0.4, padding=0)
        else:
            axis.setTickSpacing()
            self.plot.enableAutoRange(x=True)


class DecisionMap:
    """For 2-D data: the class the network predicts over the data's box (pale where it is
    unsure) under the training points, each in its class's colour."""

    def __init__(self, background):
        self.plot = pg.PlotWidget(title="decision boundary")
        self.plot.setBackground(background)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#222222", width=0.6))
        self.plot.addItem(self.points)

    def clear(self) -> None:
        self.image.clear()
        self.points.clear()

    def draw_points(self, data) -> None:
        if data.x.shape[1:] != (2,):
            self.clear()
            return
        brushes = [pg.mkBrush(*CLASS_COLOURS[k % len(CLASS_COLOURS)]) for k in data.y]
        self.points.setData(data.x[:, 0], data.x[:, 1], brush=brushes)

    def draw(self, trainer, data) -> None:
        """The trainer's predictions over ``data``'s box, with a tenth of its size around."""
        x = data.x
        pad = 0.1 * (x.max(0) - x.min(0))
        bounds = (x[:, 0].min() - pad[0], x[:, 0].max() + pad[0],
                  x[:, 1].min() - pad[1], x[:, 1].max() + pad[1])
        classes, confidence = trainer.decision_map(bounds, 80)
        rgb = CLASS_COLOURS[classes % len(CLASS_COLOURS)].astype(float)
        if confidence is not None:              # pale where the network is unsure
            shade = 0.35 + 0.65 * (confidence - confidence.min()) / max(np.ptp(confidence), 1e-9)
            rgb = 255 - (255 - rgb) * shade[..., None] * 0.55
        self.image.setImage(rgb.transpose(1, 0, 2).astype(np.uint8), levels=(0, 255))
        xmin, xmax, ymin, ymax = bounds
        self.image.setRect(xmin, ymin, xmax - xmin, ymax - ymin)
