"""The Losses tab: the lecture's loss functions as curves with their derivatives, a
multiclass panel (softmax, cross-entropy and multiclass hinge with per-class gradients), and
loss surfaces over two parameters of a model. The numbers come from bpviz.core.labs."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.data.datasets import IMAGENET10
from ...core.labs import curves
from ..widgets.axis_room import AxisRoom
from ..widgets.controls import read_controls, write_controls
from ..widgets.named import named
from ..widgets.plot_style import (
    CURVE_PX,
    STYLES,
    MarkedCurve,
    SeriesStyle,
    add_values_actions,
)
from ..widgets.series_legend import SeriesLegend
from .curve_readout import CurveReadout
from .surface_panel import SurfacePanel

COLORS = {"cross-entropy": "#2f6fb0", "hinge": "#c2571a", "squared hinge": "#7b4fb0",
          "L1": "#2e8b57", "L2": "#2f6fb0", "smooth L1": "#7b4fb0", "Huber": "#c2571a"}
MARGINS = np.linspace(-3, 3, 601)
RESIDUALS = np.linspace(-4, 4, 801)       # the readout's reach; the plot shows ±1 to ±4
# (value, slope) styles: solid and dashed, but smooth L1 dotted and dash-dotted, drawn over
# Huber: at δ = β = 1 the two are the same curve, and a solid line hid the other
CURVE_STYLES = {"smooth L1": (SeriesStyle((1, 2)), STYLES[3])}
LEGEND_NAMES = {"smooth L1": "smooth L1 (dotted)"}
# each loss's marker along its curve and its slope (filled, hollow): the curves of a plot are
# told apart without their colours (issue 21)
MARKERS = {"cross-entropy": "o", "hinge": "t", "squared hinge": "s",
           "L1": "o", "L2": "t", "smooth L1": "s", "Huber": "d"}


def plot_widget(title: str, xlabel: str) -> pg.PlotWidget:
    w = pg.PlotWidget(title=title)
    w.setBackground(w.palette().base().color())
    w.setLabel("bottom", xlabel)
    w.showGrid(x=True, y=True, alpha=0.25)
    add_values_actions(w)
    return w


class Slider(QWidget):
    """A labelled slider over floats (over integers when ``step`` is a whole number):
    ``value()``, ``changed`` via .slider.valueChanged."""

    def __init__(self, name: str, lo: float, hi: float, value: float, step: float = 0.1,
                 text: str | None = None, stacked: bool = False):
        super().__init__()
        self.step, self.name, self.text = step, name, text      # text: its label, '±{}'
        self.whole = float(step).is_integer()         # "batch size = 16", not "16.00"
        self.slider = named(QSlider(Qt.Orientation.Horizontal), f"slider_{name}")
        self.slider.setRange(round(lo / step), round(hi / step))
        self.slider.setValue(round(value / step))
        self.slider.setAccessibleName(name)      # its label says the value too: "t·y = 0.50"
        self.slider.setAccessibleDescription(f"{name}, from {lo:g} to {hi:g}")
        self.label = QLabel()
        self.label.setMinimumWidth(70)
        # stacked: the label above its slider, which keeps the column's width (beside
        # "y[Australian terrier] = 0.30" a slider was squeezed to 25 px, 4.7)
        row = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0 if stacked else row.spacing())
        row.addWidget(self.label)
        row.addWidget(self.slider, 1)
        self.slider.valueChanged.connect(self._show)
        self._show()

    def value(self) -> float:
        v = self.slider.value() * self.step
        return int(round(v)) if self.whole else v

    def set_value(self, v: float) -> None:
        self.slider.setValue(round(v / self.step))

    def _show(self) -> None:
        if self.text is not None:
            self.label.setText(self.text.format(self.value()))
            return
        self.label.setText(f"{self.name} = {self.value()}" if self.whole
                           else f"{self.name} = {self.value():.2f}")


class CurvePanel(QWidget):
    """Loss curves and (dashed) their derivatives against one variable ``symbol``, and their
    values at one point of it (``losses(xs)`` gives them)."""

    def __init__(self, title: str, xlabel: str, xs: np.ndarray, name: str, symbol: str):
        super().__init__()
        self.xs = xs
        self.plot = plot_widget(title, xlabel)
        # in a row above the plot, not in it: wherever it stood inside, some curve of
        # lesson 4 or 5 ran under it (issue 20)
        self.legend = named(SeriesLegend(), f"{name}_legend")
        self.show_derivatives = named(QCheckBox("show derivatives (dashed)"), f"{name}_derivatives")
        self.show_derivatives.setChecked(True)
        self.show_derivatives.toggled.connect(lambda _: self.redraw())
        self.at = Slider(symbol, xs[0], xs[-1], 0.5)          # objectName slider_<symbol>
        self.at.slider.valueChanged.connect(lambda _: self.redraw())
        self.readout = CurveReadout(self.plot, name)
        # the controls, numbers and note beside the plot, not under it: at 1280x720 with a
        # lesson open the page is about 350 px high, and the plot gets all of it
        self.controls = QVBoxLayout()
        self.controls.addWidget(self.show_derivatives)
        self.controls.addWidget(self.at)
        self.note = QLabel(wordWrap=True)
        # a lesson hides the note while it asks what the note states (issue 20: "gives no
        # gradient beyond it" answered "which still has a slope at t·y = 2?")
        self.show_note = named(QCheckBox("show the note below"), f"{name}_note")
        self.show_note.setChecked(True)
        self.show_note.toggled.connect(self.note.setVisible)
        self.controls.addWidget(self.show_note)
        side = QVBoxLayout()
        side.addLayout(self.controls)
        side.addWidget(self.readout)
        side.addWidget(self.note)
        side.addStretch(1)
        plotted = QVBoxLayout()
        plotted.addWidget(self.legend)
        plotted.addWidget(self.plot, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(plotted, 3)
        layout.addLayout(side, 2)
        self.curves: dict[str, tuple] = {}
        self.items: dict[str, tuple] = {}
        self.looks: dict[str, tuple] = {}         # the legend's (colour, style) per curve

    def set_curves(self, curves: dict) -> None:
        """{name: (values, derivatives)} over ``self.xs``; plot items are made once."""
        self.curves = curves
        for name, (values, slopes) in curves.items():
            if name not in self.items:
                color = COLORS.get(name, "#444444")
                styles = CURVE_STYLES.get(name, (STYLES[0], STYLES[1]))
                value_style, slope_style = (replace(s, symbol=MARKERS.get(name, "o"))
                                            for s in styles)
                wide = CURVE_PX * (1.5 if name in CURVE_STYLES else 1)   # beads over a line
                phase = len(self.items) / 4         # markers of coinciding curves apart
                line = MarkedCurve(self.plot, color, value_style, LEGEND_NAMES.get(name, name),
                                   wide, phase=phase)
                # no legend entry: the check box says that dashed is the derivative
                dashed = MarkedCurve(self.plot, color, slope_style, None, wide, hollow=True,
                                     phase=phase)
                if name in CURVE_STYLES:
                    line.setZValue(1)        # over the curve it may coincide with
                    dashed.setZValue(1)
                self.items[name] = (line, dashed)
                self.looks[name] = (color, value_style)
                self.legend.show_series([(LEGEND_NAMES.get(n, n), *look)
                                         for n, look in self.looks.items()])
            line, dashed = self.items[name]
            line.setData(self.xs, values)
            dashed.setData(self.xs, slopes)
            dashed.setVisible(self.show_derivatives.isChecked())

    def losses(self, xs: np.ndarray) -> dict:
        """{name: (values, derivatives)} at ``xs``: each page's own losses."""
        raise NotImplementedError(f"{type(self).__name__} must define losses")

    def redraw(self) -> None:
        self.set_curves(self.losses(self.xs))
        a = self.at.value()
        self.readout.show_at(self.at.name, a, self.losses(np.array([a])))

    def csv_data(self) -> dict:
        columns = {"x": self.xs}
        for name, (values, slopes) in self.curves.items():
            columns[name] = values
            columns[f"d {name}/dx"] = slopes
        return columns


