"""GradientFlowView: how much gradient each layer gets — mean |∂L/∂W| and |∂L/∂x| per layer
for the stepped batch, and mean |∂L/∂W| per layer over the optimizer steps of Update and
Train, both on a log scale (bpviz.core.backprop.gradient_flow computes them). View ▸ Gradient Flow
shows it in a dock; the Training tab shows the same FlowPlots from an AlexNet run's records."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QTabWidget, QVBoxLayout, QWidget

from ...core.backprop.gradient_flow import (
    INPUT,
    WEIGHT,
    FlowHistory,
    gradient_flow,
    log_points,
    summary,
)
from ...core.display.notation import power_of_ten
from ..theme import style_plots
from ..widgets.plot_style import STYLES, PlotPair, add_values_actions, curve_pen, titled
from ..widgets.subscribe import follow
from .layer_histograms import LayerHistograms

COLOURS = ("#1f77b4", "#d62728")     # |dL/dW| and |dL/dx|; over steps: first and last layer
MIDDLE = "#a0a0a0"                    # the layers between, over steps
REFRESH_MS = 50                 # coalesce a burst of steps into one redraw (20 Hz)


TICK_PX = 56                    # room for one layer name under the axis
SHARE = 0.42                    # of the window's height the dock takes when shown


class FlowAxis(pg.AxisItem):
    """The plots' left axis: every tick label a power of ten (pyqtgraph wrote 0.01 beside
    10⁻⁶; between decades 2 and 5 times them), and its title shortened (SHORTER) where the whole one would not fit the axis's
    height (it was cut off in the short dock)."""

    SHORTER = {"mean |gradient|": ("|gradient|", "|grad|"), "mean |∂L/∂W|": ("|∂L/∂W|",)}

    def __init__(self):
        self.titles: tuple[str, ...] = ()
        super().__init__("left")

    def setLabel(self, text=None, units=None, unitPrefix=None, **args):
        if text is not None:
            self.titles = (text, *self.SHORTER.get(text, ()))
        super().setLabel(text, units, unitPrefix, **args)
        self.resizeEvent()

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        """pyqtgraph's, but between decades only 2 and 5 times one (it wrote all of
        2·10⁻⁴ … 9·10⁻⁴ over less than two decades)."""
        levels = super().logTickValues(minVal, maxVal, size, stdTicks)
        return [(spacing, [v for v in values if round(10 ** (v % 1)) in (1, 2, 5)])
                if spacing is None else (spacing, values) for spacing, values in levels]

    def logTickStrings(self, values, scale, spacing):
        return [power_of_ten(v + math.log10(scale)) for v in values]

    def resizeEvent(self, ev=None):
        if self.label is not None and self.titles:
            room = self.size().height()
            for title in self.titles:             # the last one however short the room
                self.labelText = title
                self.label.setHtml(self.labelString())
                if self.label.boundingRect().width() <= room:
                    break
        super().resizeEvent(ev)


def _log_plot(left: str, bottom: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(axisItems={"left": FlowAxis()})
    plot.setLogMode(x=False, y=True)
    plot.showGrid(x=False, y=True, alpha=0.3)
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.getAxis("left").enableAutoSIPrefix(False)     # powers of ten, never "(x0.001)"
    plot.addLegend(offset=(10, 10), brush=pg.mkBrush(255, 255, 255, 200))
    add_values_actions(plot)
    return plot


class FlowPlots:
    """The two plots of a gradient flow: each layer's mean |∂L/∂W| and |∂L/∂x| for one
    batch, and each layer's |∂L/∂W| over the steps (``steps_label``), both on a log scale,
    drawn from core's LayerFlow list and FlowHistory. The Gradient Flow dock and the
    Training tab (AlexNet runs, from their records) show the same plots."""

    def __init__(self, steps_label: str = "optimizer step"):
        self.flows: list = []
        self.batch_plot = _log_plot("mean |gradient|", "layer (forward order)")
        self.curves = {kind: self.batch_plot.plot(
            [], [], name=name, pen=curve_pen(COLOURS[i], STYLES[i]), symbol=STYLES[i].symbol,
            symbolSize=11, symbolBrush=COLOURS[i], connect="finite")
            for i, (kind, name) in enumerate(((WEIGHT, "|∂L/∂W|"), (INPUT, "|∂L/∂x|")))}
        self.steps_plot = _log_plot("mean |∂L/∂W|", steps_label)
        self.step_curves: dict = {}
        # layer names thinned to the plot's width
        self.batch_plot.getViewBox().sigResized.connect(lambda _box: self._name_layers())

    def clear_history(self) -> None:
        for curve in self.step_curves.values():
            self.steps_plot.removeItem(curve)
        self.step_curves = {}

    def show(self, flows: list, history: FlowHistory) -> None:
        self.flows = flows
        x = np.arange(len(flows), dtype=float)
        for kind, curve in self.curves.items():
            curve.setData(*log_points(x, [getattr(f, kind) for f in flows]))
        self._name_layers()
        self._draw_history(history)

    def _name_layers(self) -> None:
        """Layer names under the axis, every k-th where all would not fit side by side."""
        every = max(1, -(-len(self.flows) * TICK_PX // max(self.batch_plot.width(), 1)))
        self.batch_plot.getAxis("bottom").setTicks(
            [[(i, f.node) for i, f in enumerate(self.flows) if i % every == 0
              or i == len(self.flows) - 1]])

    def _draw_history(self, history: FlowHistory) -> None:
        """One curve per layer: the first and the last in colour and named in the legend,
        those between in grey (the span between the two is what matters)."""
        nodes = history.nodes()
        for i, node in enumerate(nodes):
            curve = self.step_curves.get(node)
            if curve is None:
                ends = {0: 0, len(nodes) - 1: 1}
                k = ends.get(i)
                pen = curve_pen(MIDDLE, STYLES[2]) if k is None else \
                    curve_pen(COLOURS[k], STYLES[k])
                curve = self.step_curves[node] = self.steps_plot.plot(
                    [], [], name=node, pen=pen, connect="finite")
                if k is None:
                    self.steps_plot.getPlotItem().legend.removeItem(curve)
                else:
                    curve.setZValue(1)               # drawn over the grey ones
            steps, values = history.series(node)
            curve.setData(*log_points(steps, values))


class GradientFlowView(QWidget):
    def __init__(self, classroom, parent=None):
        super().__init__(parent)
        self.classroom = classroom
        self.history = FlowHistory()
        self.plots = FlowPlots()
        self.batch_plot, self.curves = self.plots.batch_plot, self.plots.curves
        self.batch_plot.setObjectName("gradient_flow_batch")   # enlarged by lesson 3.10
        self.steps_plot = self.plots.steps_plot
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        flow = QWidget()
        layout = QVBoxLayout(flow)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        # shown once Update or Train has taken a step: before, the batch's plot takes it all
        self.steps_box = titled(self.steps_plot, "Over Update and Train: each layer's |∂L/∂W|")
        layout.addWidget(PlotPair(
            titled(self.batch_plot, "This batch: gradient reaching each layer (log scale)"),
            self.steps_box), 1)
        self.histograms = LayerHistograms(classroom)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(flow, "Gradient flow")
        self.pages.addTab(self.histograms, "Histograms")
        self.pages.currentChanged.connect(lambda _i: self.refresh())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        follow(classroom.stepped, self, lambda _event: self._timer.start())
        follow(classroom.params_changed, self, self._params_changed)
        follow(classroom.graph_replaced, self, lambda _graph: self.reset())
        follow(classroom.trainer_reset, self, self.reset)
        self.reset()

    @property
    def flows(self) -> list:
        return self.plots.flows

    @property
    def step_curves(self) -> dict:
        return self.plots.step_curves

    def reset(self) -> None:
        """Another graph or a fresh optimizer: the steps so far no longer apply."""
        self.history.clear()
        self.plots.clear_history()
        self.histograms.set_layers()
        self.refresh()

    def _params_changed(self) -> None:
        trainer = self.classroom.trainer
        flows = gradient_flow(self.classroom.graph)
        self.history.record(trainer.steps if trainer is not None else len(self.history.steps),
                            flows)
        self.refresh(flows)

    def refresh(self, flows: list | None = None) -> None:
        """Redraw from the gradients the graph holds now (or ``flows`` just computed)."""
        flows = gradient_flow(self.classroom.graph) if flows is None else flows
        self.plots.show(flows, self.history)
        self.steps_box.setVisible(bool(self.history.steps))
        self.summary.setText(summary(flows))
        # enlarged, the plot leaves the summary behind: its title carries it
        self.batch_plot.focus_title = " · ".join(
            t for t in (summary(flows).rstrip("."), "gradient reaching each layer (log scale)")
            if t)
        if self.pages.currentWidget() is self.histograms:   # 61 M weights: only when shown
            self.histograms.set_layers()                    # (an edit may have changed them)


def show_gradient_flow(window) -> QDockWidget:
    """The Gradient Flow dock of ``window``, made on first use, shown and raised: in the
    bottom area, tabbed with Problems, SHARE of the window's height (two plots side by
    side with a layer name under each point need width more than height)."""
    dock = getattr(window, "gradient_flow_dock", None)
    if dock is None:
        dock = window.gradient_flow_dock = QDockWidget("Gradient Flow", window)
        dock.setObjectName("gradient_flow_dock")
        dock.setWidget(GradientFlowView(window.classroom))
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        problems = getattr(window, "docks", {}).get("problems")
        if problems is not None and problems.isVisible() and not problems.isFloating():
            window.tabifyDockWidget(problems, dock)
        style_plots([dock])
    dock.show()
    dock.raise_()
    # once the dock is laid out: sized before, the main window keeps the area's old height
    QTimer.singleShot(0, lambda: window.resizeDocks(
        [dock], [int(window.height() * SHARE)], Qt.Orientation.Vertical))
    return dock
