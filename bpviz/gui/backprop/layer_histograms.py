"""LayerHistograms: one layer's weights, activations and weight gradients as histograms
(gradients as log10|g|, since they span decades), for the layer picked in a list; the
counts come from bpviz.core.backprop.gradient_flow."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.backprop.gradient_flow import histogram, layer_arrays, layers
from ...core.errors import GraphError
from ..widgets.plot_style import add_values_actions, curve_pen, titled

PANELS = (("weights", "weights W", "value", False),
          ("activations", "activations (layer output)", "value", False),
          ("gradients", "gradients ∂L/∂W", "log10 |∂L/∂W|", True))
COLOUR = "#1f77b4"


class LayerHistograms(QWidget):
    def __init__(self, classroom, parent=None):
        super().__init__(parent)
        self.classroom = classroom
        self.layer = QComboBox()
        self.layer.setAccessibleName("Layer")
        self.layer.activated.connect(lambda _i: self.refresh())
        self.plots, self.curves = {}, {}
        row = QHBoxLayout()
        for key, title, bottom, _ in PANELS:
            plot = pg.PlotWidget()
            plot.setLabel("left", "count")
            plot.setLabel("bottom", bottom)
            plot.getAxis("bottom").enableAutoSIPrefix(False)    # numbers as they are
            add_values_actions(plot)
            self.plots[key] = plot
            self.curves[key] = plot.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                         brush=COLOUR + "80", pen=curve_pen(COLOUR), name=key)
            row.addWidget(titled(plot, title), 1)
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer:"))
        top.addWidget(self.layer)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(row, 1)

    def set_layers(self) -> None:
        """The graph's layers with weights in the list, keeping the one picked if any."""
        try:
            names = layers(self.classroom.graph)
        except GraphError:       # a half-built graph has no order, so no layers yet
            names = []
        current = self.layer.currentText()
        self.layer.clear()
        self.layer.addItems(names)
        if current in names:
            self.layer.setCurrentText(current)
        self.refresh()

    def refresh(self) -> None:
        nid = self.layer.currentText()
        try:
            arrays = layer_arrays(self.classroom.graph, nid) if nid else {}
        except GraphError:      # the layer was deleted or the graph is being edited
            arrays = {}
        for key, _, _, log in PANELS:
            values = arrays.get(key)
            edges, counts = histogram([] if values is None else values, log_magnitude=log)
            if len(counts):
                self.curves[key].setData(edges, counts)
            else:
                self.curves[key].setData([0, 1], [0])
