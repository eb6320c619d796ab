"""MainWindow: menus, the Backprop tab (canvas + palette + properties + problems), themes,
presentation mode, files, recovery and remembered layout."""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QLabel, QListWidget,
                               QListWidgetItem, QMainWindow, QMessageBox, QTabWidget)

from .. import __version__
from ..core import GraphError
from ..core.fileformat import read_json
from ..paths import resources_dir
from .backprop.backprop_tab import BackpropTab
from .canvas.document import Document
from .canvas.editor import Editor
from .canvas.graph_scene import GraphScene
from .widgets.lazy import LazyPanel
from .widgets.figure_export import export_csv, export_figure
from .widgets.formula import warm
from .canvas.graph_view import GraphView
from .backprop.inspector import Inspector
from .canvas.palette import Palette
from .canvas.property_editor import PropertyEditor
from .settings import recent_files, settings
from .theme import PRESENTATION_SCALE, THEMES, apply_theme
from .backprop.update_panel import UpdatePanel

TABS = ("backprop", "losses", "optimizers", "training")
FILE_FILTER = "bpviz graphs (*.bpviz.json);;JSON files (*.json);;All files (*)"


class ProblemsList(QListWidget):
    """Every problem of the graph; activating one selects its node."""

    def show_problems(self, problems) -> None:
        self.clear()
        for p in problems:
            item = QListWidgetItem(f"⚠ {p}")
            item.setData(Qt.UserRole, p.node)
            self.addItem(item)
        if not problems:
            self.addItem(QListWidgetItem("No problems: every node's shapes fit."))


