"""ImageCounter: a data folder's images counted away from the GUI thread."""
from __future__ import annotations

import os
import threading

from PySide6.QtCore import QObject, Signal

from ...core.errors import DataError
from ...train.folders import describe_folder


class ImageCounter(QObject):
    """Counts a data folder's images in a background thread (ImageNet's 1.28 M files take a
    while), with bpviz-train's own checks; ``counted(path, summary)`` arrives in the GUI
    thread, the summary a warning where a run could not start."""
    counted = Signal(str, str)

    def count(self, path: str) -> None:
        threading.Thread(target=self._count, args=(path,), daemon=True).start()

    def _count(self, path: str) -> None:
        try:
            summary = describe_folder(path)
        except DataError as err:
            summary = f"⚠ {err}"
        try:
            self.counted.emit(path, summary)
        except RuntimeError:                             # the tab has gone meanwhile
            pass


def shown_path(path: str) -> str:
    """A folder as a form field shows it: the home folder as ~ (the field is narrow; the
    run's config expands it again)."""
    home = os.path.expanduser("~")
    inside = path == home or path.startswith(home.rstrip(os.sep) + os.sep)
    return "~" + path[len(home.rstrip(os.sep)):] if inside and home != os.sep else path
