"""FileMenu: the File menu's work — new, open (a dialog, a path, a recent file or an
example), save, export of the current tab's figure and data, and the recovery of unsaved
work after a crash. Questions to the user go through the window (tests answer them)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ...core import GraphError
from ...core.network.fileformat import read_json
from ...paths import resources_dir
from ..config.recovery import left_recovery_files, read_recovery
from ..config.settings import recent_files, recovery_path, storage_problem
from ..widgets.lazy import LazyPanel
from .model_files import ModelFiles, is_onnx
from .session_menu import SessionMenu

FILE_FILTER = ("bpviz graphs and ONNX models (*.bpviz.json *.onnx);;bpviz graphs (*.bpviz.json);;"
               "ONNX models (*.onnx);;JSON files (*.json);;All files (*)")


class FileMenu(QObject):
    # made by add_actions, which the window calls as it builds its menus
    recent_menu: QMenu
    examples_menu: QMenu
    save_action: QAction

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.sessions = SessionMenu(window)      # the whole state of a class in one file
        self.models = ModelFiles(window)          # ONNX in, PyTorch and ONNX out

    def add_actions(self, menu, add) -> None:
        """``add(menu, text, slot, shortcut)`` makes a window-wide action."""
        add(menu, "&New", self.new_file, QKeySequence.StandardKey.New)
        add(menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = menu.addMenu("&Examples")
        for path in sorted((resources_dir() / "examples").glob("*.bpviz.json")):
            example = read_json(path)
            title = (example.get("name") if isinstance(example, dict) else None) or path.name
            add(self.examples_menu, title, lambda p=path: self.open_example(p))
        menu.addSeparator()
        self.save_action = add(menu, "&Save", self.save, QKeySequence.StandardKey.Save)
        add(menu, "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        menu.addSeparator()
        self.sessions.add_actions(menu, add)
        menu.addSeparator()
        add(menu, "Export &Figure…", self.export_figure, "Ctrl+E")
        add(menu, "Export &Data as CSV…", self.export_csv, "Ctrl+Shift+E")
        self.models.add_actions(menu, add)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for path in files:
            act = QAction(path, self.recent_menu)
            act.triggered.connect(lambda _=False, p=path: self.open_file(p))
            self.recent_menu.addAction(act)
        if not files:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)

    def new_file(self) -> None:
        if self.maybe_save():
            self.window.document.new()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open graph", "", FILE_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, ask: bool = True) -> bool:
        """Open ``path``; a bad file is reported in a dialog and changes nothing."""
        if ask and not self.maybe_save():
            return False
        if is_onnx(path):
            return self.models.open_onnx(path)
        try:
            self.window.document.open(path)
        except GraphError as err:
            self.window.show_error("Cannot open file", str(err))
            return False
        except Exception as err:     # a fault of bpviz: still a message, and nothing lost
            self.window.show_error("Cannot open file", f"bpviz failed to read '{Path(path).name}' "
                            f"({type(err).__name__}: {err}); the open document is kept.")
            return False
        self.window.say(f"Opened {Path(path).name}")
        return True

    def open_example(self, path) -> bool:
        if not self.maybe_save():
            return False
        self.window.document.open_example(path)
        self.window.say(f"Example: {self.window.document.graph.name}")
        return True

    def save(self) -> bool:
        if self.window.document.path is None:
            return self.save_as()
        return self._save_to(self.window.document.path)

    def save_as(self) -> bool:
        default = self.window.document.path or Path.home() / (
            (self.window.document.graph.name or "untitled").split(" (")[0].replace(" ", "_")[:40]
            + ".bpviz.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save graph as", str(default), FILE_FILTER)
        return bool(path) and self._save_to(path)

    def _save_to(self, path) -> bool:
        try:
            saved = self.window.document.save(path)
        except GraphError as err:
            self.window.show_error("Cannot save", str(err))
            return False
        self.window.say(f"Saved {saved}")
        return True

    def current_lab(self):
        """The panel of the current tab if it exports (the labs), else None."""
        page = self.window.tabs.currentWidget()
        if isinstance(page, LazyPanel) and hasattr(page.panel, "csv_data"):
            return page.panel
        return None

    def export_figure(self, path=None) -> bool:
        """The current tab's figure (the canvas on the Backprop tab) as PNG or SVG."""
        lab = self.current_lab()
        widget = lab.figure_widget() if lab is not None else self.window.view
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export figure", "figure.png",
                                                  "PNG image (*.png);;SVG drawing (*.svg)")
            if not path:
                return False
        from ..widgets import figure_export  # on first use: not at start-up (issue 24)

        try:
            figure_export.export_figure(widget, path)
        except OSError as err:
            self.window.show_error("Cannot export", str(err))
            return False
        self.window.say(f"Figure written to {path}")
        return True

    def export_csv(self, path=None) -> bool:
        """The numbers behind the current lab's figure (curves, surface, trajectories)."""
        lab = self.current_lab()
        if lab is None:
            self.window.say("CSV export is for the Losses, Optimizers and Training tabs")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export data", "data.csv",
                                                  "CSV files (*.csv)")
            if not path:
                return False
        from ..widgets import figure_export

        try:
            figure_export.export_csv(path, lab.csv_data())
        except OSError as err:
            self.window.show_error("Cannot export", str(err))
            return False
        self.window.say(f"Data written to {path}")
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to replace the document (saved, discarded or unchanged).
        A lesson running ends, unless the user cancels: the question is about the user's
        own graph, the one the lesson set aside."""
        lessons, w = self.window.lessons, self.window
        aside = w.classroom.aside if lessons.active else None
        modified = aside.modified if aside is not None else w.document.modified
        answer = w.ask_unsaved() if modified else QMessageBox.StandardButton.Discard
        if answer not in (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard):
            return False                      # Cancel: the lesson goes on, nothing is lost
        lessons.leave()
        return self.save() if answer == QMessageBox.StandardButton.Save else True

    def check_recovery(self) -> bool:
        """Offer to restore what autosave kept from each instance that did not exit cleanly
        (gui/config/recovery.py), newest first; once one is restored the others stay for the next
        start. First, once: a config folder where nothing can be saved."""
        problem = storage_problem()
        if problem:
            self.window.show_error("Settings will not be saved", problem)
        restored, kept = False, 0
        for path in left_recovery_files():
            if restored:
                kept += 1
            elif self._offer_recovery(path):
                restored = True
        if kept:
            self.window.say(f"Restored unsaved work; {kept} more recovery file(s) are kept "
                            f"for the next start")
        return restored

    def _offer_recovery(self, path) -> bool:
        document = self.window.document
        try:
            record = read_recovery(path)
        except GraphError as err:
            self.window.say(f"A recovery file could not be read and is left alone: {err}")
            return False
        own = path == recovery_path()
        if not self.window.ask_restore(record):
            _remove(path)
            return False
        document.restore(record)
        if not own and document.write_recovery():   # now this instance's work: its file
            _remove(path)
        self.window.say("Restored unsaved work from the recovery file")
        return True


def _remove(path) -> None:
    try:
        Path(path).unlink()
    except OSError:                  # a read-only folder: offered again at the next start
        pass
