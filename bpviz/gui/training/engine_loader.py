"""EngineLoader: PyTorch loaded for the Training tab and its GPUs listed, without freezing the
window. The tab is built without torch (the augmentation demo, one of its pages, is numpy);
the load starts when the form is first shown and runs in a thread of its own, so a lesson
can go on meanwhile. Importing holds the GIL in stretches (compiled libraries load): the
window stalls up to ~0.3 s at a time for ~4 s instead of freezing for those 4 s, before any
run, while the form says that PyTorch is loading. Only the outcome crosses threads, read by a
timer in the GUI thread: nothing in the loader's thread touches Qt, so it may outlive the
window at exit (Python waits for it, a few seconds at most)."""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from .install_notice import engine_failure, missing_engine
from .train_worker import freeze_engine, import_engine

POLL_MS = 50                         # how often the GUI thread looks whether the load is done


def cuda_devices() -> list[tuple[str, str]]:
    """(label, device name) of each CUDA GPU torch sees, e.g. ("cuda:0 H100 (80 GiB)",
    "cuda:0")."""
    import torch
    devices = []
    for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        props = torch.cuda.get_device_properties(i)
        devices.append((f"cuda:{i} {props.name} ({props.total_memory / 2**30:.0f} GiB)",
                        f"cuda:{i}"))
    return devices


def find_gpus() -> tuple[list[tuple[str, str]], str]:
    """cuda_devices(), and what went wrong where CUDA is there but fails (a driver too old
    for this torch): then no GPU is listed, and a CPU run still works."""
    try:
        return cuda_devices(), ""
    except Exception as err:            # whatever CUDA raises: reported, never raised
        return [], str(err) or type(err).__name__


def load_outcome(check) -> tuple[str | None, list, str]:
    """(why the engine did not load, or None; the GPUs; their problem or "") after
    ``check()``, which loads it and says why not (missing_engine)."""
    try:
        reason = check()
    except Exception as err:     # whatever a broken install raises: reported, never raised
        reason = f"{type(err).__name__}: {err}"
    return (reason, [], "") if reason else (None, *find_gpus())


class EngineLoader(QObject):
    """state: "idle" until start() or wait(), "loading", then "ready" (``loaded`` with the
    GPUs) or "failed" (``failed`` with the reason, for the InstallNotice); both signals are
    emitted in the GUI thread."""
    loaded = Signal(object, str)     # [(label, device name)] of the GPUs; their problem or ""
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = "idle"
        self.importer: threading.Thread | None = None
        # written once by the loader's thread, then read here
        self.outcome: tuple[str | None, list, str] | None = None
        self.poll = QTimer(self, interval=POLL_MS)
        self.poll.timeout.connect(self._check)

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def start(self) -> None:
        """Load in the background; nothing when already loading or done."""
        if self.state != "idle":
            return
        self.state = "loading"
        # no automatic collection while the imports allocate: it would run in the loader's
        # thread (finalizers of the window's garbage included) and hold the GIL on a heap
        # growing by ~380,000 objects; freeze_engine collects once, in the GUI thread
        collecting = gc.isenabled()
        gc.disable()
        self.importer = threading.Thread(target=self._load, args=(collecting,),
                                       name="bpviz-engine-loader")
        self.importer.start()
        self.poll.start()

    def _load(self, collecting: bool) -> None:       # the loader's thread
        try:
            self.outcome = load_outcome(lambda: engine_failure(import_engine))
        finally:
            if collecting:
                gc.enable()

    def wait(self) -> str:
        """Block until the engine is loaded or has failed (loaded now, in this thread, if
        the load has not started); its signal is emitted before this returns. The state."""
        if self.state in ("ready", "failed"):
            return self.state
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.state == "idle":
                self.state = "loading"
                self._finish(load_outcome(missing_engine))      # imports and freezes
            elif self.importer is not None:             # loading in the loader's thread
                self.importer.join()
                self._check()
        finally:
            QApplication.restoreOverrideCursor()
        return self.state

    def _check(self) -> None:
        if self.state != "loading" or (self.importer is not None and self.importer.is_alive()):
            return
        # no outcome: the thread ended by a BaseException (an import that called sys.exit)
        outcome = self.outcome or ("the import of PyTorch ended without a result", [], "")
        if outcome[0] is None:
            freeze_engine()
        self._finish(outcome)

    def _finish(self, outcome) -> None:
        self.poll.stop()
        reason, devices, problem = outcome
        self.state = "failed" if reason else "ready"
        if reason:
            self.failed.emit(reason)
        else:
            self.loaded.emit(devices, problem)
