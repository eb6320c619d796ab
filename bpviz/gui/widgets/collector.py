"""Python's cyclic garbage collection on the GUI thread only.

A collection frees the garbage it finds, Qt objects included, in the thread that runs it.
Left automatic, that is whichever thread allocates when the count passes the threshold: the
drawing or Jacobian-row worker, the CSV reader, the classroom's background thread. A Qt
object destroyed there stops and starts its timers from the wrong thread ("QBasicTimer::
start: Timers cannot be started from another thread"), and the GUI thread later fires a
timer of freed memory (the GUI suite crashed in ``QTimerInfoList::activateTimers`` with
both workers idle). So automatic collection is turned off once a window or a worker exists,
and a timer of the GUI thread collects instead, generation by generation as Python would."""
from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread, QTimer

INTERVAL_MS = 200        # at most this long between an allocation burst and its collection
_TIMER: list = []


def collect_due() -> int | None:
    """One collection if Python's thresholds ask for one: the oldest generation due (the
    same rule as the automatic collector's, without its heuristic for the oldest)."""
    (c0, c1, c2), (t0, t1, t2) = gc.get_count(), gc.get_threshold()
    if t0 == 0 or c0 <= t0:
        return None
    generation = 2 if c1 > t1 and c2 > t2 else 1 if c1 > t1 else 0
    gc.collect(generation)
    return generation


def collecting() -> bool:
    """Whether the GUI thread's timer collects (automatic collection is then off)."""
    return bool(_TIMER) and shiboken6.isValid(_TIMER[0]) and _TIMER[0].isActive()


def collect_on_gui_thread() -> None:
    """From here on, collect on the GUI thread only (once per application; does nothing
    outside the GUI thread or before the application exists)."""
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return
    if collecting():
        return
    timer = QTimer(app)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(collect_due)
    timer.start()
    _TIMER[:] = [timer]
    gc.disable()
