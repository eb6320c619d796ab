"""Work off the GUI thread: a Worker thread whose results come back to the GUI thread, and
waiting for a worker QThread from the GUI thread without deadlocking."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication

from .collector import collect_on_gui_thread


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


class _Deliverer(QObject):
    """Lives on the GUI thread: a worker's ``done`` is queued to it."""

    done = Signal(object, object)            # the caller's callback, (result, error)

    def __init__(self):
        super().__init__()
        self.done.connect(self.deliver)

    @Slot(object, object)
    def deliver(self, callback, outcome) -> None:
        callback(*outcome)


class Worker:
    """One daemon thread that runs jobs in turn, off the GUI thread, and hands each job's
    result (or the exception it raised) to its callback on the GUI thread: the callback
    gets ``(result, None)`` or ``(None, error)``. A job cannot be stopped half-way (numpy
    holds no checkpoints): its owner drops a result it no longer wants. ``stop()`` before
    the app's widgets go: no result is delivered after it."""

    started: list[Worker] = []               # for stop_all() when the app quits

    def __init__(self, name: str):
        self.name = name
        self._jobs: queue.SimpleQueue | None = None
        self._deliverer: _Deliverer | None = None
        self._running = threading.Lock()     # held while a job runs
        self._epoch = 0                      # stop() drops the jobs of older epochs

    def submit(self, job: Callable[[], object], callback: Callable) -> None:
        if self._jobs is None:
            collect_on_gui_thread()          # before a worker allocates: widgets/collector.py
            self._deliverer = _Deliverer()   # created here: on the GUI thread
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._run, args=(self._jobs, self._deliverer),
                             name=self.name, daemon=True).start()
            Worker.started.append(self)
        self._jobs.put((self._epoch, job, callback))

    def _run(self, jobs: queue.SimpleQueue, deliverer: _Deliverer) -> None:
        while True:
            epoch, job, callback = jobs.get()
            with self._running:
                if epoch != self._epoch:
                    continue
                outcome: tuple[object, Exception | None]
                try:
                    outcome = (job(), None)
                except Exception as err:     # noqa: BLE001 - handed to the caller, who says it
                    outcome = (None, err)
                if epoch == self._epoch:
                    deliverer.done.emit(callback, outcome)

    def stop(self, timeout: float = 30.0) -> None:
        """Drop the jobs waiting and wait (at most ``timeout`` s) for the one under way."""
        self._epoch += 1
        if self._running.acquire(timeout=timeout):
            self._running.release()

    @classmethod
    def stop_all(cls, timeout: float = 30.0) -> None:
        for worker in cls.started:
            worker.stop(timeout)
