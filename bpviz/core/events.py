"""A minimal observer list for model events (only Qt signals cross threads; this never does).

A ``Gate`` shared by several signals holds their emissions while a change of many parts is
made (a lesson step, a session restored) and then lets each signal through once, with its
last arguments, in the order of those last emissions: a view is built once for the state
the change ends in, not once per part of it."""
from __future__ import annotations

import threading
from contextlib import contextmanager


class Gate:
    def __init__(self):
        self._depth = 0
        self._queued: dict = {}           # signal -> its last arguments, oldest first

    @property
    def held(self) -> bool:
        return self._depth > 0

    @contextmanager
    def hold(self):
        """Hold the gate's signals until the outermost ``hold`` ends (even by an exception:
        the views must follow the state the model was left in)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.flush()

    def flush(self) -> None:
        """Let what is held through now (a view about to be used must show the state so
        far); the gate stays held for what comes after."""
        raised = []
        while self._queued:
            signal = next(iter(self._queued))
            args = self._queued.pop(signal)
            try:
                signal.deliver(*args)
            except Exception as err:   # noqa: BLE001 - the others still follow; raised after
                raised.append(err)
        if raised:
            raise raised[0]

    def queue(self, signal: Signal, args: tuple) -> None:
        self._queued.pop(signal, None)     # moved to the end: the last emission counts
        self._queued[signal] = args


class Signal:
    """``connect(fn)``; ``emit(*args)`` calls every connected function in order (later, once,
    while its ``gate`` is held)."""

    def __init__(self, gate: Gate | None = None):
        self._slots: list = []
        self._gate = gate

    def connect(self, fn) -> None:
        if fn not in self._slots:
            self._slots.append(fn)

    def disconnect(self, fn) -> None:
        if fn in self._slots:
            self._slots.remove(fn)

    def emit(self, *args) -> None:
        if self._gate is not None and self._gate.held:
            self._gate.queue(self, args)
        else:
            self.deliver(*args)

    def deliver(self, *args) -> None:
        """Call every slot, even after one raised (each view must follow the model); the
        first exception is raised after."""
        raised = []
        for fn in list(self._slots):
            try:
                fn(*args)
            except Exception as err:   # noqa: BLE001 - re-raised below
                raised.append(err)
        if raised:
            raise raised[0]


class Background:
    """One background job at a time, ``work(stop=...)``, which checks ``stop()`` between its
    pieces: stopped and waited for when another starts and before the app exits."""

    def __init__(self, name: str):
        self.name = name
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self, work, wanted) -> None:
        """Run ``work`` in a thread while ``wanted()`` is true."""
        self.stop()
        self._stopping = False
        self._thread = threading.Thread(target=work, name=self.name, kwargs={
            "stop": lambda: self._stopping or not wanted()})
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