class ClassificationPanel(CurvePanel):
    def __init__(self):
        super().__init__("classification losses against the margin t·y", "margin t·y", MARGINS,
                         "classification", "t·y")
        self.plot.setYRange(-2.5, 4.5)
        self.note.setText("Cross-entropy (logistic) keeps pushing correct scores further; the "
                          "hinge max(0, 1 − t·y) stops at margin 1 and gives no gradient "
                          "beyond it; the squared hinge is smooth at the margin.")
        self.redraw()

    def losses(self, xs):
        return {"cross-entropy": curves.logistic_curve(xs),
                "hinge": curves.curve("HingeLoss", xs),
                "squared hinge": curves.squared_hinge_curve(xs)}


class RegressionPanel(CurvePanel):
    def __init__(self):
        super().__init__("regression losses against the residual", "residual y − ŷ", RESIDUALS,
                         "regression", "y − ŷ")
        self.beta = Slider("β (smooth L1)", 0.0, 3.0, 1.0)
        self.delta = Slider("δ (Huber)", 0.1, 3.0, 1.0)   # torch refuses δ <= 0
        # the residuals plotted: a lesson asking "L2 at residual 3?" plots ±2, where the
        # curves cannot answer it before the reveal (at ±3, L2 ended at the axis's 9)
        # ±4 only for a lesson's reveal: a question beyond the ±3 that earlier steps
        # plotted cannot be read off their curves (5.4, smooth L1 at 4)
        self.span = Slider("residuals shown", 1, 4, 3, step=1, text="residuals shown: ±{}")
        for s in (self.beta, self.delta, self.span):
            self.controls.addWidget(s, 1)
            s.slider.valueChanged.connect(lambda _: self.redraw())
        self.redraw()

    def losses(self, xs):
        beta, delta = self.beta.value(), self.delta.value()
        return {"L1": curves.curve("L1Loss", xs), "L2": curves.curve("MSELoss", xs),
                "smooth L1": curves.curve("SmoothL1Loss", xs, beta=beta),
                "Huber": curves.curve("HuberLoss", xs, delta=delta)}

    def redraw(self) -> None:
        span = self.span.value()
        if self.xs[-1] != span:
            self.xs = np.linspace(-span, span, 200 * round(span) + 1)     # span: whole
            self.plot.setXRange(-span, span)
        super().redraw()
        beta, delta = self.beta.value(), self.delta.value()
        same = (" — here they coincide: smooth L1 is the dotted line over Huber" if abs(beta - 1) < 1e-9 and abs(delta - 1) < 1e-9
                else "")
        self.note.setText(f"Huber(δ) = δ · smooth L1(β = δ): the lecture's smooth L1 is Huber "
                          f"with δ = 1{same}. L2 grows with the square of the residual (outliers "
                          f"dominate), L1 has a constant slope, both robust losses are L2 near "
                          f"zero and L1 far away.")


