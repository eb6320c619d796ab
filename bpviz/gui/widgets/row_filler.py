"""RowFiller: a LazyJacobian's rows computed on a worker thread, for a view that draws
what it has and asks for what it lacks."""
from __future__ import annotations

import queue
import threading

from PySide6.QtCore import QObject, Signal

from .collector import collect_on_gui_thread


def coarse_to_fine(rows: list[int]) -> list[int]:
    """Every 2^k-th first, then the ones between: a zoomed-out picture fills evenly instead
    of top to bottom."""
    return [rows[i] for i in sorted(range(len(rows)), key=lambda i: -(i & -i) if i else -2**62)]


class _Worker:
    """One daemon thread for every view (passes never overlap, and quitting the app never
    waits for more than the pass under way)."""

    jobs: queue.SimpleQueue | None = None
    epoch = 0                              # stop_workers() cancels the jobs of older epochs
    running = threading.Lock()             # held while a job runs

    @classmethod
    def submit(cls, job) -> None:
        if cls.jobs is None:
            collect_on_gui_thread()          # before a worker allocates: widgets/collector.py
            cls.jobs = queue.SimpleQueue()
            threading.Thread(target=cls._run, args=(cls.jobs,), name="jacobian-rows",
                             daemon=True).start()
        cls.jobs.put((cls.epoch, job))

    @classmethod
    def _run(cls, jobs: queue.SimpleQueue) -> None:
        while True:
            epoch, job = jobs.get()
            with cls.running:
                if epoch == cls.epoch:
                    job()


def stop_workers(timeout: float = 30.0) -> None:
    """Before the app's widgets go: the jobs asked for so far are dropped, the pass under
    way is the last (a pass that ended after its view was deleted crashed the process at
    exit). Views made later ask again."""
    _Worker.epoch += 1
    if _Worker.running.acquire(timeout=timeout):
        _Worker.running.release()


class RowFiller(QObject):
    """Computes a LazyJacobian's rows on the worker thread; a newer request cancels the
    older one between backward passes. ``filled`` after each pass (queued to the GUI)."""

    filled = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0
        self.wanted: tuple = ()
        self.background = True            # False: only ``fill`` computes (tests count passes)
        self.failed = ""                  # why the last rows could not be computed

    def request(self, lazy, rows: list[int]) -> None:
        key = (id(lazy), tuple(rows))
        if key == self.wanted or not self.background:
            return
        self.wanted, self.generation = key, self.generation + 1
        generation, ordered = self.generation, coarse_to_fine(rows)
        epoch = _Worker.epoch
        _Worker.submit(lambda: self._fill_reporting(lazy, ordered, generation, epoch))

    def cancel(self) -> None:
        self.generation += 1
        self.wanted = ()

    def _fill_reporting(self, lazy, rows, generation, epoch) -> None:
        try:
            self.fill(lazy, rows, generation, epoch)
        except Exception as err:   # noqa: BLE001 - the worker must live on; the view says it
            self.failed = f"could not compute rows: {type(err).__name__}: {err}"
            self.filled.emit()

    def fill(self, lazy, rows: list[int], generation: int | None = None,
             epoch: int | None = None) -> None:
        """Compute ``rows`` a pass at a time (in the calling thread: tests call it)."""
        todo = lazy.missing(rows)
        current = (lambda: (epoch is None or epoch == _Worker.epoch)
                   and (generation is None or generation == self.generation))
        while todo and current():
            lazy.compute(todo[:lazy.rows_per_pass])
            todo = lazy.missing(todo)
            if current():
                self.filled.emit()
