"""TrainWorker: runs bpviz.train's loop in a QThread. Only Qt signals cross threads, with
plain numbers and small numpy arrays, at most ``MAX_RATE`` times a second; torch is imported
here, when the Training tab first starts a run, never at start-up."""
from __future__ import annotations

import gc
import os
import time

from PySide6.QtCore import QObject, Signal

MAX_RATE = 20.0                      # records per second to the GUI at most


def load_engine() -> None:
    """Import torch, torchvision and the training loop now, in the GUI thread, when the tab
    is first built. Imported later, by the worker, they froze the window for up to 0.2 s at a
    time during a run's first second and a half: loading their compiled libraries holds the
    GIL, which the GUI thread needs to run any Python slot."""
    import torchvision.models  # noqa: F401  (pulls in torch._dynamo, sympy and triton)
    import torchvision.transforms  # noqa: F401
    import bpviz.train.loop  # noqa: F401
    # ~380,000 objects now live for good; a full garbage collection walking them all held the
    # GIL for ~0.2 s, whichever thread it ran in. Frozen, later collections skip them.
    gc.collect()
    gc.freeze()


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
        self.run = None
        self._last = 0.0
        self._stop = False             # a stop or pause asked before the run was built
        self._pause = False

    def start(self) -> None:
        """The thread's entry point: build the run (loads torch), then train."""
        from bpviz.train.data import DataError
        from bpviz.train.loop import ConfigError, TrainingRun
        import torch

        try:
            self.run = TrainingRun(self.config)
            if self._pause:
                self.run.request_pause()
            if self._stop:
                self.run.request_stop()
            outcome = self.run.run(self._report)
            step = self.run.step
        except (ConfigError, DataError) as err:
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
        self.run = None
        gc.collect()
        if message is None:
            self.finished.emit(outcome, step)
        else:
            self.failed.emit(message)

    def _report(self, record: dict) -> None:
        now = time.perf_counter()
        if record["split"] == "train" and now - self._last < 1.0 / MAX_RATE:
            return                     # throttle: validation records always go through
        self._last = now
        snap = self.run.snapshots()
        out = dict(record)
        out["conv1"] = snap["conv1"].numpy()
        out["batch"] = None if snap["batch"] is None else snap["batch"].numpy()
        out["steps_per_epoch"] = self.run.steps_per_epoch()
        self.record.emit(out)

    # requests from the GUI thread: the loop checks them between steps
    def pause(self) -> None:
        self._pause = True
        run = self.run                 # the worker may drop it meanwhile
        if run is not None:
            run.request_pause()

    def resume(self) -> None:
        self._pause = False
        run = self.run                 # the worker may drop it meanwhile
        if run is not None:
            run.request_resume()

    def stop(self) -> None:
        self._stop = True
        run = self.run
        if run is not None:
            run.request_stop()
