"""RowFiller: a LazyJacobian's rows computed on a worker thread, for a view that draws
what it has and asks for what it lacks."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal


def coarse_to_fine(rows: list[int]) -> list[int]:
    """Every 2^k-th first, then the ones between: a zoomed-out picture fills evenly instead
    of top to bottom."""
    return [rows[i] for i in sorted(range(len(rows)), key=lambda i: -(i & -i) if i else -2**62)]


class RowFiller(QObject):
    """Computes a LazyJacobian's rows on one worker thread; a newer request cancels the
    older one between backward passes. ``filled`` after each pass (queued to the GUI)."""

    filled = Signal()
    _pool = None                          # one thread for every view: passes never overlap

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0
        self.wanted: tuple = ()
        self.background = True            # False: only ``fill`` computes (tests count passes)

    def request(self, lazy, rows: list[int]) -> None:
        key = (id(lazy), tuple(rows))
        if key == self.wanted or not self.background:
            return
        self.wanted, self.generation = key, self.generation + 1
        if RowFiller._pool is None:
            RowFiller._pool = ThreadPoolExecutor(1, thread_name_prefix="jacobian-rows")
        RowFiller._pool.submit(self.fill, lazy, coarse_to_fine(rows), self.generation)

    def cancel(self) -> None:
        self.generation += 1
        self.wanted = ()

    def fill(self, lazy, rows: list[int], generation: int | None = None) -> None:
        """Compute ``rows`` a pass at a time (in the calling thread: tests call it)."""
        todo = lazy.missing(rows)
        current = (lambda: generation is None or generation == self.generation)
        while todo and current():
            lazy.compute(todo[:lazy.rows_per_pass])
            todo = lazy.missing(todo)
            if current():
                self.filled.emit()
