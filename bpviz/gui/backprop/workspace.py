"""BackpropWorkspace: everything of the Backprop tab and how it is wired — the canvas and
its editor, the docks (Layers, Properties, Inspector, Problems, Update & Train), the stepper,
the gradient check and the tab's menu actions. The main window only gives it a place."""
from __future__ import annotations

import math

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QWidget

from ...core import GraphError
from ...core.ops import REGISTRY
from ..canvas.editor import Editor
from ..canvas.graph_scene import GraphScene
from ..canvas.graph_view import GraphView, framed
from ..canvas.palette import Palette
from ..canvas.property_editor import PropertyEditor
from ..widgets.formula import formula_size, warm
from ..widgets.lazy import LazyPanel
from .backprop_tab import BackpropTab
from .chain_text import SHORTCUT as CHAIN_SHORTCUT
from .inspector import Inspector
from .update_panel import UpdatePanel

# name, title, area; the Update & Train dock opens from the Step menu or the stepper bar
FIRST_DOCKS = (170, 380)    # the Layers palette and Properties at a first start (px)
NARROWEST_DOCKS = (130, 240)  # as narrow as a small screen makes them, still readable
WARM_AFTER_MS = 1000        # formulas rendered ahead of need, once the canvas is up
DOCKS = (("palette", "Layers", Qt.DockWidgetArea.LeftDockWidgetArea),
         ("properties", "Properties", Qt.DockWidgetArea.RightDockWidgetArea),
         ("inspector", "Inspector", Qt.DockWidgetArea.RightDockWidgetArea),
         ("problems", "Problems", Qt.DockWidgetArea.BottomDockWidgetArea),
         ("training", "Update && Train", Qt.DockWidgetArea.BottomDockWidgetArea))


def open_chain(workspace, node: str | None = None, param: str | None = None):
    """The chain-rule dialog (chain_view.open_chain), its module loaded on first use: its
    Jacobian and matrix views are not needed for the window's first paint (issue 24)."""
    from .chain_view import open_chain as open_it
    return open_it(workspace, node, param)


class ProblemsList(QListWidget):
    """Every problem of the graph; activating one selects its node."""

    def show_problems(self, problems) -> None:
        self.clear()
        for p in problems:
            item = QListWidgetItem(f"⚠ {p}")
            item.setData(Qt.ItemDataRole.UserRole, p.node)
            self.addItem(item)
        if not problems:
            self.addItem(QListWidgetItem("No problems: every node's shapes fit."))


