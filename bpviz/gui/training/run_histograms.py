"""RunHistograms: a training run's per-layer histograms of weights, activations and weight
gradients (FlowHooks logs them on the first and every 10th logged step), one layer at a
time, the three on one axis of fixed sign × log-magnitude bins (bpviz.core.backprop.flow_histograms)
as each bin's share of the values. The Training tab's RunView feeds it every record, live
or from a run folder opened later."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.backprop.flow_histograms import (
    BINS,
    EDGES,
    KINDS,
    edge_ticks,
    histograms_from_record,
    shares,
)
from ...train.run_folder import is_record
from ..widgets.plot_style import STYLES, add_values_actions, curve_pen
from .plots_area import even_rows
from .run_view import RunView

COLOURS = {"weights": "#1f77b4", "activations": "#2ca02c", "gradients": "#d62728"}
NAMES = {"weights": "weights", "activations": "activations (output)",
         "gradients": "∂L/∂W"}
TICK_CHOICES = ((-6, -3, 0), (-4, 0), (-3,))      # powers of ten labelled under the axis
WAITING = ("Histograms come with the run's first logged step and every 10th after it.")


class RunHistograms(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.step: float | None = None
        self.histograms: dict = {}            # {layer: {kind: counts}} of that step
        self.heading = QLabel(WAITING)
        self.heading.setWordWrap(True)
        self.layer = QComboBox()
        self.layer.setAccessibleName("Histogram layer")
        self.layer.setToolTip("The layer whose histograms are shown")
        self.layer.currentTextChanged.connect(lambda _name: self._draw())
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "% of values")
        self.plot.setLabel("bottom", "value (sign × log scale)")
        self.plot.getViewBox().sigResized.connect(lambda _box: self._thin_ticks())
        self.plot.setXRange(0, BINS, padding=0.02)
        self.plot.addLegend(offset=(6, 6), brush=pg.mkBrush(255, 255, 255, 200))
        self.curves = {kind: self.plot.plot(
            name=NAMES[kind], stepMode="center", pen=curve_pen(COLOURS[kind], STYLES[i]))
            for i, kind in enumerate(KINDS)}
        add_values_actions(self.plot, self.columns, "layer histograms")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.layer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)

    def _thin_ticks(self) -> None:
        """As many value labels under the axis as fit side by side (7, 5 or 3)."""
        fits = self.plot.getViewBox().width() / (6 * self.fontMetrics().horizontalAdvance("0"))
        exponents = next(e for e in TICK_CHOICES if 2 * len(e) + 1 <= fits or len(e) == 1)
        self.plot.getAxis("bottom").setTicks([edge_ticks(exponents)])

    def clear(self) -> None:
        self.step, self.histograms = None, {}
        self.layer.clear()
        self.heading.setText(WAITING)
        self._draw()

    def on_record(self, record: dict) -> None:
        """Keep the latest record's histograms (a record without them changes nothing)."""
        found = histograms_from_record(record)
        if not found:
            return
        self.step, self.histograms = record.get("step"), found
        if [self.layer.itemText(i) for i in range(self.layer.count())] != list(found):
            chosen = self.layer.currentText()
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems(list(found))
            self.layer.setCurrentIndex(max(0, self.layer.findText(chosen)))
            self.layer.blockSignals(False)
        self.heading.setText(f"Histograms at step {self.step}")
        self._draw()

    def shown(self) -> dict[str, np.ndarray]:
        """{kind: % per bin} of the chosen layer (kinds the run did not log left out)."""
        return {kind: shares(counts)
                for kind, counts in self.histograms.get(self.layer.currentText(), {}).items()}

    def _draw(self) -> None:
        shown = self.shown()
        for kind, curve in self.curves.items():
            if kind in shown:
                curve.setData(np.arange(BINS + 1, dtype=float), shown[kind])
            else:
                curve.clear()

    def columns(self) -> dict[str, np.ndarray]:
        """The values as text: each bin's edges and each kind's share."""
        return {"from": EDGES[:-1].astype(float), "to": EDGES[1:].astype(float),
                **{f"{NAMES[k]} %": v for k, v in self.shown().items()}}


class RunViewWithHistograms(RunView):
    """The Training tab's RunView with RunHistograms as one more cell of its grid, fed the
    same records and cleared with it."""

    def __init__(self, parent=None):
        self.histograms = RunHistograms()        # before RunView's __init__ clears
        super().__init__(parent)
        self.grid.widgets.append(self.histograms)
        even_rows(self.grid)
        self.grid.columns = 0                    # lay the grid out again, with the new cell
        self.grid._reflow(self.grid.most_columns)

    def clear(self) -> None:
        super().clear()
        self.histograms.clear()

    def on_record(self, record: dict) -> None:
        super().on_record(record)
        if is_record(record):
            self.histograms.on_record(record)
