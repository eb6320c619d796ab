"""A minimal observer list for model events (only Qt signals cross threads; this never does)."""
from __future__ import annotations


class Signal:
    """``connect(fn)``; ``emit(*args)`` calls every connected function in order."""

    def __init__(self):
        self._slots: list = []

    def connect(self, fn) -> None:
        if fn not in self._slots:
            self._slots.append(fn)

    def disconnect(self, fn) -> None:
        if fn in self._slots:
            self._slots.remove(fn)

    def emit(self, *args) -> None:
        for fn in list(self._slots):
            fn(*args)
