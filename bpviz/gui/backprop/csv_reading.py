"""Reading a CSV data file off the interface thread, with progress and a Cancel.

A CSV file may hold a million rows (67 s and 5.4 GB on the interface thread before the
limits; seconds still at the limit). ``read_csv_in_background`` reads it in a QThread while
the window keeps painting; after a moment a window-modal progress dialog shows how far it
got, and its Cancel stops the reader at its next progress call (every 4,096 lines). The
caller waits in a local event loop, so it gets the Dataset or a DataError as from
``datasets.read_csv``. Quitting the app ends that loop: the reader is cancelled, then
waited for, so no thread outlives the app."""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from ...core.data import datasets as ds
from ...core.errors import DataError

SHOW_AFTER_MS = 400            # a small file is read before any dialog flashes up
_running: set[CsvReader] = set()


class Cancelled(Exception):
    """Raised inside the reader when the user pressed Cancel."""


class CsvReader(QThread):
    progressed = Signal(int)       # per mille of the file read

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        self.stop = threading.Event()
        self.dataset: ds.Dataset | None = None
        self.error: str | None = None           # what went wrong, for the user

    def run(self) -> None:
        try:
            self.dataset = ds.read_csv(self.path, progress=self.report)
        except Cancelled:
            self.error = f"reading '{self.path.name}' was cancelled"
        except DataError as err:
            self.error = str(err)
        except Exception as err:    # a fault of bpviz: still one message, nothing escapes
            self.error = (f"bpviz failed to read '{self.path.name}' "
                          f"({type(err).__name__}: {str(err)[:120]})")

    def report(self, done: int, size: int) -> None:
        if self.stop.is_set():
            raise Cancelled
        self.progressed.emit(min(1000, 1000 * done // max(size, 1)))

    def cancel(self) -> None:
        self.stop.set()


def read_csv_in_background(path, parent=None) -> ds.Dataset:
    """``datasets.read_csv(path)`` on a worker thread; DataError if it fails or the user
    cancels. ``parent``: the window the progress dialog belongs to."""
    reader = CsvReader(path)
    dialog = QProgressDialog(f"Reading {Path(path).name}…", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle("Reading data")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(2**30)           # shown by the timer below, not by setValue
    dialog.reset()                             # (a new QProgressDialog shows itself)
    dialog.canceled.connect(reader.cancel)     # Cancel, Esc, or closing the dialog
    # Esc reaches the dialog's own key handling (which only hides it) when the dialog is not
    # yet the active window; its Esc shortcut then misses. Hidden is cancelled too: a CI
    # run once waited for ever for a reader whose dialog Esc had hidden
    dialog.rejected.connect(reader.cancel)
    reader.progressed.connect(dialog.setValue)
    loop = QEventLoop()
    reader.finished.connect(loop.quit)         # queued: delivered once the loop runs
    _running.add(reader)
    def show_while_reading() -> None:
        if reader.isRunning():
            dialog.show()

    QTimer.singleShot(SHOW_AFTER_MS, show_while_reading)
    reader.start()
    try:
        loop.exec()                            # ends when the reader does, or at quit
    finally:
        reader.cancel()                        # at quit: cancelled, then waited for
        reader.wait()
        _running.discard(reader)
        dialog.close()
        dialog.deleteLater()
    if reader.dataset is None:
        raise DataError(reader.error or f"reading '{Path(path).name}' was stopped")
    return reader.dataset


def stop_readers() -> None:
    """Cancel every CSV reader still running and wait for it (at quit)."""
    for reader in list(_running):
        reader.cancel()
        reader.wait()
