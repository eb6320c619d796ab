"""TorchrunProcess: a run on several GPUs (or CPU processes) as a child process, bpviz-train
--ranks N, which starts the ranks through torch's elastic launcher; the counterpart of
TrainWorker's thread. Its records come from the run folder's metrics.jsonl,
followed as it grows; its output goes to the log, whole lines only; its last "bpviz-train:"
line says how it ended."""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from ...train.run_folder import OutputError, RunFolder

FOLLOW_MS = 500                      # how often metrics.jsonl is read
TERMINATE_AFTER_MS = 60_000          # a stop not obeyed by then: SIGTERM


def torchrun_command(cfg, ranks: int) -> tuple[str, list[str]]:
    """The program and arguments for ``ranks`` processes of bpviz-train with ``cfg``:
    bpviz-train itself starts them (``--ranks``, train/launch.py). In the frozen full
    package that is the bpviz-train program beside bpviz (``sys.executable`` there is bpviz,
    which cannot run torchrun); elsewhere this Python with ``-m bpviz.train``."""
    from ...train.cli import argv_from
    # torch's CPU threads: the cores shared among CPU ranks; GPU ranks keep torchrun's
    # OMP_NUM_THREADS=1
    threads = max(1, (os.cpu_count() or 1) // ranks) if cfg.device == "cpu" else None
    flags = [f"--ranks={ranks}", *argv_from(replace(cfg, threads=threads))]
    if getattr(sys, "frozen", False):
        name = "bpviz-train.exe" if os.name == "nt" else "bpviz-train"
        return str(Path(sys.executable).with_name(name)), flags
    return sys.executable, ["-m", "bpviz.train", *flags]


class TorchrunProcess(QObject):
    record = Signal(object)          # a metrics record
    output = Signal(str)             # lines torchrun and its ranks wrote
    ended = Signal(bool, str)        # exited cleanly, and what to tell the user

    def __init__(self, cfg, ranks: int, parent=None):
        super().__init__(parent)
        self.folder = RunFolder(cfg.out)
        self.follower = self.folder.metrics_reader()
        self.engine_said, self.output_tail = "", b""
        self.process = QProcess(self)
        program, arguments = torchrun_command(cfg, ranks)
        self.process.setProgram(program)
        self.process.setArguments(arguments)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self.follow_timer = QTimer(self, interval=FOLLOW_MS)
        self.follow_timer.timeout.connect(self._follow)

    def start(self) -> None:
        self.process.start()
        self.follow_timer.start()

    def stop(self) -> None:
        """The ranks agree to stop after their next logged step and write a checkpoint;
        SIGTERM only if they have not ended a minute later (torchrun then reports an
        error). OutputError, and SIGTERM at once, when the stop cannot be asked."""
        try:
            self.folder.ask_to_stop()
        except OutputError:
            self.process.terminate()
            raise
        QTimer.singleShot(TERMINATE_AFTER_MS, self.process, self.process.terminate)

    def _follow(self, final: bool = False) -> None:
        for record in self.follower.read(final):
            self.record.emit(record)

    def _read_output(self, final: bool = False) -> None:
        data = self.output_tail + self.process.readAllStandardOutput().data()
        end = len(data) if final else data.rfind(b"\n") + 1     # a chunk may end mid-line
        self.output_tail = data[end:]
        text = data[:end].decode(errors="replace").rstrip()
        if not text:
            return
        self.output.emit(text)
        said = [line for line in text.splitlines() if line.startswith("bpviz-train:")]
        if said:                                 # the engine's own one-line outcome or error
            self.engine_said = said[-1][len("bpviz-train:"):].strip()

    def _finished(self, code, status) -> None:
        self._read_output(final=True)
        self._follow(final=True)
        if code == 0 and status == QProcess.ExitStatus.NormalExit:
            self._end(True, f"torchrun ended (exit code 0): {self.engine_said or 'done'}")
        else:
            self._end(False, f"torchrun failed (exit code {code}): "
                             f"{self.engine_said or 'see the log below'}")

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:      # else finished follows
            self._end(False, f"could not start torchrun: {self.process.errorString()}")

    def _end(self, ok: bool, message: str) -> None:
        self.follow_timer.stop()
        try:                    # not left for the next run in this folder (SIGTERM, crash)
            self.folder.clear_stop()
        except OutputError:
            pass
        self.ended.emit(ok, message)
