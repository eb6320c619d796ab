"""Inspector: what the current step of the stepper computed, as the lecture writes it —
values, the upstream gradient dL/dout, the local Jacobian (with its structure named), the
chain-rule product [1×m]·[m×n] = [1×n], parameter gradients, the op's formulas, and a
gradient check."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QWidget)

from ...core.array_views import as_matrix, sample_of
from ...core.classes import LectureContext
from ...core.gradcheck import EPS, TOLERANCE
from ...core.ops import shape_label
from ..widgets.formula import Formula
from ..widgets.heatmap import HeatMap, fmt, named_heatmap
from ..theme import error_color, ok_color
from .chain_view import chain_button
from .lecture_views import backward_views, forward_views
from .sections import SectionLayout, SectionTitle


section = SectionTitle          # a heading: double-click or F enlarges its whole section


class Inspector(QScrollArea):
    check_requested = Signal(str)          # node id: run the gradient check
    chain_requested = Signal(str, str)     # node id, parameter: the chain from the loss

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.current = None        # the StepEvent shown ('event' would hide QWidget.event)
        self.heatmaps: dict[str, HeatMap] = {}
        self.context_source = LectureContext    # the Data panel's: class names, image shape
        self.show_event(None)

    def _clear(self) -> None:
        """A fresh page: setWidget deletes the previous one at once."""
        self.heatmaps = {}
        self.body = QWidget()
        self.layout_ = SectionLayout(self.body)
        self.layout_.setAlignment(Qt.AlignTop)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        self.check_result.setTextFormat(Qt.RichText)
        self.setWidget(self.body)

    def _heatmap(self, key: str, title: str, matrix, note: str = "") -> HeatMap:
        self.heatmaps[key] = named_heatmap(f"heatmap_{key}", title, matrix, note)
        return self.heatmaps[key]

    def _jacobian(self, name: str, title: str, lazy):
        """Any size: the view computes the rows it shows (a small one at once)."""
        from ..widgets.jacobian_view import JacobianView     # with the first backward step
        view = JacobianView(title)
        view.setObjectName(f"heatmap_jac_{name}")
        view.set_jacobian(lazy)
        self.heatmaps[f"jac_{name}"] = view
        return view

    def show_event(self, ev) -> None:
        """Show a StepEvent (None: explain how to start)."""
        self.current = ev
        self._clear()
        add = self.layout_.addWidget
        if ev is None:
            add(QLabel("<b>Step through the network</b><br>Press <b>Space</b> (or ▶) to "
                       "run the forward pass one node at a time, then the backward pass. "
                       "Each step shows its values, the upstream gradient, the local Jacobian "
                       "and the chain-rule product here.", wordWrap=True))
            return
        s = ev.sample
        title = QLabel(f"<b>{ev.position}</b> &nbsp; {ev.node} ({ev.op.name()}) &nbsp; "
                       f"<span style='color:{self._muted()}'>sample {s}</span>",
                       wordWrap=True)
        title.setObjectName("inspector_title")
        add(title)
        add(QLabel(ev.op.doc, wordWrap=True))
        shapes = [f"{slot} {shape_label(v.shape)}" for slot, v in ev.inputs.items()]
        shapes += [f"{p} {shape_label(v.shape)}" for p, v in ev.params.items()]
        shapes.append(f"out {shape_label(np.shape(ev.output))}")
        add(QLabel(" · ".join(shapes), wordWrap=True))
        for latex in (ev.op.formula, ev.op.grad_formula if ev.phase == "backward" else ""):
            if latex:
                f = Formula()
                f.set_latex(latex)
                add(f)
        if ev.phase == "forward":
            self._values(ev)
        else:
            self._backward(ev)
        self.layout_.end_section()
        button = QPushButton("Check gradient")
        button.setObjectName("check_gradient")
        button.setToolTip("Compare dL/d(output) and the parameter gradients of this node "
                          "with central differences of the loss")
        button.clicked.connect(lambda: self.check_requested.emit(ev.node))
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        add(self.check_result)

    def _values(self, ev) -> None:
        add = self.layout_.addWidget
        add(section("Values (this sample)"))
        for view in forward_views(ev, self.context_source()):
            add(view)
        for slot, value in ev.inputs.items():
            add(self._heatmap(f"in_{slot}", f"{slot} ({ev.input_ids[slot]})",
                              as_matrix(sample_of(value, ev.sample))))
        add(self._heatmap("output", "output", as_matrix(sample_of(ev.output, ev.sample))))

    def _backward(self, ev) -> None:
        add = self.layout_.addWidget
        s = ev.sample
        rules = ev.chain_rules
        add(section("Upstream gradient dL/dout (this sample)"))
        add(self._heatmap("dout", f"dL/d{ev.node}", ev.upstream))
        for name in list(ev.inputs) + list(ev.params):
            is_param = name in ev.params
            src = name if is_param else ev.input_ids[name]
            add(section(f"Local Jacobian ∂{ev.node}/∂{src}"))
            structure = ev.op.jacobian_doc.get(name, "")
            if structure:
                label = QLabel(f"<i>Structure:</i> {structure}", wordWrap=True)
                label.setObjectName(f"structure_{name}")
                add(label)
            which = "this sample" if is_param else f"sample {s}"
            add(self._jacobian(name, f"J ({which})", ev.lazy_jacobian[name]))
            if name in rules:
                self._chain(name, src, rules[name], is_param, ev.node)
        for view in backward_views(ev, self.context_source()):
            add(view)
        self._lecture_note(ev)

    def _lecture_note(self, ev) -> None:
        """Where the op's number departs from the lecture's (the batch mean, a 1/C), said
        next to the gradient so a student comparing with the slides is not misled."""
        first = next(iter(ev.inputs.values()), None)
        note = ev.op.lecture_note(np.shape(first)) if first is not None else ""
        if note:
            label = QLabel(f"<i>Lecture vs bpviz:</i> {note}", wordWrap=True)
            label.setObjectName("lecture_note")
            self.layout_.addWidget(label)

    def _chain(self, name, src, rule, is_param: bool, node: str) -> None:
        """The stepper's dL/d(input) = dout · J, drawn as [1×m]·[m×n] = [1×n] with the
        numbers."""
        add = self.layout_.addWidget
        m, n = rule.rows, rule.columns
        text = (f"Chain rule: dL/d{src} = dL/d{node} · J = [1×{m}] · [{m}×{n}] = [1×{n}]")
        label = QLabel(text, wordWrap=True)
        label.setObjectName(f"chain_{name}")
        label.setMinimumWidth(10)
        add(label)
        if rule.product is not None and m * n <= 144:
            row = QHBoxLayout()
            for key, matrix, caption in (("dout", rule.dout, "dL/dout"),
                                         ("j", rule.jacobian, "J"),
                                         ("prod", rule.product, "product")):
                row.addWidget(self._heatmap(f"chain_{name}_{key}", caption, matrix))
            self.layout_.addLayout(row)
        what = f"dL/d{name} (summed over the batch)" if is_param else f"dL/d{src} (this sample)"
        add(self._heatmap(f"grad_{name}", what, as_matrix(rule.gradient)))
        if is_param:
            add(chain_button(node, name, self.chain_requested.emit))

    def show_check(self, results, node: str = "") -> None:
        """Gradient-check results (bpviz.core.gradcheck.GradCheck list) or an error text.

        Passing means a relative error below gradcheck's TOLERANCE beyond the noise floor of
        the differences; kinks and gradients too small to measure are counted, not judged.
        The text shows the plain relative error and says what was compared with what:
        agreement within the floor is not shown as an exact 0."""
        if isinstance(results, str):
            self.check_result.setText(f"<span style='color:{error_color()}'>{results}</span>")
            return
        lines = [self._check_line(r, node) for r in results]
        eps = fmt(results[0].eps if results else EPS)
        self.check_result.setText(
            "<br>".join(lines) + f"<br><span style='color:{self._muted()}'>compared: dL/dx "
            "from the backward pass against central differences (L(x + εe) − L(x − εe)) / 2ε "
            f"of the loss, ε = {eps}, at randomly chosen entries e, and ⟨dL/dx, u⟩ against the "
            "same difference along one random direction u; evaluation mode</span>")

    def _muted(self) -> str:
        """Secondary text: the theme's muted colour (4.5:1 on its background), not 'gray'."""
        return self.palette().placeholderText().color().name()

    @staticmethod
    def _check_line(r, node: str) -> str:
        ok = r.passed(TOLERANCE)
        mark = f"<span style='color:{ok_color()}'>✔</span>" if ok else \
            f"<span style='color:{error_color()}'>✘</span>"
        what = node if r.name == "output" else r.name
        within = "within" if r.within_floor else "above"
        line = (f"{mark} <b>dL/d{what}</b>: max relative error {fmt(r.raw_rel_error)} over "
                f"{int(r.judged.sum())} of {len(r.indices)} entries (largest difference "
                f"{fmt(r.max_abs_error)}, {within} the noise floor {fmt(r.floor)}); random "
                f"direction: " + (f"relative error {fmt(r.projection_raw_rel_error)}"
                                  if r.projection_checked else
                                  f"not compared ({r.projection_skipped})"))
        skipped = []
        if r.kinks is not None and r.kinks.any():
            skipped.append(f"{int(r.kinks.sum())} at a kink (no derivative there)")
        if r.tiny.any():
            skipped.append(f"{int(r.tiny.sum())} below the differences' noise floor")
        if skipped:
            line += "<br>&nbsp;&nbsp;&nbsp;not judged: " + ", ".join(skipped)
        return line
