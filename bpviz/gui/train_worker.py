"""TrainWorker: runs bpviz.train's loop in a QThread. Only Qt signals cross threads, with
plain numbers and small numpy arrays, at most ``MAX_RATE`` times a second; torch is imported
here, when the Training tab first starts a run, never at start-up."""
from __future__ import annotations

import os
import time

from PySide6.QtCore import QObject, Signal

MAX_RATE = 20.0                      # records per second to the GUI at most


def gui_threads() -> int:
    """Torch threads for a run inside the app: leave the GUI a core on small machines."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if cores <= 4 else cores - 2


class TrainWorker(QObject):
    record = Signal(dict)             # a metrics record (+ snapshots as numpy arrays)
    finished = Signal(str, int)       # outcome ("done", "stopped", "max_steps"), last step
    failed = Signal(str)              # a message for the user

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.run = None
        self._last = 0.0
        self._stop = False             # a stop asked before the run was built

    def start(self) -> None:
        """The thread's entry point: build the run (loads torch), then train."""
        from bpviz.train.data import DataError
        from bpviz.train.loop import ConfigError, TrainingRun
        import torch

        try:
            self.run = TrainingRun(self.config)
            if self._stop:
                self.run.request_stop()
            outcome = self.run.run(self._report)
        except (ConfigError, DataError) as err:
            self.failed.emit(str(err))
            return
        except torch.cuda.OutOfMemoryError:
            self.failed.emit(f"out of GPU memory at batch size {self.config.batch_size}: "
                             f"lower the batch size (or use bf16)")
            return
        except Exception as err:        # the app must not crash on a failed run
            self.failed.emit(f"training failed: {type(err).__name__}: {err}")
            return
        self.finished.emit(outcome, self.run.step)

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
        if self.run is not None:
            self.run.request_pause()

    def resume(self) -> None:
        if self.run is not None:
            self.run.request_resume()

    def stop(self) -> None:
        self._stop = True
        if self.run is not None:
            self.run.request_stop()
