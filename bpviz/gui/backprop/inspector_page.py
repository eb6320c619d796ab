"""InspectorPage: the Inspector's page for one (node, phase) of the stepper — values, the
upstream gradient dL/dout, the local Jacobian (with its structure named), the chain-rule
product [1×m]·[m×n] = [1×n], parameter gradients, the op's formulas and the lecture's
images and class vectors.

A page is built by the first step at its node and phase; every later one (a step back and
forth, another sample, new weights) shows its numbers on the same widgets: each widget has a
key, and a step fills the widgets in the order it needs them. A step that needs other
widgets than the page has (the graph or the data changed) is not shown (``show_event``
returns False): the Inspector builds a new page for it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QPushButton, QSizePolicy, QWidget

from ...core.display.array_views import as_matrix, sample_label, sample_of
from ...core.display.formula_parts import formula_parts
from ...core.ops import shape_label
from ...core.teaching.answer_cards import Card, card_text
from ..widgets.formula import Formula
from ..widgets.heatmap import HeatMap
from .sections import SectionLayout, SectionTitle

INTRO = ("<b>Step through the network</b><br>Press <b>Space</b> (or ▶) to run the forward "
         "pass one node at a time, then the backward pass. Each step shows its values, the "
         "upstream gradient, the local Jacobian and the chain-rule product here.")


LARGEST = Card("largest |entry|", "largest", "grad")


class Stale(Exception):
    """The step needs a widget that the page was not built with."""


def muted(widget: QWidget) -> str:
    """Secondary text: the theme's muted colour (4.5:1 on its background), not 'gray'."""
    return widget.palette().placeholderText().color().name()


def snug(button: QPushButton) -> QPushButton:
    """``button`` may give up its padding, not its text, in a narrow dock: with the
    projector's type the chain button was 1 px wider than the Inspector's column, which
    then scrolled sideways and cut every formula's end."""
    text = button.fontMetrics().horizontalAdvance(button.text())
    button.setMinimumWidth(min(button.minimumSizeHint().width(), text + 12))
    return button