class MulticlassPanel(QWidget):
    """A logit per class and a target: softmax, cross-entropy and multiclass hinge, and
    which classes receive gradient under each loss. The controls stand in a column at the
    left; the three plots share the rest, with the bars lying down so that each class name
    has a line of its own on the first plot's axis (under upright bars, "Australian terrier"
    ran into its neighbours or was cut off below a 1280x720 page)."""

    # two lines each: headings of one height keep the classes' rows level across the plots
    PLOTS = (("p", "softmax\nσ(y)"), ("ce", "CE gradient\nσ(y) − t"),
             ("hinge", "hinge\ngradient"))
    MIN_PLOT_HEIGHT = 240

    def __init__(self, classes: int = 4):
        super().__init__()
        self.names = [name for _, name in IMAGENET10[:classes]]
        self.logits = [Slider(f"y[{n}]", -5, 5, v, stacked=True) for n, v in
                       zip(self.names, (2.0, 1.0, 0.3, -1.0), strict=False)]
        self.target = named(QComboBox(), "multiclass_target")
        self.target.addItems(self.names)
        self.margin = Slider("margin Δ", 0.0, 3.0, 1.0, stacked=True)
        # off, only the scores and softmax show: a lesson asks which classes get a gradient
        self.gradients = named(QCheckBox("show the gradients"), "multiclass_gradients")
        self.gradients.setChecked(True)
        self.values = named(QLabel(wordWrap=True), "multiclass_values")   # the note: a sentence
        self.values.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = self._controls()
        left.addStretch(1)
        plots = QHBoxLayout()
        self.plots: dict[str, tuple] = {}           # key: (plot, bars)
        self.columns: dict[str, QWidget] = {}
        for k, (key, title) in enumerate(self.PLOTS):
            # the first plot's extra width is its names': the bars get the same width in each
            plots.addWidget(self._bar_plot(key, title, classes, names=k == 0), 4 if k == 0 else 2)
        # the controls as narrow as their labels and the values under the plots, across
        # the page: the plots get the width (three panels of about 150 px in 4.7)
        top = QHBoxLayout()
        top.addLayout(left, 0)
        top.addLayout(plots, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.values)
        for s in self.logits + [self.margin]:
            s.slider.valueChanged.connect(lambda _: self.redraw())
        self.gradients.toggled.connect(lambda _: self.redraw())
        self.target.currentIndexChanged.connect(lambda _: self.redraw())
        self.result: dict = {}             # curves.multiclass's numbers, set by redraw
        self.redraw()

    def _controls(self) -> QVBoxLayout:
        """The scores one under the other, then the true class and the margin."""
        column = QVBoxLayout()
        column.addWidget(QLabel("<b>Scores (logits)</b>"))
        for s in self.logits:
            column.addWidget(s)
        column.addWidget(QLabel("true class"))       # above its box: the column stays narrow
        column.addWidget(self.target)
        column.addWidget(self.margin)
        column.addWidget(self.gradients)
        return column

    def _bar_plot(self, key: str, title: str, classes: int, names: bool) -> QWidget:
        # a QLabel title wraps and follows the application font (presentation mode);
        # pyqtgraph's title does neither and was cut off in narrow plots
        heading = QLabel(title, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        w = pg.PlotWidget()
        w.setBackground(w.palette().base().color())
        w.setMinimumHeight(self.MIN_PLOT_HEIGHT)
        w.invertY(True)                                # the first class on top
        left = w.getAxis("left")
        left.setTicks([[(k, name) for k, name in enumerate(self.names)]])
        left.setStyle(showValues=names)                # the rows line up across the plots
        w.setYRange(-0.6, classes - 0.4, padding=0)    # every bar whole, none cut at the edge
        w.setXRange(0 if key == "p" else -1, 1, padding=0.05)
        w.setMouseEnabled(x=True, y=False)
        w.getAxis("bottom").setTickSpacing(0.5, 0.1)    # three numbers fit a narrow plot
        bars = pg.BarGraphItem(x0=np.zeros(classes), y=np.arange(classes),
                               width=np.zeros(classes), height=0.6, brush="#2f6fb0")
        w.addItem(bars)
        self.plots[key] = (w, bars)
        if names:            # the class names written whole, in any font (4.7: none was)
            AxisRoom(w, lambda: self.names)
        add_values_actions(w, self.csv_data, title.replace("\n", " "))
        self.columns[key] = box = QWidget()      # hidden whole, the others take its width
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(heading)
        column.addWidget(w, 1)
        return box

    def redraw(self) -> None:
        y = [s.value() for s in self.logits]
        t = self.target.currentIndex()
        r = curves.multiclass(y, t, self.margin.value())
        self.result = r
        colors = ["#c2571a" if k == t else "#2f6fb0" for k in range(len(y))]
        # the true class told by a thick outline in the text colour, not by its colour alone
        ink = self.palette().text().color()
        pens = [pg.mkPen(ink, width=3) if k == t else pg.mkPen(None) for k in range(len(y))]
        for key, heights in (("p", r["probabilities"]), ("ce", r["ce_grad"]),
                             ("hinge", r["hinge_grad"])):
            self.plots[key][1].setOpts(width=heights, brushes=colors, pens=pens)
        shown = self.gradients.isChecked()
        for key in ("ce", "hinge"):
            self.columns[key].setVisible(shown)
        count = (f" ({int((r['hinge_grad'] != 0).sum())} of {len(y)} here)" if shown
                 else "")
        # "?" while the gradients are hidden: a hinge above 0 says some class is inside the
        # margin, and 0.125 = (1 − 2 + 1.5)/4 which one (lesson 4 step 7 asks). Kept short:
        # a long placeholder widened the column in lesson 4's screenshots
        hinge = f"{r['hinge']:.4f}" if shown else "?"
        self.values.setText(
            f"<b>L_CE</b> = {r['ce']:.4f} &nbsp; <b>L_hinge</b> = {hinge}<br>"
            f"Cross-entropy sends gradient to every class; the hinge only to classes whose "
            f"score is within the margin of the true class's{count}."
            f"<br><i>Lecture vs bpviz:</i> {r['hinge_note']}")

    def csv_data(self) -> dict:
        r = self.result
        return {"class": np.arange(len(self.names)), "logit": [s.value() for s in self.logits],
                "probability": r["probabilities"], "dCE/dy": r["ce_grad"],
                "dhinge/dy": r["hinge_grad"]}


class LossLab(QTabWidget):
    """The tab: classification, multiclass, regression, curves."""

    def __init__(self, graph_source, parent=None):
        super().__init__(parent)
        self.setObjectName("loss_pages")          # a lesson shows a page: set loss_pages
        self.classification = ClassificationPanel()
        self.multiclass = MulticlassPanel()
        self.regression = RegressionPanel()
        self.surface = SurfacePanel(graph_source)
        for w, title in ((self.classification, "Classification"),
                         (self.multiclass, "Multiclass"), (self.regression, "Regression"),
                         (self.surface, "Loss surface")):
            self.addTab(w, title)

    def figure_widget(self) -> QWidget:
        return self.currentWidget()

    def state(self) -> dict:
        """The page shown and every named control, for a session
        (bpviz.core.teaching.session_file)."""
        return {"page": self.currentIndex(), "controls": read_controls(self)}

    def set_state(self, state: dict) -> None:
        """Show what ``state()`` returned; ValueError naming a control that does not fit."""
        page = state.get("page", 0)
        if not 0 <= page < self.count():
            raise ValueError(f"the Losses tab has pages 0 to {self.count() - 1}, not {page}")
        before = read_controls(self.surface)
        write_controls(self, state.get("controls", {}))
        if read_controls(self.surface) != before:      # its surface is computed on request
            self.surface.compute()
        self.setCurrentIndex(page)

    def csv_data(self) -> dict:
        page = self.currentWidget()
        assert isinstance(page, CurvePanel | MulticlassPanel | SurfacePanel), "a page of numbers"
        return page.csv_data()
