"""ChainView: the lecture's ∂L/∂W = ∂L/∂σ · ∂σ/∂y · ∂y/∂W for one parameter as one
expression — the symbols with the node names, the shapes under each factor, each factor's
numbers as a heat map — and the product next to the engine's gradient. The numbers are
bpviz.core.backprop.chain_path's; ChainDialog holds the view, ``open_chain`` opens it for the
workspace (Step ▸ Chain Rule from the Loss, Ctrl+R, or the Inspector's button)."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import GraphError
from ...core.backprop.chain_path import ChainPath, chain_path
from ...core.backprop.upstream import weighted_before
from ...core.display.array_views import as_matrix
from ..theme import show_as_error
from ..widgets.busy_row import BusyRow
from ..widgets.formula import Formula, formula_size
from ..widgets.heatmap import HeatMap, named_heatmap
from ..widgets.jacobian_view import JacobianView
from ..widgets.named import named
from ..widgets.subscribe import follow
from ..widgets.threads import Worker
from .chain_text import SHORTCUT, difference_text, expression, fraction

MIN_CARD_WIDTH = 220        # px: a fraction, a shape and a caption side by side
MAX_OFFERS = 8              # parameters offered where a node has none (AlexNet has 16)
WORKER = Worker("chain-rule")   # AlexNet's conv1 chain takes 1.6 s: never on the GUI thread


def chain_button(node: str, param: str, open_it) -> QPushButton:
    """The Inspector's way in: ``open_it(node, param)`` on click."""
    button = QPushButton(f"Chain from the loss: ∂L/∂{param}")     # short: the dock is narrow
    button.setObjectName(f"chain_open_{param}")
    button.setToolTip("The lecture's product ∂L/∂W = ∂L/∂σ · ∂σ/∂y · ∂y/∂W along the whole "
                      f"chain from the loss, every factor with its numbers, next to the "
                      f"engine's gradient ({SHORTCUT})")
    button.clicked.connect(lambda: open_it(node, param))
    return button


