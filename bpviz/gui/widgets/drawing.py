"""Drawing: what a view makes of a large array (a heat map's image, an image grid's
pictures), made on a worker thread so that a step of the stepper does not wait for it, and
kept by the array it was made from, so that showing that array again costs nothing.

A view takes a Drawing, draws a placeholder until it is ``done`` and is called back
(``when_done``) on the GUI thread once the worker has made it. Whoever needs the result at
once (a test, a focus copy) calls ``result()``: it is made in the calling thread if the
worker has not made it yet. A small one is made at once, where it is asked for.

``kept_drawing`` keeps the last drawings by the identity of their array and what else they
depend on (a sample, a shape, class names), while the array lives and its content looks
unchanged (an optimizer step changes weights in place); ``forget_drawings`` drops them all
(a new graph: nothing of the old one is kept)."""
from __future__ import annotations

import math
import queue
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from .collector import collect_on_gui_thread

SMALL = 20_000          # values: a drawing of fewer is made at once (well under 1 ms)
KEPT = 24               # drawings kept by kept_drawing: ~3 MB each at most (ten 224x224
                        # RGB class templates), AlexNet's feature maps far less
SAMPLED = 4096          # entries of an array compared, besides its sum, to see a change


class Drawing:
    """``make()``, run once: on the worker thread, or in the first thread that needs it."""

    def __init__(self, make: Callable[[], object], size: int = 0):
        self.size = size                  # values it is made from: small ones are made at once
        self._make: Callable[[], object] | None = make
        self._value: object = None
        self._lock = threading.Lock()
        self.waiting: list = []           # (view, callback): told on the GUI thread when done
        self.done = False

    def result(self):
        with self._lock:
            if self._make is not None:
                self._value = self._make()
                self._make = None         # nor the array it was made from: it may go
                self.done = True
        return self._value

    def when_done(self, view, callback: Callable[[], None]) -> None:
        """``callback()`` on the GUI thread once made (now, when it is small or made)."""
        if not self.done and self.size < SMALL:
            self.result()
        if self.done:
            callback()
            return
        if all(v is not view for v, _ in self.waiting):
            self.waiting.append((view, callback))
            _Worker.submit(self)

    def forget(self, view) -> None:
        """``view`` shows another drawing now: no need to tell it, nor to make this one for
        it. One that nobody waits for is skipped by the worker and no longer kept, nor is
        its array (stepping fast leaves many behind)."""
        self.waiting = [(v, c) for v, c in self.waiting if v is not view]
        if not self.waiting and not self.done:
            for key, kept in list(_KEPT.items()):
                if kept[2] is self:
                    del _KEPT[key]


def fingerprint(a: np.ndarray) -> tuple:
    """What changes when an array is changed in place: its sum and every k-th entry."""
    flat = a.reshape(-1)
    total = float(flat.sum()) if flat.size else 0.0
    step = max(1, math.ceil(flat.size / SAMPLED))
    return a.shape, a.dtype.str, np.float64(total).tobytes(), flat[::step].tobytes()


_KEPT: OrderedDict = OrderedDict()   # (id(array), depends) -> (weak array, print, Drawing)


def kept_drawing(array, depends: tuple, make: Callable[[], object], within=None) -> Drawing:
    """The drawing ``make`` makes of ``array`` (and of ``depends``: a sample, a shape),
    kept: the same array, unchanged, gets the same Drawing, done or not. ``within``: the
    array that ``array`` is a part of (one sample of a batch: a new view each time), whose
    identity keeps it."""
    array = np.asarray(array)
    owner = array if within is None else within
    key, print_ = (id(owner), depends), fingerprint(array)
    kept = _KEPT.get(key)
    if kept is not None and kept[0]() is owner and kept[1] == print_:
        _KEPT.move_to_end(key)
        return kept[2]
    drawing = Drawing(make, array.size)
    _KEPT[key] = (weakref.ref(owner), print_, drawing)
    while len(_KEPT) > KEPT:
        _KEPT.popitem(last=False)
    return drawing


def forget_drawings() -> None:
    """Drop every kept drawing (a new graph or lesson: none will be shown again)."""
    _KEPT.clear()


class _Deliverer(QObject):
    """Lives on the GUI thread: the worker's ``made`` is queued to it."""
    made = Signal(object)

    def __init__(self):
        super().__init__()
        self.made.connect(self.deliver)

    @Slot(object)
    def deliver(self, drawing: Drawing) -> None:
        waiting, drawing.waiting = drawing.waiting, []
        for view, callback in waiting:
            if shiboken6.isValid(view):         # its page may have gone meanwhile
                callback()


class _Worker:
    """One daemon thread for every view: a drawing takes milliseconds, and quitting the app
    never waits for more than the one under way."""

    jobs: queue.SimpleQueue | None = None
    deliverer: _Deliverer | None = None

    @classmethod
    def submit(cls, drawing: Drawing) -> None:
        if cls.jobs is None:
            collect_on_gui_thread()          # before a worker allocates: widgets/collector.py
            deliverer = cls.deliverer = _Deliverer()    # created here: on the GUI thread
            cls.jobs = queue.SimpleQueue()
            threading.Thread(target=cls._run, args=(cls.jobs, deliverer), name="drawings",
                             daemon=True).start()
        cls.jobs.put(drawing)

    @classmethod
    def _run(cls, jobs: queue.SimpleQueue, deliverer: _Deliverer) -> None:
        while True:
            drawing = jobs.get()
            if not drawing.waiting:             # nobody shows it any more: made if asked
                continue
            try:
                drawing.result()
            except Exception:   # noqa: BLE001 - the worker lives on: the view's result()
                pass                             # makes it again and raises where it is seen
            try:
                deliverer.made.emit(drawing)
            except RuntimeError:                 # the app has quit: nobody to tell
                return
