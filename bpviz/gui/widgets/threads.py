"""Waiting for a worker QThread from the GUI thread without deadlocking."""
from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication


def wait_for(thread, timeout_ms: int) -> bool:
    """Poll until ``thread`` has finished, delivering the GUI's events meanwhile.

    Not QThread.wait(): called from Python it may hold the GIL that the worker's Python code
    needs, and queued signals from the worker could not be delivered."""
    return wait_until(lambda: thread is None or not thread.isRunning(), timeout_ms)


def wait_until(done, timeout_ms: int) -> bool:
    """Poll ``done()`` until it is true, delivering the GUI's events meanwhile; False on
    timeout."""
    deadline = time.perf_counter() + timeout_ms / 1000
    while not done():
        if time.perf_counter() > deadline:
            return False
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()
    return True