class ChainView(QWidget):
    """Builds itself from a ChainPath; the route and sample controls ask for another."""

    chosen = Signal(str, str)           # a parameter offered where there is no chain
    arrived = Signal()                  # a computed chain (or why there is none) is shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graph, self.node, self.param = None, "", ""
        self.chain: ChainPath | None = None
        self.heatmaps: dict[str, HeatMap] = {}
        self.jacobians: dict[str, JacobianView] = {}       # factors too big to build whole
        layout = QVBoxLayout(self)
        self.title = named(QLabel(wordWrap=True), "chain_title")
        layout.addWidget(self.title)
        self.controls = QWidget()
        self.controls.setLayout(self._controls())
        layout.addWidget(self.controls)
        self.busy = BusyRow("chain_busy")
        self.busy.cancel_asked.connect(self.cancel)
        self.busy.again_asked.connect(self.compute)
        layout.addWidget(self.busy)
        self.generation = 0             # of the chain asked for last; older ones are dropped
        self.message = named(QLabel(wordWrap=True), "chain_message")
        show_as_error(self.message)
        layout.addWidget(self.message)
        self.offers = named(QWidget(), "chain_offers")      # parameters to pick instead
        self.offer_box = QVBoxLayout(self.offers)
        self.offers.hide()
        layout.addWidget(self.offers)
        self.formula = named(Formula(), "chain_formula")
        layout.addWidget(self.formula)
        self.shapes = named(QLabel(wordWrap=True), "chain_shapes")
        layout.addWidget(self.shapes)
        self.strip = QScrollArea(widgetResizable=True)
        self.strip.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.strip, 1)
        self.relation = named(QLabel(wordWrap=True), "chain_relation")
        layout.addWidget(self.relation)

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.route_box = named(QComboBox(), "chain_route")
        self.route_box.setToolTip("Where the graph branches, each route from the loss has a "
                                  "product of its own; the gradient is their sum")
        self.route_box.activated.connect(lambda _: self.compute())
        self.sample_box = named(QSpinBox(prefix="sample "), "chain_sample")
        self.sample_box.valueChanged.connect(lambda _: self.compute())
        self.param_box = named(QComboBox(), "chain_param")     # its owner picks
        row.addWidget(self.param_box)
        row.addWidget(QLabel("route"))
        row.addWidget(self.route_box, 1)
        row.addWidget(self.sample_box)
        return row

    # --- what to show ----------------------------------------------------------------
    def set_target(self, graph, node: str, param: str, sample: int, batch: int,
                   params: list[str]) -> None:
        """Show ``node.param`` of ``graph`` (forward and backward have run); ``params``
        lists the node's parameters for the chooser. Another target starts at route 1."""
        if (graph, node, param) != (self.graph, self.node, self.param):
            self.route_box.clear()
        self.graph, self.node, self.param = graph, node, param
        self.param_box.clear()
        self.param_box.addItems(params)
        self.param_box.setCurrentText(param)
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(0, max(0, batch - 1))
        self.sample_box.setValue(sample)
        self.sample_box.blockSignals(False)
        self.compute()

    def compute(self) -> None:
        """Ask the core for the chosen route and sample on the worker thread, showing what
        is computed meanwhile; a refusal is shown, not raised."""
        if self.graph is None:
            return
        self.generation += 1
        generation, graph, node, param = self.generation, self.graph, self.node, self.param
        sample, route = self.sample_box.value(), max(0, self.route_box.currentIndex())
        self.busy.start(f"Computing ∂L/∂{param} of {node} along the chain from the loss…")
        WORKER.submit(lambda: None if generation != self.generation
                      else chain_path(graph, node, param, sample, route),
                      lambda chain, err: self._arrived(generation, chain, err))

    @property
    def computing(self) -> bool:
        return self.busy.busy

    def cancel(self) -> None:
        """Drop the chain under way (the dialog closed, or Cancel): it is never shown."""
        if self.computing:
            self.generation += 1
            self.busy.cancelled(f"Cancelled: ∂L/∂{self.param} of {self.node} was not "
                                "computed.")

    def _arrived(self, generation: int, chain: ChainPath | None, err) -> None:
        if not shiboken6.isValid(self) or generation != self.generation:
            return                                  # closed, cancelled or asked again
        self.busy.stop()
        if isinstance(err, GraphError):
            self.show_message(str(err))
        elif err is not None:                       # a fault: said in one line, not raised
            self.show_message(f"Could not compute the chain: {type(err).__name__}: {err}")
        elif chain is not None:                     # None only for a chain asked again
            self.show_chain(chain)
        self.arrived.emit()

    def show_message(self, text: str, title: str = "",
                     offers: Sequence[tuple[str, str]] = ()) -> None:
        """No chain to show: say why (and what to do), clearing the numbers; ``offers``
        (node, parameter) become buttons that ask for those chains instead."""
        self.generation += 1                       # a chain under way is not wanted now
        self.busy.stop()
        self.chain = None
        self.message.setText(text)
        self.message.show()
        self.title.setText(f"<b>{escape(title, quote=False)}</b>" if title else "")
        if title:                                  # a fact about the node, not a fault
            self.message.setForegroundRole(QPalette.ColorRole.WindowText)
        else:
            show_as_error(self.message)
        self.controls.hide()                       # no route or sample to choose
        self._offer(offers)
        for widget in (self.formula, self.shapes, self.strip, self.relation):
            widget.hide()

    def _offer(self, offers) -> None:
        box = self.offer_box
        while (item := box.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        if offers:
            box.addWidget(QLabel("Its gradient is a factor in the chains of these "
                                 "parameters:", wordWrap=True))
        for node, param in offers[:MAX_OFFERS]:
            button = named(QPushButton(f"∂L/∂{param} of {node}"), f"chain_offer_{node}.{param}")
            button.clicked.connect(lambda _=False, n=node, p=param: self.chosen.emit(n, p))
            box.addWidget(button)
        if len(offers) > MAX_OFFERS:
            box.addWidget(QLabel(f"(and {len(offers) - MAX_OFFERS} more)"))
        self.offers.setVisible(bool(offers))

    def show_chain(self, chain: ChainPath) -> None:
        self.chain = chain
        self.message.hide()
        self._offer([])
        self.controls.show()
        self.title.setText(f"<b>∂L/∂{escape(chain.param)} of {escape(chain.node)}</b> along "
                           f"the chain from the loss, sample {chain.sample} of {chain.batch}")
        self._fill_routes(chain)
        self.formula.set_latex(expression(chain))        # sized by the font: presentation too
        self.shapes.setText(chain.shapes_text)
        self.heatmaps, self.jacobians = {}, {}
        self.strip.setWidget(self._factor_strip(chain))
        self.relation.setText(chain.relation())
        for widget in (self.formula, self.shapes, self.strip, self.relation):
            widget.show()

    def _fill_routes(self, chain: ChainPath) -> None:
        if self.route_box.count() != len(chain.routes):
            self.route_box.clear()
            for k, route in enumerate(chain.routes):
                self.route_box.addItem(f"{k + 1} of {chain.route_count}: {route.text}")
        self.route_box.setCurrentIndex(chain.routes.index(chain.route))
        self.route_box.setEnabled(len(chain.routes) > 1)

    # --- the factors, left to right as the lecture writes them ----------------------------
    def _factor_strip(self, chain: ChainPath) -> QWidget:
        strip = QWidget()
        row = QHBoxLayout(strip)
        for k, factor in enumerate(chain.factors):
            if k:
                row.addWidget(self._operator(r"\cdot"))
            row.addWidget(self._card(k, factor, chain))
        row.addWidget(self._operator("="))
        row.addWidget(self._result_card(chain))
        row.addStretch(1)
        return strip

    def _operator(self, latex: str) -> Formula:
        """· or = between the cards, in the formula's font, twice its size."""
        operator = Formula()
        operator.set_latex(latex, 2 * formula_size(self))
        operator.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return operator

    def _card(self, k: int, factor, chain: ChainPath) -> QFrame:
        """One factor: its fraction, shape, structure and numbers; under it the product so
        far, dL/d(denominator) (the lecture's ∂L/∂σ is the row after the Log)."""
        card = named(QFrame(frameShape=QFrame.Shape.StyledPanel), f"chain_factor_{k}")
        box = QVBoxLayout(card)
        formula = Formula()
        formula.set_latex(fraction(factor.of, factor.by))
        box.addWidget(formula)
        rows, cols = factor.shape
        shape = named(QLabel(f"[{rows}×{cols}]", alignment=Qt.AlignmentFlag.AlignCenter),
                      f"chain_shape_{k}")
        box.addWidget(shape)
        if factor.structure:
            box.addWidget(QLabel(f"<i>{escape(factor.structure)}</i>", wordWrap=True))
        box.addWidget(self._numbers(k, factor))
        if 0 < k < len(chain.factors) - 1:      # the first is its own row; the last: below
            box.addWidget(self._heatmap(f"partial_{k}", f"product so far = ∂L/∂{factor.by}",
                                        as_matrix(chain.partials[k].ravel())))
        box.addStretch(1)
        # as wide as its widest heat map wants (numbers at full size), never squeezed
        card.setMinimumWidth(max(MIN_CARD_WIDTH, card.sizeHint().width()))
        return card

    def _numbers(self, k: int, factor) -> QWidget:
        """A heat map of a factor built whole; a too-big one (the lecture's ∂y/∂W is
        10 × 1,505,280) in a JacobianView that computes the rows it shows."""
        if factor.matrix is not None or not factor.lazy.available:
            return self._heatmap(f"factor_{k}", "numbers (this sample)", factor.matrix,
                                 factor.note)
        view = named(JacobianView(), f"chain_factor_{k}")
        view.set_jacobian(factor.lazy, "numbers (this sample): drag, wheel, + − to look",
                          factor.note)
        self.jacobians[f"factor_{k}"] = view
        return view

    def _heatmap(self, key: str, title: str, matrix, note: str = "") -> HeatMap:
        self.heatmaps[key] = named_heatmap(f"chain_{key}", title, matrix, note)
        return self.heatmaps[key]

    # --- the product next to the engine's gradient ------------------------------------------
    def _result_card(self, chain: ChainPath) -> QFrame:
        """The product in the parameter's shape, its sum over the batch (and routes), the
        engine's gradient, and how far apart they are."""
        card = named(QFrame(frameShape=QFrame.Shape.StyledPanel), "chain_result")
        box = QVBoxLayout(card)
        summed = "samples" + (" and routes" if chain.route_count > 1 else "")
        for key, title, matrix in (
                ("product", f"sample {chain.sample}'s ∂L/∂{chain.param}"
                 + (", this route" if chain.route_count > 1 else ""), chain.product),
                ("total", f"Σ over all {chain.batch} {summed}", chain.total),
                ("engine", f"the engine's ∂L/∂{chain.param}", chain.gradient)):
            box.addWidget(self._heatmap(key, title, as_matrix(matrix)))
        self.difference = named(QLabel(difference_text(chain), wordWrap=True),
                                "chain_difference")
        box.addWidget(self.difference)
        box.addStretch(1)
        card.setMinimumWidth(max(MIN_CARD_WIDTH, card.sizeHint().width()))
        return card


class ChainDialog(QDialog):
    """The chain in a window of its own, nearly as large as the main window (the factors
    stand side by side); it follows the stepper while open. Esc closes it."""

    def __init__(self, workspace):
        super().__init__(workspace.window)
        self.workspace = workspace
        self.node: str | None = None
        self.param: str | None = None
        self.setObjectName("chain_dialog")
        self.setWindowTitle("Chain rule from the loss")
        self.view = ChainView()
        self.view.param_box.activated.connect(self._param_chosen)
        self.view.chosen.connect(self.open_for)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        follow(workspace.classroom.stepped, self, self._follow)

    def open_for(self, node: str | None = None, param: str | None = None) -> None:
        """Show ``node.param``; without a node, the selected one or the stepped one."""
        self.node, self.param = node or self._picked_node(), param
        self.refresh()
        window = self.workspace.window
        if self.view.chain is None and not self.view.computing:   # a message: its size
            self.resize(window.width() // 2, self.minimumSizeHint().height())
        else:
            self.resize(window.width() * 9 // 10, window.height() * 9 // 10)
        self.move(window.geometry().center() - self.rect().center())
        self.show()
        self.raise_()
        self.activateWindow()

    def done(self, result: int) -> None:
        """Closed (Esc, Close, the window's ×): a chain under way is dropped."""
        self.view.cancel()
        super().done(result)

    def _picked_node(self) -> str | None:
        ids = self.workspace.editor.selected_ids()
        if len(ids) == 1:
            return ids[0]
        event = self.workspace.classroom.current
        return event.node if event is not None else None

    def _follow(self, *_) -> None:
        if self.isVisible():
            self.refresh()

    def _param_chosen(self, index: int) -> None:
        self.param = self.view.param_box.itemText(index)
        self.refresh()

    def refresh(self) -> None:
        """The chain as the stepper now stands, or what must happen first."""
        stepper = self.workspace.classroom.stepper
        problem = self._problem(stepper)
        if problem or self.node is None:             # no node is a problem it names
            self.view.show_message(problem, *self._no_weights())
            return
        names = stepper.graph.param_names(self.node)
        self.param = self.param if self.param is not None and self.param in names else names[0]
        self.view.set_target(stepper.graph, self.node, self.param, stepper.sample,
                             stepper.batch, names)

    def _no_weights(self) -> tuple[str, list]:
        """A title and the parameters to offer where the node has no weights."""
        graph = self.workspace.document.graph
        if self.node is None or self.node not in graph.nodes:
            return "", []
        try:
            if graph.param_names(self.node):
                return "", []
            return (f"No ∂L/∂W for '{self.node}'", weighted_before(graph, self.node))
        except GraphError:
            return "", []

    def _problem(self, stepper) -> str:
        graph = self.workspace.document.graph
        if self.node is None or self.node not in graph.nodes:
            return ("Select a node with parameters on the canvas (a Linear or Conv2d layer), "
                    f"or step to one, then press {SHORTCUT}.")
        try:
            has_params = bool(graph.param_names(self.node))
        except GraphError as err:
            return str(err)
        if not has_params:
            return (f"'{self.node}' ({graph.nodes[self.node].op}) has no parameters: the "
                    f"chain rule's ∂L/∂W ends at a layer with weights, such as a Linear or "
                    f"Conv2d node.")
        stepped = stepper is not None and any(
            e.phase == "backward" and e.node == self.node for e in stepper.history)
        if not stepped:
            return (f"Step the backward pass through '{self.node}' first (Ctrl+Space runs to "
                    f"the end of a phase): the chain from the loss ends at its parameters.")
        return ""


def open_chain(workspace, node: str | None = None, param: str | None = None) -> ChainDialog:
    """Open (or bring back) the workspace's chain dialog for ``node.param``."""
    dialog = getattr(workspace, "chain_dialog", None)
    if dialog is None:
        dialog = workspace.chain_dialog = ChainDialog(workspace)
    dialog.open_for(node, param)
    return dialog