class MainWindow(QMainWindow):
    def __init__(self, theme: str = "light", presentation: bool = False):
        super().__init__()
        self.setObjectName("bpviz_main")
        self.theme = THEMES[theme]
        self.presentation = False
        self.document = Document(self)
        self.scene = GraphScene(self.document.graph, self.theme, parent=self)
        self.view = GraphView(self.scene)
        self.editor = Editor(self.document, self.scene, self.view, parent=self)
        self.backprop = BackpropTab(self.document, self.view)
        self.stepper = self.backprop.stepper
        self.data = self.backprop.data
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.backprop, "Backprop")
        self.losses = LazyPanel(self._make_loss_lab)
        self.optimizers = LazyPanel(self._make_optimizer_lab)
        self.tabs.addTab(self.losses, "Losses")
        self.tabs.addTab(self.optimizers, "Optimizers")
        self.training_tab = LazyPanel(self._make_training_tab)
        self.tabs.addTab(self.training_tab, "Training")
        self.setCentralWidget(self.tabs)
        self.op_palette = Palette()
        self.properties = PropertyEditor()
        self.problems = ProblemsList()
        self.inspector = Inspector()
        self.training = LazyPanel(self._make_train_panel)
        self.docks = {}
        for name, title, widget, area in (
                ("palette", "Layers", self.op_palette, Qt.LeftDockWidgetArea),
                ("properties", "Properties", self.properties, Qt.RightDockWidgetArea),
                ("inspector", "Inspector", self.inspector, Qt.RightDockWidgetArea),
                ("problems", "Problems", self.problems, Qt.BottomDockWidgetArea),
                ("training", "Update && Train", self.training, Qt.BottomDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.docks["palette"].setMinimumWidth(150)
        # the second dock of a pair ends up on top
        self.tabifyDockWidget(self.docks["inspector"], self.docks["properties"])
        self.splitDockWidget(self.docks["problems"], self.docks["training"], Qt.Horizontal)
        self.docks["training"].hide()          # opened from the Step menu or the stepper bar

        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        self.last_message = ""
        self._build_actions()
        self._connect()
        self._restore_settings()
        if presentation:
            self.set_presentation(True)
        self.on_graph_replaced(self.document.graph)

    # --- wiring ---------------------------------------------------------------------------
    def _connect(self) -> None:
        d = self.document
        d.graph_replaced.connect(self.on_graph_replaced)
        d.state_changed.connect(self.update_title)
        self.scene.selectionChanged.connect(self.on_selection)
        self.scene.analysis_changed.connect(self.on_analysis)
        self.editor.message.connect(self.say)
        self.op_palette.add_requested.connect(lambda op: self.editor.add_op(op))
        self.properties.attrs_edited.connect(self.editor.set_attrs)
        self.problems.itemActivated.connect(self._problem_activated)
        self.problems.itemClicked.connect(self._problem_activated)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.stepper.event_changed.connect(self.on_step)
        self.stepper.reset_done.connect(lambda: self.on_step(None))
        self.stepper.message.connect(self.say)
        self.data.message.connect(self.say)
        self.inspector.check_requested.connect(self.check_gradient)

    def _tab_changed(self, index: int) -> None:
        """The docks belong to the Backprop tab: the labs get the whole window."""
        if index != 0:
            if not hasattr(self, "_docks_shown"):
                self._docks_shown = [d for d in self.docks.values() if d.isVisible()]
            for dock in self.docks.values():
                dock.hide()
        elif hasattr(self, "_docks_shown"):
            for dock in self._docks_shown:
                dock.show()
            del self._docks_shown

    def _make_loss_lab(self):
        from .labs.loss_lab import LossLab
        return LossLab(lambda: (self.document.graph, self.data.feeds()))

    def _make_training_tab(self):
        from .training.training_tab import TrainingTab
        return TrainingTab()

    def _make_optimizer_lab(self):
        from .labs.optimizer_lab import OptimizerLab
        return OptimizerLab()

    def _make_train_panel(self):
        panel = UpdatePanel(self.document, self.data)
        self.data.changed.connect(panel.reset)        # other data: a fresh optimizer state
        panel.message.connect(self.say)
        panel.params_changed.connect(self.on_params_changed)
        panel.gradients_ready = lambda: (self.stepper.stepper is not None
                                         and self.stepper.stepper.done)
        return panel

    def on_step(self, event) -> None:
        """A step was taken (or undone): canvas overlays and the inspector follow."""
        self.backprop.show_step(event, self.stepper.stepper)
        self.inspector.show_event(event)
        if event is not None:
            self.docks["inspector"].raise_()

    def on_params_changed(self) -> None:
        """An optimizer step changed the weights: stepping starts again from them."""
        self.stepper.invalidate()
        self.stepper.set_position_text("update")

    def check_gradient(self, nid: str) -> None:
        """Central differences against the analytic gradient, on a copy of the graph (the
        stepper's state is left untouched)."""
        from ..core.gradcheck import check_node

        stepper = self.stepper.stepper
        if stepper is None:
            return
        try:
            results = check_node(self.document.graph.copy(), stepper.feeds, nid)
        except GraphError as err:
            self.inspector.show_check(str(err))
            return
        self.inspector.show_check(results, nid)

    def on_graph_replaced(self, graph) -> None:
        self.scene.set_graph(graph)
        graph.changed.connect(self._on_model_changed)
        self.data.set_graph(graph)
        self.stepper.watch(graph)
        QTimer.singleShot(50, self, lambda: self._warm_formulas(graph))   # dies with self
        if self.training.built:
            self.training.panel.reset()
        self.properties.show_node(None, None)
        self.update_title()
        QTimer.singleShot(0, self.view.fit)

    def _on_model_changed(self, kind: str, nid) -> None:
        if kind != "moved" and self.training.built:   # parameters may have other shapes
            self.training.panel.reset()
        shown = self.properties.nid
        if shown is not None and nid == shown and kind in ("attrs", "removed", "added"):
            self.properties.show_node(self.document.graph, shown if kind != "removed" else None)

    def _warm_formulas(self, graph) -> None:
        """Render the formulas of the graph's ops while the user looks at the canvas, so
        that the first step through each op is as quick as the rest."""
        from ..core.ops import REGISTRY
        ops = {REGISTRY[n.op] for n in graph.nodes.values() if n.op in REGISTRY}
        color = self.inspector.palette().windowText().color().name()
        warm([latex for op in ops for latex in (op.formula, op.grad_formula)], 17.0, color)

    def on_selection(self) -> None:
        if not shiboken6.isValid(self.scene):     # a dying scene reports its last selection
            return
        ids = self.editor.selected_ids()
        self.properties.show_node(self.document.graph, ids[0] if len(ids) == 1 else None)

    def on_analysis(self, analysis) -> None:
        self.problems.show_problems(analysis.problems)
        self.properties.refresh_status()
        n = len(self.document.graph.nodes)
        bad = len(analysis.problems)
        self.summary.setText(f"{n} nodes · " + (f"{bad} problem{'s' * (bad != 1)}" if bad
                                                 else "shapes OK"))

    def _problem_activated(self, item) -> None:
        nid = item.data(Qt.UserRole)
        if nid in self.scene.nodes:
            self.editor.select([nid])
            self.view.centerOn(self.scene.nodes[nid])

    def say(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, 8000)

    def update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title} — bpviz")
        self.save_action.setEnabled(True)

    # --- actions ----------------------------------------------------------------------------
    def _action(self, menu, text, slot, shortcut=None, checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        self._action(f, "&New", self.new_file, QKeySequence.New)
        self._action(f, "&Open…", self.open_dialog, QKeySequence.Open)
        self.recent_menu = f.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = f.addMenu("&Examples")
        for path in sorted((resources_dir() / "examples").glob("*.bpviz.json")):
            title = read_json(path).get("name") or path.name
            self._action(self.examples_menu, title, lambda _=False, p=path: self.open_example(p))
        f.addSeparator()
        self.save_action = self._action(f, "&Save", self.save, QKeySequence.Save)
        self._action(f, "Save &As…", self.save_as, QKeySequence.SaveAs)
        f.addSeparator()
        self._action(f, "Export &Figure…", self.export_figure, "Ctrl+E")
        self._action(f, "Export &Data as CSV…", self.export_csv, "Ctrl+Shift+E")
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.Quit)

        e = bar.addMenu("&Edit")
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.Redo)
        e.addActions([undo, redo])
        self.addActions([undo, redo])
        e.addSeparator()
        self._action(e, "&Copy", self.editor.copy, QKeySequence.Copy)
        self._action(e, "&Paste", self.editor.paste, QKeySequence.Paste)
        self._action(e, "&Delete", self.editor.delete_selected, QKeySequence.Delete)
        self._action(e, "Delete (Backspace)", self.editor.delete_selected,
                     QKeySequence(Qt.Key_Backspace)).setVisible(False)
        self._action(e, "Select &All", self.select_all, QKeySequence.SelectAll)
        self._action(e, "&Find Op…", self.focus_palette, "Ctrl+F")

        st = bar.addMenu("&Step")
        for text, slot, key in (("Step Forward", self.stepper.step, "Space"),
                                ("Step Back", self.stepper.back, "Shift+Space"),
                                ("Run to End of Phase", self.stepper.run_phase, "Ctrl+Space"),
                                ("Play / Pause", self.stepper.toggle_play, "P"),
                                ("Reset Stepping", self.stepper.reset, "Home")):
            self._action(st, text, slot, key)
        st.addSeparator()
        self._action(st, "Apply One Optimizer Step", self.apply_optimizer_step, "Ctrl+U")
        self._action(st, "Update && Train Panel", self.show_training, "Ctrl+T")

        v = bar.addMenu("&View")
        self._action(v, "&Fit to Window", self.view.fit, "Ctrl+0")
        self._action(v, "Zoom &In", lambda: self.view.zoom(1.25), QKeySequence.ZoomIn)
        self._action(v, "Zoom &Out", lambda: self.view.zoom(0.8), QKeySequence.ZoomOut)
        self._action(v, "Automatic &Layout", self.editor.auto_layout, "Ctrl+L")
        v.addSeparator()
        themes = QActionGroup(self)
        self.theme_actions = {}
        for name in THEMES:
            act = self._action(v, f"{name.title()} Theme", lambda _=False, n=name: self.set_theme(n),
                               checkable=True)
            themes.addAction(act)
            self.theme_actions[name] = act
        self.theme_actions[self.theme.name].setChecked(True)
        self.presentation_action = self._action(v, "&Presentation Mode", self.toggle_presentation,
                                                "F11", checkable=True)
        v.addSeparator()
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())

        h = bar.addMenu("&Help")
        self._action(h, "&Keyboard and Mouse", self.show_keys, QKeySequence.HelpContents)
        self._action(h, "&About bpviz", self.about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for path in files:
            act = QAction(path, self.recent_menu)
            act.triggered.connect(lambda _=False, p=path: self.open_file(p))
            self.recent_menu.addAction(act)
        if not files:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)

    # --- files ---------------------------------------------------------------------------------
    def new_file(self) -> None:
        if self.maybe_save():
            self.document.new()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open graph", "", FILE_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, ask: bool = True) -> bool:
        """Open ``path``; a bad file is reported in a dialog and changes nothing."""
        if ask and not self.maybe_save():
            return False
        try:
            self.document.open(path)
        except GraphError as err:
            self.show_error("Cannot open file", str(err))
            return False
        except Exception as err:     # a fault of bpviz: still a message, and nothing lost
            self.show_error("Cannot open file", f"bpviz failed to read '{Path(path).name}' "
                            f"({type(err).__name__}: {err}); the open document is kept.")
            return False
        self.say(f"Opened {Path(path).name}")
        return True

    def open_example(self, path) -> bool:
        if not self.maybe_save():
            return False
        self.document.open_example(path)
        self.say(f"Example: {self.document.graph.name}")
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        default = self.document.path or Path.home() / (
            (self.document.graph.name or "untitled").split(" (")[0].replace(" ", "_")[:40]
            + ".bpviz.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save graph as", str(default), FILE_FILTER)
        return bool(path) and self._save_to(path)

    def _save_to(self, path) -> bool:
        try:
            saved = self.document.save(path)
        except GraphError as err:
            self.show_error("Cannot save", str(err))
            return False
        self.say(f"Saved {saved}")
        return True

    def current_lab(self):
        """The panel of the current tab if it exports (the labs), else None."""
        page = self.tabs.currentWidget()
        if isinstance(page, LazyPanel) and hasattr(page.panel, "csv_data"):
            return page.panel
        return None

    def export_figure(self, path=None) -> bool:
        """The current tab's figure (the canvas on the Backprop tab) as PNG or SVG."""
        lab = self.current_lab()
        widget = lab.figure_widget() if lab is not None else self.view
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export figure", "figure.png",
                                                  "PNG image (*.png);;SVG drawing (*.svg)")
            if not path:
                return False
        try:
            export_figure(widget, path)
        except OSError as err:
            self.show_error("Cannot export", str(err))
            return False
        self.say(f"Figure written to {path}")
        return True

    def export_csv(self, path=None) -> bool:
        """The numbers behind the current lab's figure (curves, surface, trajectories)."""
        lab = self.current_lab()
        if lab is None:
            self.say("CSV export is for the Losses, Optimizers and Training tabs")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export data", "data.csv",
                                                  "CSV files (*.csv)")
            if not path:
                return False
        try:
            export_csv(path, lab.csv_data())
        except OSError as err:
            self.show_error("Cannot export", str(err))
            return False
        self.say(f"Data written to {path}")
        return True

    def show_error(self, title: str, text: str) -> None:
        self.last_message = text
        QMessageBox.warning(self, title, text)

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        return QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.document.title.rstrip(' •')}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)

    def maybe_save(self) -> bool:
        """True when it is fine to replace the document (saved, discarded or unchanged)."""
        if not self.document.modified:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def ask_restore(self, record) -> bool:
        where = record.get("path") or "an unsaved graph"
        return QMessageBox.question(
            self, "Recover unsaved work",
            f"bpviz did not close cleanly last time. Restore the unsaved changes to {where}?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes) == QMessageBox.Yes

    def check_recovery(self) -> bool:
        """Offer to restore what autosave kept from a session that crashed."""
        record = self.document.recovery_record()
        if record is None:
            return False
        if self.ask_restore(record):
            self.document.restore(record)
            self.say("Restored unsaved work from the recovery file")
            return True
        self.document.clear_recovery()
        return False

    def ask_stop_training(self) -> bool:
        return QMessageBox.question(
            self, "Training in progress", "A training run is in progress. Stop it (a "
            "checkpoint is written first) and quit?", QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No) == QMessageBox.Yes

    def closeEvent(self, event):
        tab = self.training_tab
        if tab.built and tab.panel.running():
            if not self.ask_stop_training():
                event.ignore()
                return
            tab.panel.stop()
            if not tab.panel.wait():
                # never close over a running thread (Qt would abort the app)
                QMessageBox.warning(self, "Training still stopping", "The run has not "
                                    "finished writing its checkpoint yet. Try again in a "
                                    "moment.")
                event.ignore()
                return
        if not self.maybe_save():
            event.ignore()
            return
        self._save_settings()
        self.document.clear_recovery()
        event.accept()

    def show_training(self) -> None:
        dock = self.docks["training"]
        if not dock.isVisible():                 # open it wide: it holds four views
            dock.show()
            width = self.width()
            self.resizeDocks([self.docks["problems"], dock], [width // 5, width * 4 // 5],
                             Qt.Horizontal)
            self.resizeDocks([dock], [max(300, self.height() // 3)], Qt.Vertical)
        dock.raise_()

    def apply_optimizer_step(self) -> None:
        self.show_training()
        self.training.panel.apply_one_step()

    # --- view ------------------------------------------------------------------------------------
    def select_all(self) -> None:
        self.editor.select(list(self.scene.nodes))

    def focus_palette(self) -> None:
        self.docks["palette"].show()
        self.op_palette.search.setFocus()
        self.op_palette.search.selectAll()

    def set_theme(self, name: str) -> None:
        self.theme = THEMES[name]
        self.theme_actions[name].setChecked(True)
        apply_theme(QApplication.instance(), self.theme, self.presentation)
        self.scene.set_theme(self.theme, self.scene.scale_)
        self.view.viewport().update()

    def toggle_presentation(self) -> None:
        self.set_presentation(not self.presentation)

    def set_presentation(self, on: bool) -> None:
        """Full screen, fonts and lines scaled up for a projector."""
        self.presentation = on
        self.presentation_action.setChecked(on)
        apply_theme(QApplication.instance(), self.theme, on)
        self.scene.set_theme(self.theme, PRESENTATION_SCALE if on else 1.0)
        self.showFullScreen() if on else self.showNormal()
        QTimer.singleShot(0, self.view.fit)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    def keys_text(self) -> str:
        rows = [(a.text().replace("&", ""), a.shortcut().toString(QKeySequence.NativeText))
                for a in self.actions() if not a.shortcut().isEmpty() and a.isVisible()]
        rows += [("Connect", "drag from an output port to an input port"),
                 ("Disconnect", "drag an edge off its input port"),
                 ("Select several", "drag a rectangle on empty canvas, or Ctrl+click"),
                 ("Pan", "middle button, or Alt + drag"), ("Zoom", "mouse wheel")]
        return "<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                                   for k, v in rows) + "</table>"

    def show_keys(self) -> None:
        QMessageBox.information(self, "Keyboard and mouse", self.keys_text())

    def about(self) -> None:
        QMessageBox.about(self, "About bpviz",
                          f"<b>bpviz {__version__}</b><p>Make back-propagation visible: build "
                          "a network, step its forward and backward passes, see every local "
                          "gradient and chain-rule product with real numbers.</p>")

    # --- remembered layout ----------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = settings()
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = s.value("window_state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:                                   # first start: a canvas-first layout
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        self.resizeDocks([self.docks["palette"], self.docks["properties"]], [200, 400],
                         Qt.Horizontal)
        self.resizeDocks([self.docks["problems"]], [90], Qt.Vertical)

    def _save_settings(self) -> None:
        s = settings()
        if not self.presentation:
            s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())
        s.setValue("theme", self.theme.name)
        s.sync()