class BackpropWorkspace(QObject):
    message = Signal(str)                    # for the status bar
    summary_changed = Signal(str)            # "7 nodes · 1 problem"

    def __init__(self, document, window, theme):
        super().__init__(window)
        self.window, self.document = window, document
        self.classroom = classroom = document.classroom
        self.scene = GraphScene(document.graph, theme, parent=self)
        self.view = GraphView(self.scene)
        self.editor = Editor(document, self.scene, self.view, parent=self)
        self.tab = BackpropTab(classroom, self.view)
        self.stepper, self.data = self.tab.stepper, self.tab.data
        self.op_palette = Palette()
        self.properties = PropertyEditor()
        self.problems = ProblemsList()
        self.problems.setAccessibleName("Problems in the graph")
        self.inspector = Inspector()
        self.inspector.context_source = classroom.lecture_context   # class names, image shape
        self.training = LazyPanel(self._make_update_panel)
        self.docks = self._make_docks({"palette": self.op_palette,
                                       "properties": self.properties,
                                       "inspector": self.inspector,
                                       "problems": self.problems, "training": self.training})
        self._connect()

    def _make_docks(self, widgets: dict) -> dict:
        docks = {}
        for name, title, area in DOCKS:
            dock = QDockWidget(title, self.window)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widgets[name])
            self.window.addDockWidget(area, dock)
            docks[name] = dock
        docks["palette"].setMinimumWidth(150)
        # the second dock of a pair ends up on top
        self.window.tabifyDockWidget(docks["inspector"], docks["properties"])
        self.window.splitDockWidget(docks["problems"], docks["training"], Qt.Orientation.Horizontal)
        docks["training"].hide()
        return docks

    def _connect(self) -> None:
        self.scene.selectionChanged.connect(self.on_selection)
        self.scene.analysis_changed.connect(self.on_analysis)
        self.editor.message.connect(self.message)
        self.op_palette.add_requested.connect(lambda op: self.editor.add_op(op))
        self.properties.attrs_edited.connect(self.editor.set_attrs)
        self.problems.itemActivated.connect(self._problem_activated)
        self.problems.itemClicked.connect(self._problem_activated)
        self.classroom.stepped.connect(self.on_step)
        self.classroom.sample_changed.connect(lambda _: self.on_step(self.classroom.current))
        self.classroom.message.connect(self.message.emit)
        self.inspector.check_requested.connect(self.check_gradient)
        self.inspector.chain_requested.connect(lambda nid, p: open_chain(self, nid, p))

    def _make_update_panel(self):
        return UpdatePanel(self.classroom)

    # --- menus -----------------------------------------------------------------------------
    def add_edit_actions(self, menu, add) -> None:
        """``add(menu, text, slot, shortcut)`` makes a window-wide action."""
        add(menu, "&Copy", self.editor.copy, QKeySequence.StandardKey.Copy)
        add(menu, "&Paste", self.editor.paste, QKeySequence.StandardKey.Paste)
        add(menu, "&Delete", self.editor.delete_selected, QKeySequence.StandardKey.Delete)
        add(menu, "Delete (Backspace)", self.editor.delete_selected,
            QKeySequence(Qt.Key.Key_Backspace)).setVisible(False)
        add(menu, "Select &All", self.select_all, QKeySequence.StandardKey.SelectAll)
        add(menu, "&Find Op…", self.focus_palette, "Ctrl+F")

    def add_step_actions(self, menu, add) -> None:
        for text, slot, key in (("Step Forward", self.stepper.step, "Space"),
                                ("Step Back", self.stepper.back, "Shift+Space"),
                                ("Run to End of Phase", self.stepper.run_phase, "Ctrl+Space"),
                                ("Play / Pause", self.stepper.toggle_play, "P"),
                                ("Reset Stepping", self.stepper.reset, "Home")):
            add(menu, text, slot, key)
        menu.addSeparator()
        # Ctrl+U only opens the panel: a step changes the weights, so it takes its own key
        panel = add(menu, "Update && Train Panel", self.show_training, "Ctrl+U")
        panel.setShortcuts([QKeySequence("Ctrl+U"), QKeySequence("Ctrl+T")])
        add(menu, "Apply One Optimizer Step", self.apply_optimizer_step, "Ctrl+Shift+U")
        menu.addSeparator()
        add(menu, "&Chain Rule from the Loss…", lambda: open_chain(self), CHAIN_SHORTCUT)

    def add_view_actions(self, menu, add) -> None:
        add(menu, "&Fit to Window", self.view.keep_fitted, "Ctrl+0")
        add(menu, "&Whole Graph (Overview)", self.view.show_whole, "Ctrl+Shift+0")
        add(menu, "Zoom &In", lambda: self.view.zoom(1.25), QKeySequence.StandardKey.ZoomIn)
        add(menu, "Zoom &Out", lambda: self.view.zoom(0.8), QKeySequence.StandardKey.ZoomOut)
        add(menu, "Automatic &Layout", self.editor.auto_layout, "Ctrl+L")

    # --- following the document --------------------------------------------------------------
    def on_graph_replaced(self, graph) -> None:
        self.scene.set_graph(graph)
        graph.changed.connect(self._on_model_changed)
        self.tab.forget()
        self.inspector.clear_pages()          # nothing of the old graph is shown again
        # after the window's first paint (at 50 ms it ran before it: 0.27 s of CPU at start)
        QTimer.singleShot(WARM_AFTER_MS, self, lambda: self._warm_formulas(graph))
        self.properties.show_node(None, None)
        self.view.keep_fitted()

    def _on_model_changed(self, kind: str, nid) -> None:
        if kind == "batch":                 # selections changed by the batch's items
            self.on_selection()
        shown = self.properties.nid
        if shown is not None and nid == shown and kind in ("attrs", "removed", "added"):
            self.properties.show_node(self.document.graph, shown if kind != "removed" else None)

    def _warm_formulas(self, graph) -> None:
        """Render the formulas of the graph's ops while the user looks at the canvas, so
        that the first step through each op is as quick as the rest."""
        ops = {REGISTRY[n.op] for n in graph.nodes.values() if n.op in REGISTRY}
        color = self.inspector.palette().windowText().color().name()
        warm([latex for op in ops for latex in (op.formula, op.grad_formula)],
             formula_size(self.inspector), color)

    def on_selection(self) -> None:
        if not shiboken6.isValid(self.scene):     # a dying scene reports its last selection
            return
        if self.document.graph.batching:         # each removed item reports: wait for the end
            return
        ids = self.editor.selected_ids()
        self.properties.show_node(self.document.graph, ids[0] if len(ids) == 1 else None)

    def on_analysis(self, analysis) -> None:
        self.problems.show_problems(analysis.problems)
        self.properties.refresh_status()
        n, bad = len(self.document.graph.nodes), len(analysis.problems)
        self.summary_changed.emit(f"{n} nodes · " + (f"{bad} problem{'s' * (bad != 1)}" if bad
                                                     else "shapes OK"))

    def _problem_activated(self, item) -> None:
        nid = item.data(Qt.ItemDataRole.UserRole)
        if nid in self.scene.nodes:
            self.editor.select([nid])
            self.view.centerOn(self.scene.nodes[nid])

    # --- stepping ----------------------------------------------------------------------------
    def on_step(self, event) -> None:
        """A step was taken (or undone): canvas overlays and the inspector follow."""
        self.tab.show_step(event, self.classroom.stepper)
        self.inspector.show_event(event)
        if event is not None:
            self.docks["inspector"].raise_()
        self._follow_focus()

    def _follow_focus(self) -> None:
        """An enlarged Inspector view shows the numbers the Inspector shows: enlarged again
        from its page when that page is still shown (another sample, the same node), closed
        when the Inspector shows another page."""
        focus = self.window.focus
        origin = focus.origin if focus.is_open else None
        if not isinstance(origin, QWidget) or not shiboken6.isValid(origin):
            return                             # none, deleted, or a help page (F1)
        page = self.inspector.widget()
        if page is not None and page.isAncestorOf(origin):
            focus.open(origin)
        elif self.inspector.isAncestorOf(origin) or self.inspector.shelf.isAncestorOf(origin):
            focus.close()

    def check_gradient(self, nid: str) -> None:
        """Central differences against the analytic gradient, on a copy of the graph (the
        stepper's state is left untouched)."""
        from ...core.backprop.gradcheck import check_node

        stepper = self.classroom.stepper
        if stepper is None:
            return
        try:
            results = check_node(self.document.graph.copy(), stepper.feeds, nid)
        except GraphError as err:
            self.inspector.show_check(str(err))
            return
        self.inspector.show_check(results, nid)

    # --- docks -------------------------------------------------------------------------------
    def show_training(self) -> None:
        dock, window = self.docks["training"], self.window
        if not dock.isVisible():                 # open it wide: it holds four views
            dock.show()
            width = window.width()
            window.resizeDocks([self.docks["problems"], dock], [width // 5, width * 4 // 5],
                               Qt.Orientation.Horizontal)
            window.resizeDocks([dock], [max(300, window.height() // 3)], Qt.Orientation.Vertical)
        dock.raise_()

    def apply_optimizer_step(self) -> None:
        self.show_training()
        self.training.panel.apply_one_step()

    def select_all(self) -> None:
        self.editor.select(list(self.scene.nodes))

    def focus_palette(self) -> None:
        self.docks["palette"].show()
        self.op_palette.search.setFocus()
        self.op_palette.search.selectAll()

    def set_docks_shown(self, shown: bool) -> None:
        """The docks belong to this tab: the other tabs get the whole window."""
        if not shown:
            if not hasattr(self, "_docks_shown"):
                self._docks_shown = [d for d in self.docks.values() if d.isVisible()]
            for dock in self.docks.values():
                dock.hide()
        elif hasattr(self, "_docks_shown"):
            for dock in self._docks_shown:
                dock.show()
            del self._docks_shown

    def default_dock_sizes(self) -> None:
        """The first start's docks: the Layers palette and Properties as wide as their
        texts like (170, 380 px) where the canvas beside them still shows the graph's
        width at the readable zoom; narrower where it would not (Properties first, then
        the palette): a 1366x768 laptop's 1280 px window left 716 px of canvas for
        fc_softmax_ce's 860, behind a horizontal scroll bar."""
        palette, properties = self.docks["palette"], self.docks["properties"]
        short = self._canvas_short_of() + (FIRST_DOCKS[0] - palette.width()
                                           + FIRST_DOCKS[1] - properties.width())
        widths = list(FIRST_DOCKS)
        for i in (1, 0):
            cut = min(max(short, 0), FIRST_DOCKS[i] - NARROWEST_DOCKS[i])
            widths[i] -= cut
            short -= cut
        self.window.resizeDocks([palette, properties], widths, Qt.Orientation.Horizontal)
        for dock, first, width in zip((palette, properties), FIRST_DOCKS, widths, strict=True):
            self.window.dock_widths.want(dock, first, width)
        self.window.resizeDocks([self.docks["problems"]], [90], Qt.Orientation.Vertical)

    def _canvas_short_of(self) -> int:
        """Pixels the canvas lacks now to show the graph's width at the readable zoom
        (negative: to spare)."""
        view = self.view
        rect = framed(self.scene.content_rect())
        needed = (rect.width() * view.readable_zoom() + 2 * view.frameWidth()
                  + view.verticalScrollBar().sizeHint().width())
        return math.ceil(needed) - view.width()
