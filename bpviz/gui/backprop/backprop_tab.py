"""BackpropTab: the canvas with the stepper's controls and the data picker above it, and
the stepping overlays on the canvas (current node, value thumbnails, gradient magnitudes
on the edges with a log-scale legend)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QFontInfo, QFontMetricsF, QLinearGradient, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ..canvas.graph_view import GraphView

from ...core.display.array_views import as_matrix, magnitude, sample_of
from ..widgets.colormap import GRADIENT_DECADES, GRADIENT_LUT, lut_color, to_image
from .data_panel import DataPanel
from .stepper_panel import StepperPanel


class GradientLegend(QWidget):
    """The colour scale of gradient magnitudes on edges (RMS, log scale), sized by its
    font: presentation mode makes it larger, never cut."""

    TITLE = "gradient on edges (RMS, log)"

    def __init__(self, parent: GraphView):
        super().__init__(parent)
        self.view = parent                      # drawn over it, in a corner it leaves free
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._fit()
        # a child of the view, not of its viewport: the view scrolls its viewport's
        # children along with the graph
        parent.installEventFilter(self)         # keep to the canvas's bottom-left corner

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def place(self) -> None:
        self.view.place_overlay(self)       # a corner where it covers no node

    def _fit(self) -> None:
        metrics = QFontMetricsF(self.font())
        self.line = metrics.height()
        self.setFixedSize(int(metrics.horizontalAdvance(self.TITLE) + 2 * self.line + 16),
                          int(2 * self.line + 9 + 10))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()
            self.place()

    def text_px(self) -> float:
        return float(QFontInfo(self.font()).pixelSize())

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.setBrush(pal.window().color())
        p.setPen(pal.mid().color())
        p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 5, 5)
        margin, line = self.line, self.line
        bar = QRectF(margin, line + 4, self.width() - 2 * margin, 9)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        for t in (0, 0.25, 0.5, 0.75, 1):
            grad.setColorAt(t, lut_color(GRADIENT_LUT, t))
        p.fillRect(bar, grad)
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(8, 2, self.width() - 16, line), Qt.AlignmentFlag.AlignCenter, self.TITLE)
        lo, hi = GRADIENT_DECADES
        for k in range(lo, hi + 1, 2):
            x = bar.left() + (k - lo) / (hi - lo) * bar.width()
            p.drawText(QRectF(x - 2 * line, bar.bottom() + 1, 4 * line, line), Qt.AlignmentFlag.AlignCenter,
                       f"1e{k}" if k else "1")


class BackpropTab(QWidget):
    def __init__(self, classroom, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.scene = view.scene()
        self.data = DataPanel(classroom)
        self.stepper = StepperPanel(classroom)
        bar = QFrame()
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(6, 3, 6, 3)
        rows.setSpacing(2)
        rows.addWidget(self.stepper, 0, Qt.AlignmentFlag.AlignLeft)   # two rows: narrow screens fit
        data_row = QHBoxLayout()
        data_row.addWidget(self.data, 1)
        data_row.addWidget(self.stepper.train_mode)
        rows.addLayout(data_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(view, 1)
        self.legend = GradientLegend(view)
        self.legend.hide()
        self._thumbs: dict = {}
        self._mags: dict = {}

    def show_step(self, event, stepper) -> None:
        """Overlays for the stepper's history up to ``event`` (None: clear them)."""
        if event is None or stepper is None:
            self.scene.clear_overlays()
            self.legend.hide()
            return
        sample = event.sample
        thumbs, grads, values = {}, {}, {}
        for ev in stepper.history:
            if ev.phase == "forward":
                thumbs[ev.node] = self._thumbnail(ev.node, ev.output, sample)
                values[ev.node] = (ev.output, sample)      # what a double-click enlarges
            else:
                for slot, d in enumerate(ev.dinputs.values()):
                    m = self._magnitude(ev.node, slot, d)
                    if m is not None:
                        grads[(ev.node, slot)] = m
        self.scene.show_step(event.node, event.phase, thumbs, grads, values)
        item = self.scene.nodes.get(event.node)
        if item is not None:                   # follow the step across a large graph
            self.view.follow(item)
        self.legend.setVisible(bool(grads))
        self.legend.place()

    def forget(self) -> None:
        """Drop the cached pictures and magnitudes (another graph: they would hold its
        arrays)."""
        self._thumbs.clear()
        self._mags.clear()

    def _magnitude(self, nid, slot, grad):
        """RMS of a gradient, cached while the array object is the same."""
        cached = self._mags.get((nid, slot))
        if cached is not None and cached[0] is grad:
            return cached[1]
        m = magnitude(grad)
        self._mags[(nid, slot)] = (grad, m)
        return m

    def _thumbnail(self, nid, value, sample):
        """A picture of one sample's value, cached while the value object is the same."""
        key = (nid, sample)
        cached = self._thumbs.get(key)
        if cached is not None and cached[0] is value:
            return cached[1]
        image = to_image(as_matrix(sample_of(value, sample), max_side=256))
        self._thumbs[key] = (value, image)
        return image
