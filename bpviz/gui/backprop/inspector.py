"""Inspector: what the current step of the stepper computed, as the lecture writes it — one
InspectorPage per node and phase (values, dL/dout, the local Jacobian, the chain-rule product,
parameter gradients, formulas) — and the gradient check.

Pages are kept (the last MAX_PAGES shown) and updated in place: a step back and forth, or
another sample, shows new numbers on the widgets already there instead of building a page
again. A page not shown keeps its widgets and pictures but lets go of the step's arrays;
``clear_pages`` drops the pages and the kept pictures (a new graph or lesson)."""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from ...core.backprop.class_vectors import LectureContext
from ...core.backprop.gradcheck import EPS, TOLERANCE
from ..theme import error_color, ok_color
from ..widgets.drawing import forget_drawings
from ..widgets.heatmap import fmt
from .inspector_page import InspectorPage, muted

# pages kept: every node of sigmoid_chain (108 steps) and AlexNet (48) forward and backward;
# a page not shown holds its widgets and pictures, no arrays
MAX_PAGES = 128


class Inspector(QScrollArea):
    check_requested = Signal(str)          # node id: run the gradient check
    chain_requested = Signal(str, str)     # node id, parameter: the chain from the loss

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.current = None        # the StepEvent shown ('event' would hide QWidget.event)
        self.context_source = LectureContext    # the Data panel's: class names, image shape
        self.pages: OrderedDict[tuple, InspectorPage] = OrderedDict()   # shown last: last
        self.pages_built = 0       # pages of steps built (not filled again): for tests
        # the pages not shown wait here, outside the inspector: findChild sees the one shown
        self.shelf = QWidget()
        self.destroyed.connect(self.shelf.deleteLater)
        self.intro = InspectorPage()
        self.intro.show_event(None, None)
        self.page = self.intro
        self.setWidget(self.intro)

    # the page shown, as tests, lessons and the enlarged view know it
    @property
    def heatmaps(self) -> dict:
        """Heat maps and Jacobian views by key ("dout", "jac_<name>", "in_<slot>",
        "output", "grad_<name>", ...)."""
        return self.page.heatmaps

    @property
    def body(self) -> InspectorPage:
        return self.page

    @property
    def layout_(self):
        return self.page.layout_

    @property
    def check_result(self):
        return self.page.check_result

    def show_event(self, ev) -> None:
        """Show a StepEvent (None: explain how to start) on its kept page, or a new one."""
        self.current = ev
        if ev is None:
            self._show_page(self.intro)
            return
        key, context = (ev.node, ev.phase), self.context_source()
        page, stale = self.pages.pop(key, None), None
        if page is not None and not page.show_event(ev, context):
            page, stale = None, page
        if page is None:
            page = self._new_page(ev, context)
        self.pages[key] = page
        self._show_page(page)
        if stale is not None:
            stale.deleteLater()
        while len(self.pages) > MAX_PAGES:
            self.pages.popitem(last=False)[1].deleteLater()

    def clear_pages(self) -> None:
        """Drop every kept page and picture (a new graph or lesson: none will be shown
        again); the Inspector explains how to start."""
        self.current = None
        self._show_page(self.intro)
        for page in self.pages.values():
            page.deleteLater()
        self.pages.clear()
        forget_drawings()

    def _new_page(self, ev, context) -> InspectorPage:
        page = InspectorPage(self.shelf)
        page.check_requested.connect(self.check_requested)
        page.chain_requested.connect(self.chain_requested)
        page.show_event(ev, context)
        self.pages_built += 1
        return page

    def _show_page(self, page: InspectorPage) -> None:
        if page is self.page:
            return
        self.takeWidget().setParent(self.shelf)      # setWidget would delete it
        self.page.release()
        self.page = page
        # as wide as the view, not its size hint (three 128 px class templates side by
        # side): else a horizontal scroll bar shows until the next layout pass
        page.resize(self.viewport().width(), page.height())
        self.setWidget(page)
        # Qt shows or hides scroll bars by a queued call: settle them now, or a page shown
        # before the event loop runs again is drawn with the last page's stray bar
        for _ in range(3):
            QApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def show_check(self, results, node: str = "") -> None:
        """Gradient-check results (bpviz.core.backprop.gradcheck.GradCheck list) or an error text.

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
            "<br>".join(lines) + f"<br><span style='color:{muted(self)}'>compared: ∂L/∂x "
            "from the backward pass against central differences (L(x + εe) − L(x − εe)) / 2ε "
            f"of the loss, ε = {eps}, at randomly chosen entries e, and ⟨∂L/∂x, u⟩ against the "
            "same difference along one random direction u; evaluation mode</span>")

    @staticmethod
    def _check_line(r, node: str) -> str:
        ok = r.passed(TOLERANCE)
        mark = f"<span style='color:{ok_color()}'>✔</span>" if ok else \
            f"<span style='color:{error_color()}'>✘</span>"
        what = node if r.name == "output" else r.name
        within = "within" if r.within_floor else "above"
        line = (f"{mark} <b>∂L/∂{what}</b>: max relative error {fmt(r.raw_rel_error)} over "
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
