"""The Training tab: configure and launch AlexNet training (bpviz.train) in a background
thread — or on several GPUs through torchrun — and watch it live; or open any run folder,
such as one trained with bpviz-train on a cluster, and see its history."""
from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QThread, QTimer
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from .install_notice import InstallNotice, missing_engine
from .run_history import MetricsReader, data_problem, is_number, is_record, read_metrics
from .run_view import RunView
from ..widgets.threads import wait_for, wait_until
from .train_worker import TrainWorker
from .training_form import TrainingForm


class TrainingTab(QWidget):
    """The form and the run's buttons on the left, the run's views on the right."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.missing = missing_engine()        # without torch: run folders can still be opened
        self.thread = self.worker = None
        self.process: QProcess | None = None
        self.follow_timer = QTimer(self)
        self.follow_timer.timeout.connect(self._follow)
        self.form = TrainingForm(engine=self.missing is None)
        self.view = RunView()
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.open_button = QPushButton("Open run folder…")
        self.open_button.setToolTip("Show the history of a run, e.g. one from a cluster")
        self.continue_button = QPushButton("Continue a run…")
        self.continue_button.setToolTip("Fill the form from a run folder with a checkpoint, "
                                        "to resume it with Start")
        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("training_status")
        left = QWidget()
        col = QVBoxLayout(left)
        if self.missing:
            self.notice = InstallNotice(self.missing)
            col.addWidget(self.notice)
        col.addWidget(self.form)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)
        col.addLayout(buttons)
        folders = QHBoxLayout()
        folders.addWidget(self.open_button)
        folders.addWidget(self.continue_button)
        col.addLayout(folders)
        col.addWidget(self.view.progress)
        col.addWidget(self.status)
        col.addStretch(1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.setSizes([330, 1200])
        QHBoxLayout(self).addWidget(splitter)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.open_button.clicked.connect(self._open_dialog)
        self.continue_button.clicked.connect(self._continue_dialog)
        self.paused = self.stopping = False
        self._set_running(False)
        self.status.setText("Open run folder… shows the history of a run; training needs "
                            "torch (above)." if self.missing else
                            "Start trains AlexNet with these settings; Open run folder… shows "
                            "the history of a run.")

    def say(self, text: str, error: bool = False) -> None:
        shown = html.escape(text)
        self.status.setText(f"<span style='color:#d1242f'>{shown}</span>" if error else shown)
        self.view.log.appendPlainText(("ERROR: " if error else "") + text)

    # --- running --------------------------------------------------------------------------------
    def running(self) -> bool:
        """A run is on until its end has been handled here (the thread can finish before
        its last queued signal reaches this thread)."""
        return self.thread is not None or self.process is not None

    def _set_running(self, on: bool) -> None:
        can_train = not on and not self.missing
        self.start_button.setEnabled(can_train)
        self.pause_button.setEnabled(on and self.process is None)
        self.stop_button.setEnabled(on)
        self.open_button.setEnabled(not on)
        self.continue_button.setEnabled(can_train)
        self.form.setEnabled(can_train)         # a run's settings are fixed while it goes

    def _stop_file(self, out) -> Path:
        """The file that asks a run (in a thread or under torchrun) to stop."""
        from bpviz.train.loop import STOP_FILE       # loaded with the engine
        return Path(out) / STOP_FILE

    def start(self) -> bool:
        if self.running() or self.missing:
            return False
        try:
            cfg = self.form.config()
        except ValueError as err:
            self.say(str(err), error=True)
            return False
        problem = data_problem(cfg.data)
        if problem:
            self.form.data_info.setText(f"⚠ {problem}")
            self.say(problem, error=True)
            return False
        try:                                 # a STOP left by a run that ended otherwise
            self._stop_file(cfg.out).unlink(missing_ok=True)
        except OSError as err:
            self.say(f"cannot use the output folder '{cfg.out}': {err}", error=True)
            return False
        self.form.save()
        self.run_out = cfg.out
        self.view.clear()
        self.view.plan = {"max_steps": cfg.max_steps, "epochs": cfg.epochs}
        if cfg.resume:                         # the curves so far, continued by the run
            for record in read_metrics(cfg.out):
                self.view.on_record(record)
        self.view.live = True
        self.paused = self.stopping = False
        self.pause_button.setText("Pause")
        self.run_name = f"{cfg.arch} on {self.form.device.currentText()}"
        self.say(f"Starting {self.run_name}, output in {cfg.out}")
        if self.form.gpus.value() > 1:
            return self._start_torchrun(cfg)
        import torch
        # set here, in the GUI thread: changing torch's thread count from the worker thread
        # can deadlock OpenMP when this thread has already used torch
        torch.set_num_threads(cfg.threads)
        self.worker = TrainWorker(cfg)
        self.thread = QThread(self)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
        # quit the thread's event loop from the worker itself (quit is thread-safe): a GUI
        # thread blocked in wait() could not deliver a queued quit
        self.worker.finished.connect(self.thread.quit, Qt.DirectConnection)
        self.worker.failed.connect(self.thread.quit, Qt.DirectConnection)
        self.worker.record.connect(self._on_record)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.thread.start()
        self._set_running(True)
        return True

    def _start_torchrun(self, cfg) -> bool:
        """Several GPUs (or CPU processes): torchrun as a child process; its
        metrics.jsonl is followed."""
        from bpviz.train.cli import argv_from
        n = self.form.gpus.value()
        # torch's CPU threads: the cores shared among CPU ranks; GPU ranks keep torchrun's
        # OMP_NUM_THREADS=1
        threads = max(1, (os.cpu_count() or 1) // n) if cfg.device == "cpu" else None
        args = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}",
                "-m", "bpviz.train", *argv_from(replace(cfg, threads=threads))]
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        self.process.setArguments(args)
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._process_finished)
        self.process.errorOccurred.connect(self._process_error)
        self.engine_said, self.output_tail = "", b""
        self.follower = MetricsReader(cfg.out)
        self.process.start()
        self.follow_timer.start(500)
        self._set_running(True)
        return True

    def _follow(self, final: bool = False) -> None:
        for record in self.follower.read(final):
            self._on_record(record)

    def _on_record(self, record: dict) -> None:
        """A record of the run going on: drawn, and the status line follows its step (until
        a pause or a stop says something else)."""
        self.view.on_record(record)
        if self.paused or self.stopping or not is_record(record) or record["split"] != "train":
            return
        loss = record.get("loss")
        self.status.setText(html.escape(f"Training {self.run_name}: step {record['step']:g}"
                                        + (f", loss {loss:.4g}" if is_number(loss) else "")))

    def _read_output(self, final: bool = False) -> None:
        """torchrun's output into the log, whole lines only (a chunk may end mid-line)."""
        if self.process is None:
            return
        data = self.output_tail + bytes(self.process.readAllStandardOutput())
        end = len(data) if final else data.rfind(b"\n") + 1
        self.output_tail = data[end:]
        text = data[:end].decode(errors="replace").rstrip()
        if not text:
            return
        self.view.log.appendPlainText(text)
        said = [line for line in text.splitlines() if line.startswith("bpviz-train:")]
        if said:                                 # the engine's own one-line outcome or error
            self.engine_said = said[-1][len("bpviz-train:"):].strip()

    def _process_finished(self, code, status) -> None:
        if self.process is None:
            return
        self._read_output(final=True)
        self._follow(final=True)
        self.view.flush()
        self.follow_timer.stop()
        if code == 0 and status == QProcess.NormalExit:
            self.say(f"torchrun ended (exit code 0): {self.engine_said or 'done'}")
        else:
            self.say(f"torchrun failed (exit code {code}): "
                     f"{self.engine_said or 'see the log below'}", error=True)
        self._end_process()

    def _process_error(self, error) -> None:
        if error == QProcess.FailedToStart and self.process is not None:
            self.follow_timer.stop()
            self.say(f"could not start torchrun: {self.process.errorString()}", error=True)
            self._end_process()

    def _end_process(self) -> None:
        try:                    # not left for the next run in this folder (SIGTERM, crash)
            self._stop_file(self.run_out).unlink(missing_ok=True)
        except OSError:
            pass
        self.process.deleteLater()
        self.process = None
        self.view.live = self.stopping = False
        self._set_running(False)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        self.paused = not self.paused
        if self.paused:
            self.worker.pause()
        else:
            self.worker.resume()
        self.pause_button.setText("Resume" if self.paused else "Pause")
        self.say("Paused" if self.paused else "Resumed")

    def stop(self) -> None:
        """Graceful: the run writes a checkpoint before it ends."""
        self.stopping = self.running()
        if self.worker is not None:
            self.worker.stop()
            self.say("Stopping: writing a checkpoint…")
        if self.process is not None:
            # the ranks agree to stop after their next logged step and checkpoint; SIGTERM
            # only if they have not ended a minute later (torchrun then reports an error)
            try:
                Path(self.run_out).mkdir(parents=True, exist_ok=True)
                self._stop_file(self.run_out).touch()
            except OSError as err:
                self.say(f"could not ask the run to stop ({err}); terminating it", error=True)
                self.process.terminate()
                return
            self.say("Stopping: the processes write a checkpoint after their next logged "
                     "step…")
            QTimer.singleShot(60_000, self.process, self.process.terminate)

    def wait(self, timeout_ms: int = 600_000) -> bool:
        """Block until a run ends, in a thread or in torchrun (closing the window, tests);
        its last signals are then delivered. False if it has not ended in time."""
        return wait_until(lambda: not self.running(), timeout_ms)

    def _end_thread(self) -> None:
        wait_for(self.thread, 10_000)       # finished: only its event loop is left
        self.thread.deleteLater()
        self.worker.deleteLater()
        self.thread = self.worker = None
        self.view.live = False
        self.paused = self.stopping = False
        self.pause_button.setText("Pause")
        self._set_running(False)

    def _finished(self, outcome: str, step: int) -> None:
        from bpviz.train.loop import outcome_text      # loaded with the engine
        self._end_thread()
        self.view.flush()
        text = outcome_text(outcome, step, self.run_out)
        self.view.end_progress(text.split(";")[0])
        self.say(f"The run {text}", error=outcome == "diverged")

    def _failed(self, message: str) -> None:
        self._end_thread()
        self.view.flush()
        self.view.end_progress("failed")
        self.say(message, error=True)

    # --- export (File menu) ------------------------------------------------------------------------
    def figure_widget(self) -> QWidget:
        return self

    def csv_data(self) -> dict:
        return self.view.csv_data()

    # --- run folders ----------------------------------------------------------------------------
    def _open_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run folder (with metrics.jsonl)")
        if path:
            self.open_run(path)

    def open_run(self, folder, glance: dict | None = None) -> bool:
        """Show the history of a run folder, e.g. one trained elsewhere (``glance``: its
        checkpoint's, when already read)."""
        folder = Path(folder)
        reader = MetricsReader(folder)
        records = reader.read(final=True)
        if not records:
            self.say(f"'{folder}' has no metrics.jsonl with records: not a bpviz run folder",
                     error=True)
            return False
        config = {}
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        config = config if isinstance(config, dict) else {}
        self.view.clear()
        self.view.plan = {"max_steps": config.get("max_steps"),
                          "epochs": config.get("epochs")}
        for record in records:
            self.view.on_record(record)
        glance = glance or self._glance(folder / "checkpoint.pt")
        if glance:
            self.view.show_filters(glance["conv1"].numpy())
        self.view.flush()
        last = records[-1]
        self.say(f"Opened {folder.name}: {len(records)} records, last step {last['step']:g}"
                 + (f", {config.get('arch')} on {config.get('data')}" if config else "")
                 + ("" if config or not (folder / "config.json").exists()
                    else " (its config.json could not be read)")
                 + (f"; {reader.skipped} unreadable lines skipped" if reader.skipped else ""))
        return True

    def _glance(self, path: Path) -> dict | None:
        """A run folder's checkpoint: step and learned conv1 filters, when it has one."""
        if not path.is_file():
            return None
        if self.missing:
            self.view.log.appendPlainText(f"conv1 filters not shown: reading {path.name} "
                                          f"needs torch")
            return None
        from bpviz.train.loop import checkpoint_glance       # loaded with the engine
        try:
            return checkpoint_glance(path)
        except Exception as err:          # a damaged or foreign file: the curves still show
            reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
            self.view.log.appendPlainText(f"conv1 filters not shown: {path.name} could not "
                                          f"be read ({type(err).__name__}: {reason})")
            return None

    def _continue_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run folder to continue (with "
                                                      "checkpoint.pt)")
        if path:
            self.continue_run(path)

    def continue_run(self, folder) -> bool:
        """Fill the form with a run folder's settings, its folder as the output and resume
        ticked: Start then continues it at the next step. Its history is shown."""
        folder = Path(folder)
        if not (folder / "checkpoint.pt").is_file():
            self.say(f"'{folder}' has no checkpoint.pt to continue from", error=True)
            return False
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            if not isinstance(config, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as err:
            self.say(f"cannot read the settings of '{folder}' (config.json: {err})",
                     error=True)
            return False
        glance = self._glance(folder / "checkpoint.pt")
        if glance is None:
            self.say(f"'{folder}': its checkpoint.pt cannot be read (see the log)", error=True)
            return False
        self.form.fill_from(config)
        self.form.out.setText(str(folder))
        self.form.resume.setChecked(True)
        if (folder / "metrics.jsonl").is_file():
            self.open_run(folder, glance)
        step, limit = glance["step"], self.form.max_steps.value()
        if limit and step >= limit:
            self.say(f"{folder.name} reached its max steps ({step}): raise Max steps, then "
                     f"Start continues it")
        else:
            self.say(f"Ready to continue {folder.name} from its checkpoint at step {step}: "
                     f"press Start")
        return True
