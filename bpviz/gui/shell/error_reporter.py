"""ErrorReporter: the last line of defence against a fault of bpviz itself.

An exception that escapes a slot would otherwise print a traceback to a terminal the user
may not have, and leave them guessing. The reporter writes the traceback to ``errors.log``
in the config folder and tells the user in one sentence what failed and where the details
are; the app carries on with their document untouched (the recovery file keeps it too).
"""
from __future__ import annotations

import sys
import time
import traceback
from html import escape

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from ..config.settings import config_dir

LOG_LIMIT = 1_000_000            # bytes: the log is started afresh past this size


class ErrorReporter:
    def __init__(self, parent_widget=None):
        self.parent_widget = parent_widget
        self.pending: list[str] = []            # one line per fault not yet shown
        self.path = None                        # where the last fault's details went
        self.dialogs = True
        self.previous_hook = sys.excepthook

    def install(self, dialogs: bool = True) -> None:
        """Take the faults that escape slots. Before the event loop runs (``dialogs`` False)
        they are only logged and kept in ``pending``, for the caller to say in one line; once
        it runs, each turn's faults are shown in one dialog, those kept included."""
        self.dialogs = dialogs
        sys.excepthook = self.report
        if dialogs and self.pending:
            QTimer.singleShot(0, lambda: self.show(self.path))

    def uninstall(self) -> None:
        sys.excepthook = self.previous_hook

    def report(self, kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self.previous_hook(kind, value, tb)
            return
        path = self.path = self.log(kind, value, tb)
        self.pending.append(f"{kind.__name__}: {value}".strip().rstrip(":")[:300])
        if self.dialogs and len(self.pending) == 1:    # several faults in one turn: one dialog
            QTimer.singleShot(0, lambda: self.show(path))

    def log(self, kind, value, tb):
        """Append the traceback to errors.log; its path, or None if it cannot be written."""
        try:
            path = config_dir() / "errors.log"
            if path.exists() and path.stat().st_size > LOG_LIMIT:
                path.unlink()
            with path.open("a", encoding="utf-8") as f:
                f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
                f.write("".join(traceback.format_exception(kind, value, tb)))
            return path
        except OSError:
            return None

    def show(self, path) -> None:
        faults, self.pending = self.pending, []
        where = f"The details are in {path}." if path else "The details could not be saved."
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        text = (f"Something in bpviz failed: {faults[0]}{more}.\n\nYour work is kept and the "
                f"app carries on. {where} Please report it with that file.")
        # shown as written: a fault's text may quote a file, and Qt would take <img …> as HTML
        QMessageBox.warning(self.parent_widget, "bpviz: internal error",
                            f"<p style='white-space: pre-wrap'>{escape(text, quote=False)}</p>")
