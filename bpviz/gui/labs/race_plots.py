"""RacePlots: what the Optimizers tab draws of a race — each optimizer's path on the surface
with its marker along it and at its head, the start, the loss per iteration, and a legend
row above both plots — and the axes that hold the whole race."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from ...core.display.notation import power_of_ten
from ...core.labs.surface import race_view
from ..widgets.plot_style import STYLES, LogAxis, MarkedCurve, StepAxis
from ..widgets.series_legend import SeriesLegend
from .surface_plot import SurfacePlot

COLORS = {"GD": "#222222", "SGD": "#8c564b", "Momentum": "#1f77b4", "Nesterov": "#17becf",
          "Adagrad": "#2ca02c", "RMSprop": "#ff7f0e", "Adam": "#d62728"}
# a dash and a marker per optimizer besides its colour (issue 21: not colour alone)
SERIES = dict(zip(COLORS, STYLES, strict=False))
MARKS_PER_RACE = 8                  # markers along each path and loss curve
# the view's margin around the race, a share of its span each side: the start's and the
# head's markers (18 px) stay whole inside a 220 px wide bowl
VIEW_PAD = 0.16
LOSS_PAD = 0.07                     # of the loss plot's span each side: a marker's half


class LossAxis(LogAxis):
    """The loss plot's log axis in one number format: plain numbers where every label of
    its range reads as one (0.001 to 1000), powers of ten everywhere else. pyqtgraph
    wrote each label as it came: "0.0001" beside "10⁻⁶", and "10¹" above "1"."""

    def logTickStrings(self, values, scale, spacing):
        numbers = [10.0 ** v * scale for v in values]
        low, high = self.range
        if -3 <= min(low, high) and max(low, high) < 3:
            return [f"{n:g}" for n in numbers]
        return [power_of_ten(v + math.log10(scale)) for v in values]


def inside_view(points: np.ndarray, view) -> int:
    """How many of ``points`` (n, 2) to draw: up to the first outside ``view`` (x0, x1, y0,
    y1) and that one, so a diverging path leaves the view once instead of crossing it
    again at every step (a solid bar of lines)."""
    x0, x1, y0, y1 = view
    with np.errstate(invalid="ignore"):
        out = ~((x0 <= points[:, 0]) & (points[:, 0] <= x1)
                & (y0 <= points[:, 1]) & (points[:, 1] <= y1))
    return int(np.argmax(out)) + 1 if out.any() else len(points)


def plotted_losses(run) -> np.ndarray:
    """The run's losses as the log axis shows them: shifted above 0 when they go below, and
    at least 1e-12 (the saddle's race reaches −1e20, where adding 1e-12 is lost to rounding
    and log10 gave −inf for the axis)."""
    return np.maximum(run.losses - min(0.0, float(np.min(run.losses))), 1e-12)


class RacePlots:
    """The surface plot, the loss plot and the legend row, with an item per optimizer."""

    def __init__(self):
        self.plot = SurfacePlot("optimizers on the surface (click to set the start)")
        self.loss_plot = pg.PlotWidget(axisItems={"left": LossAxis("left"),
                                                  "bottom": StepAxis("bottom")})
        self.loss_plot.setBackground(self.loss_plot.palette().base().color())
        self.loss_plot.setLabel("bottom", "iteration")
        self.loss_plot.setLogMode(y=True)
        # the racers' names in a row above both plots: on the heat map they hid part of it
        self.legend = SeriesLegend()
        self.paths, self.heads, self.loss_curves = {}, {}, {}
        for k, (name, style) in enumerate(SERIES.items()):
            phase = k / len(SERIES)             # markers of paths that coincide stand apart
            self.paths[name] = MarkedCurve(self.plot, COLORS[name], style, name, phase=phase)
            self.heads[name] = self.plot.plot(symbol=style.symbol, symbolSize=15, pen=None,
                                              symbolBrush=COLORS[name],
                                              symbolPen=pg.mkPen("#ffffff", width=1.5))
            self.loss_curves[name] = MarkedCurve(self.loss_plot, COLORS[name], style, name,
                                                 phase=phase)
        self.view = (-np.inf, np.inf, -np.inf, np.inf)
        self.start_marker = self.plot.plot(symbol="+", symbolSize=18, pen=None,
                                           symbolPen=pg.mkPen("#ffffff", width=3))
        # the heads over the start's cross: after a short first step (Adam's 0.1 in 7.5)
        # the head asked about lay under it
        self.start_marker.setZValue(1)
        for head in self.heads.values():
            head.setZValue(2)

    def show_racers(self, runs: dict, start, steps: int, surface) -> None:
        """A new race: its legend, its markers' spacing, the start and axes that hold it."""
        self.legend.show_series([(name, COLORS[name], SERIES[name]) for name in runs])
        every = max(1, steps // MARKS_PER_RACE)
        for name in SERIES:
            self.paths[name].every = self.loss_curves[name].every = every
        self.start_marker.setData([start[0]], [start[1]])
        self.fit_axes(runs, start, steps, surface)

    def fit_axes(self, runs: dict, start, steps: int, surface) -> None:
        """Axes for the whole race, set before it runs: the surface's view around every
        step of it (the start never at the edge), iterations 0 to the step count, and the
        losses every run will reach (so the axes neither jump nor start at ±400)."""
        x0, x1, y0, y1 = self.view = race_view(surface.bounds, start, [
            *surface.minima, *(p for r in runs.values() for p in r.points)], pad=VIEW_PAD)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        # a share each side for the first and last iterations' markers: at 0 and the step
        # count they were cut in half at the plot's edges (6.1, 6.4, lesson 7)
        self.loss_plot.setXRange(0, steps, padding=LOSS_PAD)
        losses = np.concatenate([[], *(plotted_losses(r) for r in runs.values())])
        losses = losses[np.isfinite(losses)]
        if not losses.size:                     # nothing ticked: the y axis keeps its range
            return
        lo, hi = np.log10(losses.min()), np.log10(losses.max())   # log axis: decades
        self.loss_plot.setYRange(lo, max(hi, lo + 1), padding=LOSS_PAD)

    def draw(self, runs: dict, i: int) -> None:
        """Every run's path, head and loss curve up to step ``i``; nothing of the others."""
        for name in SERIES:
            run = runs.get(name)
            if run is None:
                for item in (self.paths[name], self.heads[name], self.loss_curves[name]):
                    item.setData([], [])
                continue
            k = min(i, len(run.points) - 1) + 1
            path = run.points[:min(k, inside_view(run.points, self.view))]
            self.paths[name].setData(path[:, 0], path[:, 1])
            self.heads[name].setData(path[-1:, 0], path[-1:, 1])
            self.loss_curves[name].setData(np.arange(k), plotted_losses(run)[:k])
