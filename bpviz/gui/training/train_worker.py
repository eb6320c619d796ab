"""TrainWorker: runs bpviz.train's loop in a QThread. Only Qt signals cross threads, with
plain numbers and small numpy arrays, at most ``MAX_RATE`` times a second. torch is loaded
before a run (import_engine, by the Training tab's EngineLoader), never at start-up."""
from __future__ import annotations

import gc
import os
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from bpviz.train.loop import TrainingRun

MAX_RATE = 20.0                      # records per second to the GUI at most


def import_engine() -> None:
    """Import torch, torchvision and the training loop (~4 s cold). No Qt here: the Training
    tab's EngineLoader runs it in a thread of its own before any run, so that the window
    keeps answering; a run's worker never imports them (see load_engine)."""
    import torchvision.models  # noqa: F401  (pulls in torch._dynamo, sympy and triton)
    import torchvision.transforms  # noqa: F401

    import bpviz.train.loop  # noqa: F401


def freeze_engine() -> None:
    """After import_engine, in the GUI thread: ~380,000 objects now live for good; a full
    garbage collection walking them all held the GIL for ~0.2 s, whichever thread it ran in.
    Frozen, later collections skip them. (A collection runs the finalizers of the garbage it
    finds, Qt objects' included, in the thread that collects: this one, not the loader's.)"""
    gc.collect()
    gc.freeze()


def load_engine() -> None:
    """import_engine and freeze_engine in this thread, before a run. Imported later, by the
    run's worker, they froze the window for up to 0.2 s at a time during the run's first
    second and a half: loading their compiled libraries holds the GIL, which the GUI thread
    needs to run any Python slot. (The EngineLoader's thread pays those stalls before any
    run, while the tab says that PyTorch is loading, instead of a 4 s freeze.)"""
    import_engine()
    freeze_engine()


def gui_threads() -> int:
    """Torch threads for a run inside the app: leave the GUI a core on small machines."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if cores <= 4 else cores - 2


class TrainWorker(QObject):
    # a metrics record (+ snapshots as numpy arrays), passed as the Python object: a dict
    # signal would become a QVariantMap, which sorts the keys (conv1 … fc8 lose their order)
    record = Signal(object)
    finished = Signal(str, int)       # outcome ("done", "stopped", "max_steps"), last step
    failed = Signal(str)              # a message for the user

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.training: TrainingRun | None = None     # while the run exists
        self.clock = time.perf_counter  # the throttle's clock (tests set their own)
        self._last = 0.0
        self._held = None              # the newest record the throttle held back
        # the requests from the GUI thread: events owned here and handed to the run, so
        # one made while the run is being built (or freed) is neither lost nor racing
        self.stop_event, self.resume_event = threading.Event(), threading.Event()
        self.resume_event.set()

    def start(self) -> None:
        """The thread's entry point: build the run (loads torch), then train."""
        import torch

        from bpviz.train.loop import USER_ERRORS, TrainingRun

        message: str | None          # why the run failed; None when it finished
        try:
            self.training = TrainingRun(self.config, stop_event=self.stop_event,
                                        resume_event=self.resume_event)
            outcome = self.training.run(self._report)
            step = self.training.step
            self._send_held()          # the run's last record shows, however fast it came
        except USER_ERRORS as err:       # bad settings or data, a full disk, a bad checkpoint
            message = str(err)
        except torch.cuda.OutOfMemoryError:
            message = (f"out of GPU memory at batch size {self.config.batch_size}: lower the "
                       f"batch size (or use bf16)")
        except Exception as err:        # the app must not crash on a failed run
            message = f"training failed: {type(err).__name__}: {err}"
        else:
            message = None
        # free the model, its gradients and the optimizer's state here: dropped by the GUI
        # thread, their ~0.7 GB took it 70 ms to give back
        self.training = None
        gc.collect()
        if message is None:
            self.finished.emit(outcome, step)
        else:
            self.failed.emit(message)

    def _report(self, record: dict) -> None:
        now, train = self.clock(), record["split"] == "train"
        if train and now - self._last < 1.0 / MAX_RATE:
            self._held = record        # throttle: validation records always go through
            return
        if train:
            self._held = None
        self._last = now
        self._send(record)

    def _send_held(self) -> None:
        if self._held is not None:
            self._send(self._held)
            self._held = None

    def _send(self, record: dict) -> None:
        assert self.training is not None, "records come only from a run that exists"
        snap = self.training.snapshots()
        out = dict(record)
        out["conv1"] = snap["conv1"].numpy()
        out["batch"] = None if snap["batch"] is None else snap["batch"].numpy()
        self.record.emit(out)

    # requests from the GUI thread: the loop checks them between steps
    def pause(self) -> None:
        self.resume_event.clear()

    def resume(self) -> None:
        self.resume_event.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.resume_event.set()         # a paused run wakes up to stop