class InspectorPage(QWidget):
    check_requested = Signal(str)          # node id: run the gradient check
    chain_requested = Signal(str, str)     # node id, parameter: the chain from the loss

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layout_ = SectionLayout(self)
        self.layout_.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.views: dict[str, QWidget | QLayout] = {}     # by key, in the order built
        # heat maps, Jacobians and the lecture's views: what a lesson's "focus" enlarges
        self.heatmaps: dict[str, QWidget] = {}
        self.built = False
        self._filled: list[str] = []
        self.check_result = QLabel()
        self.check_result.setObjectName("check_result")
        self.check_result.setWordWrap(True)
        self.check_result.setTextFormat(Qt.TextFormat.RichText)

    def show_event(self, ev, ctx) -> bool:
        """Show a StepEvent (None: how to start) with a LectureContext; False when it needs
        other widgets than this page's."""
        self._filled = []
        try:
            self._fill(ev, ctx)
        except Stale:
            return False
        if self.built and self._filled != list(self.views):
            return False                      # fewer widgets than the page has
        self.built = True
        self.check_result.setText("")         # a check of other numbers
        return True

    def release(self) -> None:
        """Not shown: the page keeps its widgets but not the step's arrays (the next step
        shown here fills them again). Its pictures (uint8, a few MB at most) stay, to be
        shown until the next step's are drawn."""
        for view in self.heatmaps.values():          # heat maps and Jacobian views
            if isinstance(view, HeatMap):
                view.set_array(None)
            elif hasattr(view, "set_jacobian"):       # the dropout mask keeps a picture
                view.set_jacobian(None)

    # --- building or filling, by key ------------------------------------------------------
    def _put(self, key: str, make, fill=None, into=None):
        """The widget (or layout) under ``key``: made and added on the first fill (to
        ``into`` or the page), then ``fill(view)``."""
        view = self.views.get(key)
        if view is None:
            if self.built:
                raise Stale(key)
            view = make()
            self.views[key] = view
            target = into if into is not None else self.layout_
            (target.addLayout if isinstance(view, QLayout) else target.addWidget)(view)
        if fill is not None:
            fill(view)
        self._filled.append(key)
        return view

    def _label(self, key: str, text: str, name: str = "") -> None:
        def make():
            label = QLabel(wordWrap=True)
            label.setObjectName(name)
            label.setMinimumWidth(10)
            return label
        self._put(key, make, lambda label: label.text() != text and label.setText(text))

    def _section(self, text: str) -> None:
        self._put(f"section {text}", lambda: SectionTitle(text))

    def _heatmap(self, key: str, title: str, matrix, into=None, named: str = "") -> None:
        """``named``: the title it gets enlarged, which says whose values these are."""
        def make():
            heatmap = HeatMap(title)
            heatmap.setObjectName(f"heatmap_{key}")
            self.heatmaps[key] = heatmap
            return heatmap

        def fill(heatmap):
            heatmap.set_array(matrix, title=title)
            heatmap.focus_title = named or title
        self._put(key, make, fill, into)

    def _jacobian(self, name: str, title: str, lazy, named: str = "") -> None:
        """Any size: the view computes the rows it shows (a small one at once)."""
        def make():
            from ..widgets.jacobian_view import JacobianView  # with the first backward step
            view = JacobianView(title)
            view.setObjectName(f"heatmap_jac_{name}")
            # as tall as it asks, like a heat map: a page taller than the dock scrolls
            # instead of squeezing the Jacobian (the one view that could shrink) flat
            view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.heatmaps[f"jac_{name}"] = view
            return view

        def fill(view):
            if view.lazy is not lazy or view.title != title:
                view.set_jacobian(lazy, title=title)
            view.focus_title = named or title
        self._put(f"jac_{name}", make, fill)

    def _formula(self, key: str, latex: str) -> None:
        self._put(key, Formula, lambda f: f.latex != latex and f.set_latex(latex))

    def _lecture(self, views) -> None:
        """The lecture's images and class vectors (lecture_views.LectureView); a lesson
        enlarges one by its key (lesson 1 step 4: "classes_output", the ten softmax
        probabilities with their numbers)."""
        for view in views:
            def make(view=view):
                widget = view.kind()
                widget.setObjectName(view.key)
                self.heatmaps[view.key] = widget
                return widget
            self._put(view.key, make, view.fill)

    # --- what a step shows ----------------------------------------------------------------
    def _fill(self, ev, ctx) -> None:
        if ev is None:
            self._label("intro", INTRO)
            return
        # the step's views are loaded by the first step, not with the window (issue 24)
        from .dropout_view import DropoutMaskView, dropout_mask

        self._label("title", f"<b>{ev.position}</b> &nbsp; {ev.node} ({ev.op.name()}) &nbsp; "
                             f"<span style='color:{muted(self)}'>sample&nbsp;{ev.sample}</span>",
                    "inspector_title")
        self._label("doc", ev.op.doc)
        shapes = [f"{slot} {shape_label(v.shape)}" for slot, v in ev.inputs.items()]
        shapes += [f"{p} {shape_label(v.shape)}" for p, v in ev.params.items()]
        shapes.append(f"out {shape_label(np.shape(ev.output))}")
        # the example's choice: float64 where the lecture's numbers are exact, float32 where
        # speed matters (AlexNet, the CNNs)
        shapes.append(f"numbers in {np.asarray(ev.output).dtype}")
        self._label("shapes", " · ".join(shapes))
        for k, latex in enumerate((ev.op.formula,
                                   ev.op.grad_formula if ev.phase == "backward" else "")):
            # two equations side by side, one below the other: in the dock's width both
            # were shrunk below the text's size, or cut (Linear's ∂L/∂W, ∂L/∂x)
            for part, equation in enumerate(formula_parts(latex)):
                self._formula(f"formula {k}.{part}", equation)
        if dropout_mask(ev) is not None:       # first: 4,096 units are dots further down
            self._section("Dropout mask (this sample)")
            view = self._put("dropout", DropoutMaskView, lambda view: view.show_event(ev))
            self.heatmaps["dropout_mask"] = view          # a lesson's "focus" enlarges it
        if ev.phase == "forward":
            self._values(ev, ctx)
        else:
            self._backward(ev, ctx)
        self.layout_.end_section()
        self._put("check", lambda: self._check_row(ev.node))
        self._put("check_result", lambda: self.check_result)

    def _check_row(self, node: str) -> QHBoxLayout:
        button = QPushButton("Check gradient")
        button.setObjectName("check_gradient")
        button.setToolTip("Compare ∂L/∂(output) and the parameter gradients of this node "
                          "with central differences of the loss")
        button.clicked.connect(lambda: self.check_requested.emit(node))
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        return row

    def _values(self, ev, ctx) -> None:
        from .lecture_views import forward_views

        self._section("Values (this sample)")
        self._lecture(forward_views(ev, ctx))
        whose = f"{ev.node} ({ev.op.name()})"
        for slot, value in ev.inputs.items():
            self._heatmap(f"in_{slot}", f"{slot} ({ev.input_ids[slot]})",
                          as_matrix(sample_of(value, ev.sample)),
                          named=f"{whose}: its {slot}, from {ev.input_ids[slot]} · "
                                f"{sample_label(value, ev.sample)}")
        self._heatmap("output", "output", as_matrix(sample_of(ev.output, ev.sample)),
                      named=f"{whose}: its output · {sample_label(ev.output, ev.sample)}")

    def _backward(self, ev, ctx) -> None:
        from .lecture_views import backward_views

        rules = ev.chain_rules
        self._section("Upstream gradient ∂L/∂out (this sample)")
        self._heatmap("dout", f"∂L/∂{ev.node}", ev.upstream,
                      named=f"∂L/∂{ev.node}: the gradient reaching {ev.node} · "
                            f"sample {ev.sample}")
        for name in list(ev.inputs) + list(ev.params):
            is_param = name in ev.params
            src = name if is_param else ev.input_ids[name]
            self._section(f"Local Jacobian ∂{ev.node}/∂{src}")
            structure = ev.op.jacobian_doc.get(name, "")
            if structure:
                self._label(f"structure {name}", f"<i>Structure:</i> {structure}",
                            f"structure_{name}")
            which = "this sample" if is_param else f"sample {ev.sample}"
            self._jacobian(name, f"J ({which})", ev.lazy_jacobian[name],
                           f"∂{ev.node}/∂{src}: {ev.node}'s local Jacobian ({which})")
            if name in rules:
                self._chain(name, src, rules[name], is_param, ev.node)
        self._lecture(backward_views(ev, ctx))
        first = next(iter(ev.inputs.values()), None)
        note = ev.op.lecture_note(np.shape(first)) if first is not None else ""
        if note:      # where the op's number departs from the slides (a batch mean, a 1/C)
            self._label("lecture note", f"<i>Lecture vs bpviz:</i> {note}", "lecture_note")

    def _chain(self, name, src, rule, is_param: bool, node: str) -> None:
        from .chain_view import chain_button

        """The stepper's dL/d(input) = dout · J, drawn as [1×m]·[m×n] = [1×n] with the
        numbers."""
        m, n = rule.rows, rule.columns
        self._label(f"chain {name}", f"Chain rule: ∂L/∂{src} = ∂L/∂{node} · J = "
                                     f"[1×{m}] · [{m}×{n}] = [1×{n}]", f"chain_{name}")
        if rule.product is not None and m * n <= 144:
            row = self._put(f"chain row {name}", QHBoxLayout)
            for key, matrix, caption in (("dout", rule.dout, "∂L/∂out"),
                                         ("j", rule.jacobian, "J"),
                                         ("prod", rule.product, "product")):
                self._heatmap(f"chain_{name}_{key}", caption, matrix, into=row)
        what = f"∂L/∂{name} (summed over the batch)" if is_param else f"∂L/∂{src} (this sample)"
        # a parameter's gradient enlarged names its largest entry: the size a lesson talks
        # about (3.8: fc8's 7·10⁻⁴), which no cell of a dense matrix shows legibly
        largest = (f" · largest |entry| {card_text(LARGEST, rule.gradient)}"
                   if is_param and np.size(rule.gradient) else "")
        self._heatmap(f"grad_{name}", what, as_matrix(rule.gradient),
                      named=f"{node}'s {what}{largest}")
        if is_param:
            def make():
                button = snug(chain_button(node, name, self.chain_requested.emit))
                button.installEventFilter(self)          # and again in presentation's type
                return button
            self._put(f"chain button {name}", make)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.FontChange and isinstance(watched, QPushButton):
            snug(watched)
        return False
