"""MainWindow: the shell — tabs, menus, themes, presentation mode, the status bar, the
questions it asks the user and the remembered layout. The Backprop tab and its docks are
the BackpropWorkspace's; the File menu's work is the FileMenu's; the remembered size, place
and docks are the WindowLayout's."""
from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
)

from ... import __version__
from ...core.classroom import Classroom
from ...core.data.data_source import make_now
from ..accessibility import SPACE_NOTE, STEP_KEYS, ColourMapChoice, SpaceForControls
from ..backprop.workspace import WARM_AFTER_MS, BackpropWorkspace
from ..canvas.document import Document
from ..config.settings import config_dir, instance, settings
from ..lessons.bookmark import LessonBookmark
from ..lessons.controller import LessonController
from ..tab_order import tab_to_next
from ..theme import PRESENTATION_SCALE, THEMES, apply_theme, gui_app
from ..widgets.annotations import Annotations
from ..widgets.collector import collect_on_gui_thread
from ..widgets.enlarged_view import Enlarger
from ..widgets.lazy import LazyPanel
from .dock_widths import DockWidths
from .file_menu import FileMenu
from .presentation_layout import PresentationLayout
from .screen_help import ScreenHelp
from .window_layout import WindowLayout

TABS = ("backprop", "losses", "optimizers", "training")


def as_plain_html(text: str) -> str:
    """``text`` as rich text that shows it literally (QMessageBox guesses the format from
    the text, and takes no other; escaping alone can be guessed as plain)."""
    return f"<p style='white-space: pre-wrap'>{escape(text, quote=False)}</p>"


# The other tabs are built when first shown (their imports cost start-up time).
def make_loss_lab(window):
    from ..labs.loss_lab import LossLab
    return LossLab(lambda: (window.classroom.graph, window.classroom.feeds()))


def make_optimizer_lab():
    from ..labs.optimizer_lab import OptimizerLab
    return OptimizerLab()


def make_training_tab(window):
    from ..training.training_tab import TrainingTab
    return TrainingTab(defer_engine=lambda: window.lessons.active)


def show_augment_demo_of(window) -> None:
    from ..training.augment_demo import show_augment_demo  # not at start-up
    show_augment_demo(window)


def show_gradient_flow_of(window) -> None:
    from ..backprop.gradient_flow import show_gradient_flow  # plots: not at start-up
    show_gradient_flow(window)


class KeysDialog(QDialog):
    """The keys and mouse gestures, scrolling within the screen (the list is taller than a
    720 px projector: as a message box it ran off the screen, its OK button with it)."""

    def __init__(self, html: str, parent):
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse")
        self.text = QTextBrowser()
        self.text.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        room = parent.screen().availableGeometry()
        self.resize(min(720, room.width() * 9 // 10), room.height() * 8 // 10)


class MainWindow(QMainWindow):
    def __init__(self, theme: str = "light", presentation: bool = False):
        super().__init__()
        collect_on_gui_thread()       # no Qt object may be freed by a worker's collection
        self.setObjectName("bpviz_main")
        self.theme = THEMES[theme]
        self.presentation = False
        self.classroom = Classroom()
        self.document = Document(self.classroom, self)
        self.workspace = BackpropWorkspace(self.document, self, self.theme)
        w = self.workspace            # the Backprop tab's parts, as the menus and tests see them
        self.backprop, self.scene, self.view, self.editor = w.tab, w.scene, w.view, w.editor
        self.stepper, self.data, self.inspector, self.docks = w.stepper, w.data, w.inspector, w.docks
        self.properties, self.problems, self.op_palette = w.properties, w.problems, w.op_palette
        self.training, self.show_training, self.select_all = w.training, w.show_training, w.select_all
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.backprop, "Backprop")
        self.losses = LazyPanel(lambda: make_loss_lab(self))
        self.optimizers = LazyPanel(make_optimizer_lab)
        self.training_tab = LazyPanel(lambda: make_training_tab(self))
        for page, title in ((self.losses, "Losses"), (self.optimizers, "Optimizers"),
                            (self.training_tab, "Training")):
            self.tabs.addTab(page, title)
        self.setCentralWidget(self.tabs)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        self.last_message = ""
        self.files = FileMenu(self)
        self.open_file, self._save_to = self.files.open_file, self.files._save_to
        self.export_figure, self.export_csv = self.files.export_figure, self.files.export_csv
        self.check_recovery, self.open_example = self.files.check_recovery, self.files.open_example
        self.focus = Enlarger(self)        # double-click or F enlarges a view
        self.focus.message.connect(self.say)
        self.annotations = Annotations(self)      # pen and highlighter over the window
        self.annotations.message.connect(self.say)
        self.screen_help = ScreenHelp(self)       # F1: what the panel under the mouse shows
        self.dock_widths = DockWidths(self, self.docks.values())
        self.lessons = LessonController(self)     # the Lessons menu and the lesson's dock
        slot = instance()                         # among the bpviz running (instance_lock.py)
        self.bookmark = LessonBookmark(self.lessons, slot)      # where a lesson was left
        self.window_layout = WindowLayout(self, slot)           # size, place and docks
        self.lessons.starting.connect(lambda: self.window_layout.lend("lesson"))
        self.lessons.changed.connect(self._lesson_changed)
        self.presentation_layout = PresentationLayout(self)      # the network first
        self.colour_maps = ColourMapChoice(self)   # the colour-blind-safe maps, remembered
        self._build_actions()
        self.space_keys = SpaceForControls(self)   # Space presses a focused button, else steps
        self.document.graph_replaced.connect(self.on_graph_replaced)
        self.document.state_changed.connect(self.update_title)
        w.message.connect(self.say)
        w.summary_changed.connect(self.summary.setText)
        self.tabs.currentChanged.connect(lambda i: self.show_docks())
        self.window_layout.restore()
        if presentation:
            self.set_presentation(True)
        self.on_graph_replaced(self.document.graph)

    def on_graph_replaced(self, graph) -> None:
        self.workspace.on_graph_replaced(graph)
        self.update_title()
        # the built-in images' arrays: after the first paint, before the first step needs them
        QTimer.singleShot(WARM_AFTER_MS, self, lambda: make_now(self.classroom.data.dataset))

    def say(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, 8000)
        self.presentation_layout.say(text)        # the status bar is put away there

    def update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title} — bpviz")
        self.save_action.setEnabled(True)

    # --- actions ----------------------------------------------------------------------------
    def _action(self, menu, text, slot, shortcut=None, checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())   # not checked as an arg
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        self.files.add_actions(f, self._action)
        self.save_action, self.examples_menu = self.files.save_action, self.files.examples_menu
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        e = bar.addMenu("&Edit")
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addActions([undo, redo])
        self.addActions([undo, redo])
        e.addSeparator()
        self.workspace.add_edit_actions(e, self._action)
        self.workspace.add_step_actions(bar.addMenu("&Step"), self._action)
        next(a for a in self.actions() if a.text() == "Step Forward").setShortcuts(STEP_KEYS)

        v = bar.addMenu("&View")
        self.workspace.add_view_actions(v, self._action)
        v.addSeparator()
        themes = QActionGroup(self)
        self.theme_actions = {}
        for name in THEMES:
            act = self._action(v, f"{name.title()} Theme", lambda n=name: self.set_theme(n),
                               checkable=True)
            themes.addAction(act)
            self.theme_actions[name] = act
        self.theme_actions[self.theme.name].setChecked(True)
        self.colour_maps.add_view_actions(v, self._action)
        self.presentation_action = self._action(v, "&Presentation Mode", self.toggle_presentation,
                                                "F11", checkable=True)
        self.hide_docks_action = self._action(v, "&Hide Docks", self.show_docks, "Ctrl+Shift+D",
                                              checkable=True)
        self._action(v, "&Editing Docks in Presentation", self.presentation_layout.toggle_editing,
                     "F9")
        v.addSeparator()
        self.focus.add_view_actions(v)
        v.addSeparator()
        self.annotations.add_view_actions(v)
        v.addSeparator()
        self.augment_action = self._action(v, "AlexNet &Augmentation Demo",
                                           lambda: show_augment_demo_of(self))
        self._action(v, "&Gradient Flow", lambda: show_gradient_flow_of(self), "Ctrl+Shift+G")
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())

        self.lessons.add_actions(bar.addMenu("&Lessons"), self._action)
        h = bar.addMenu("&Help")
        self.screen_help.add_actions(h, self._action)
        self._action(h, "&Keyboard and Mouse", self.show_keys, "Shift+F1")
        self._action(h, "&About bpviz", self.about)

    def show_error(self, title: str, text: str) -> None:
        """``text`` is shown as written: it quotes files (a lesson's title, a data source's
        name), and a message box would draw an <img src=…> in it as rich text."""
        self.last_message = text
        QMessageBox.warning(self, title, as_plain_html(text))

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """About the user's own graph: the one a lesson set aside, while it runs."""
        aside = self.classroom.aside if self.lessons.active else None
        name = (Path(aside.graph_file).name if aside.graph_file else aside.graph.name or
                "untitled") if aside is not None else self.document.title.rstrip(' •')
        return QMessageBox.question(
            self, "Unsaved changes", as_plain_html(f"Save the changes to {name}?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def ask_restore(self, record) -> bool:
        where = record.get("path") or "an unsaved graph"
        return QMessageBox.question(
            self, "Recover unsaved work",
            as_plain_html("bpviz did not close cleanly last time. Restore the unsaved "
                          f"changes to {where}?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes) == QMessageBox.StandardButton.Yes

    def ask_continue_lesson(self, title: str, step: int) -> bool:
        return QMessageBox.question(
            self, "Continue the lesson", as_plain_html(f"Continue lesson {title} at step {step}?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes) == QMessageBox.StandardButton.Yes

    def check_left_work(self, lesson: bool = True) -> None:
        """At start-up: the unsaved graph a crash left, then (``lesson``: the command line
        started none) the lesson a quit or a crash left. The graph first: a lesson puts the
        user's graph aside and gives it back when it ends."""
        self.check_recovery()
        if lesson:
            self.bookmark.offer(self.ask_continue_lesson)
        self.bookmark.follow()

    def ask_stop_training(self) -> bool:
        return QMessageBox.question(
            self, "Training in progress", "A training run is in progress. Stop it (a "
            "checkpoint is written first) and quit?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes

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
        self.bookmark.held = True                # quitting leaves a lesson but keeps its place
        saved = self.files.maybe_save()          # (a lesson gives the user's graph back first)
        self.bookmark.held = False
        if not saved:
            self.bookmark.write()                # not quitting after all: the lesson has ended
            event.ignore()
            return
        self._save_settings()
        self.document.clear_recovery()
        event.accept()

    # --- view ------------------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        self.theme = THEMES[name]
        self.theme_actions[name].setChecked(True)
        apply_theme(gui_app(), self.theme, self.presentation)
        self.scene.set_theme(self.theme, self.scene.scale_)
        self.view.viewport().update()

    def toggle_presentation(self) -> None:
        self.set_presentation(not self.presentation)

    def set_presentation(self, on: bool) -> None:
        """Full screen, fonts and lines scaled up for a projector."""
        if on and not self.presentation:     # a projector's layout is not the desk's
            self.window_layout.lend("presentation")
            self.presentation_layout.enter()
        elif self.presentation and not on:
            self.presentation_layout.leave()
            self.window_layout.take_back("presentation", restore=not self.lessons.active)
        self.presentation = on
        self.presentation_action.setChecked(on)
        apply_theme(gui_app(), self.theme, on)
        self.scene.set_theme(self.theme, PRESENTATION_SCALE if on else 1.0)
        self.showFullScreen() if on else self.showNormal()
        self.view.keep_fitted()              # full screen arrives later, as a resize

    def show_docks(self) -> None:
        """The docks belong to the Backprop tab, and the user may hide them (a projector
        needs the width). Not before the window shows: docks hidden then would be taken for
        closed ones, and ``--tab losses`` lost them for every later start."""
        if not self.isVisible():
            return
        self.workspace.set_docks_shown(self.tabs.currentIndex() == 0
                                       and not self.hide_docks_action.isChecked())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.show_docks()                    # a tab chosen before (--tab, a lesson, a session)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab in reading order, panel by panel (accessibility.tab_to_next)."""
        return tab_to_next(self, next) or super().focusNextPrevChild(next)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    def keys_text(self) -> str:
        rows = [(a.text().replace("&", ""), " or ".join(
                    k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()))
                for a in self.actions() if not a.shortcut().isEmpty() and a.isVisible()]
        rows += [("Space", SPACE_NOTE),
                 ("Connect", "drag from an output port to an input port"),
                 ("Disconnect", "drag an edge off its input port"),
                 ("Select several", "drag a rectangle on empty canvas, or Ctrl+click"),
                 ("Pan", "middle button, or Alt + drag"), ("Zoom", "mouse wheel")]
        return "<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                                   for k, v in rows) + "</table>"

    def show_keys(self) -> KeysDialog:
        dialog = KeysDialog(self.keys_text(), self)
        dialog.show()
        return dialog

    def about(self) -> None:
        QMessageBox.about(self, "About bpviz",
                          f"<b>bpviz {__version__}</b><p>Make back-propagation visible: build "
                          "a network, step its forward and backward passes, see every local "
                          "gradient and chain-rule product with real numbers.</p>"
                          f"<p>Settings and recovery files: {escape(str(config_dir()))}</p>")

    # --- remembered layout ----------------------------------------------------------------
    def _lesson_changed(self) -> None:
        if not self.lessons.active:          # the docks as before the lesson
            self.window_layout.take_back("lesson", restore=True)
        self.presentation_layout.apply()     # presentation's, whatever the lesson gave back

    def _save_settings(self) -> None:
        settings().setValue("theme", self.theme.name)
        self.window_layout.save()
