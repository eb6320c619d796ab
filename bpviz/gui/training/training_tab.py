"""The Training tab: configure and launch AlexNet training (bpviz.train) in a background
thread — or on several GPUs through torchrun — and watch it live; or open any run folder,
such as one trained with bpviz-train on a cluster, and see its history. Built without torch:
the EngineLoader loads it when the form is first shown (the augmentation demo never waits)."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...train.folders import layout_problem
from ...train.run_folder import OutputError, RunFolder, is_number, is_record
from ..theme import error_color
from ..widgets.page_stack import PageStack
from ..widgets.threads import wait_for, wait_until
from .augment_demo import AugmentDemo
from .engine_loader import EngineLoader
from .install_notice import InstallNotice, uninstalled_engine
from .run_controls import RunControls
from .run_histograms import RunViewWithHistograms
from .torchrun_process import TorchrunProcess
from .train_worker import TrainWorker
from .training_form import FormArea, TrainingForm, shown_path

PAINT_FIRST_MS = 100                 # the form is painted before the load starts
LOADING = ("Loading PyTorch and looking for GPUs (a few seconds): Start is enabled when they "
           "are found. Open run folder… shows the history of a run.")
READY = ("Start trains AlexNet with these settings; Open run folder… shows the history of a "
         "run.")
NO_TRAINING = "Open run folder… shows the history of a run; training needs torch (above)."
DEFERRED = ("Start loads PyTorch (a few seconds), looks for GPUs and trains with these "
            "settings; the run is drawn below.")


class TrainingTab(QWidget):
    """The form and the run's buttons on the left, the run's views on the right."""

    def __init__(self, parent=None, defer_engine=lambda: False):
        """``defer_engine()``: showing the form leaves torch to Start (in a lesson)."""
        super().__init__(parent)
        self.defer_engine = defer_engine
        # without torch run folders can still be opened; found, it loads when the form shows
        self.missing = uninstalled_engine()
        self.loader = EngineLoader(self)
        self.run_thread: QThread | None = None     # a run in this process trains in it
        self.worker: TrainWorker | None = None
        self.process: TorchrunProcess | None = None
        self.form = TrainingForm(engine=self.missing is None)
        self.view = RunViewWithHistograms()
        self.controls = RunControls(self.view.progress)
        c = self.controls
        self.start_button, self.pause_button, self.stop_button = (
            c.start_button, c.pause_button, c.stop_button)
        self.open_button, self.continue_button, self.augment_button, self.status = (
            c.open_button, c.continue_button, c.augment_button, c.status)
        left = QWidget()
        col = self.left_column = QVBoxLayout(left)
        if self.missing:
            self._show_notice(self.missing)
        col.addWidget(FormArea(self.form), 1)
        right = QWidget()
        run_column = QVBoxLayout(right)
        run_column.setContentsMargins(0, 9, 9, 9)
        run_column.addWidget(self.controls)
        run_column.addWidget(self.view, 1)
        log = self.view.log                       # hidden while empty: a blank box says nothing
        log.setVisible(False)
        log.textChanged.connect(lambda: log.setVisible(not log.document().isEmpty()))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([330, 1200])
        self.pages = PageStack()
        self.augment_demo: AugmentDemo | None = None     # made when asked
        self.pages.addWidget(splitter)
        outer = QHBoxLayout(self)                 # the columns' own margins are enough: at
        outer.setContentsMargins(0, 0, 0, 0)      # 1280x720 beside a lesson it is 929 px
        outer.addWidget(self.pages)
        self._connect()
        self.view.set_plan(self.form.plan_text())
        self.paused = self.stopping = False
        self._set_running(False)
        self.status.setText(NO_TRAINING if self.missing else LOADING)

    def _connect(self) -> None:
        self.augment_button.clicked.connect(lambda: self.show_augment_demo(True))
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.open_button.clicked.connect(self._open_dialog)
        self.continue_button.clicked.connect(self._continue_dialog)
        self.form.shown.connect(self._load_soon)
        self.form.edited.connect(lambda: self.view.set_plan(self.form.plan_text()))
        self.loader.loaded.connect(self._engine_loaded)
        self.loader.failed.connect(self._engine_failed)

    # --- the engine (torch), loaded after the tab is built -------------------------------------
    def _load_soon(self) -> None:
        if self.missing or self.loader.state != "idle":
            return
        deferred = self.defer_engine()
        self.form.defer_devices(deferred)
        if deferred:
            self.status.setText(DEFERRED)
            self._set_running(False)
            return
        self.status.setText(LOADING if self.status.text() == DEFERRED else self.status.text())
        QTimer.singleShot(PAINT_FIRST_MS, self, self.loader.start)

    def engine_ready(self) -> bool:
        """torch loaded: waited for, or loaded now if it has not started (a lesson, a test or
        a run folder asked before the form was shown). False where it is missing."""
        if not self.missing:
            self.loader.wait()
        return self.loader.ready

    def _engine_loaded(self, devices: list, problem: str) -> None:
        self.form.set_devices(devices, problem)
        if self.status.text() in (LOADING, DEFERRED):       # not a message said since
            self.status.setText(READY)
        self._set_running(False)

    def _engine_failed(self, reason: str) -> None:
        self.missing = reason
        self._show_notice(reason)
        self.form.no_engine()
        if self.status.text() == LOADING:
            self.status.setText(NO_TRAINING)
        self.view.log.appendPlainText(f"PyTorch could not be loaded: {reason}")
        self._set_running(False)

    def _show_notice(self, reason: str) -> None:
        self.notice = InstallNotice(reason)
        self.left_column.insertWidget(0, self.notice)

    def say(self, text: str, error: bool = False) -> None:
        shown = html.escape(text)
        self.status.setText(f"<span style='color:{error_color()}'>{shown}</span>" if error else shown)
        self.view.log.appendPlainText(("ERROR: " if error else "") + text)

    def show_augment_demo(self, shown: bool = True) -> None:
        """The augmentation demo in place of the form and the run (False: back to them)."""
        if shown and self.augment_demo is None:
            self.augment_demo = AugmentDemo()
            self.augment_demo.back_requested.connect(lambda: self.show_augment_demo(False))
            self.pages.addWidget(self.augment_demo)
        demo = self.augment_demo
        self.pages.setCurrentIndex(self.pages.indexOf(demo) if shown and demo is not None else 0)

    # --- running --------------------------------------------------------------------------------
    def running(self) -> bool:
        """A run is on until its end has been handled here (the thread can finish before
        its last queued signal reaches this thread)."""
        return self.run_thread is not None or self.process is not None

    def _set_running(self, on: bool) -> None:
        can_train = not on and (self.loader.ready or self.loader.state == "idle"
                                and self.status.text() == DEFERRED)
        self.start_button.setEnabled(can_train)
        self.pause_button.setEnabled(on and self.process is None)
        self.stop_button.setEnabled(on)
        self.open_button.setEnabled(not on)
        self.continue_button.setEnabled(can_train)
        # a run's settings are fixed while it goes; a recipe can be chosen while torch loads
        self.form.setEnabled(not on and not self.missing)

    def start(self) -> bool:
        if self.running() or not self.engine_ready():
            return False
        try:
            cfg = self.form.config()
        except ValueError as err:
            self.say(str(err), error=True)
            return False
        problem = layout_problem(cfg.data)
        if problem:
            self.form.data_info.setText(f"⚠ {problem}")
            self.say(problem, error=True)
            return False
        folder = RunFolder(cfg.out)
        try:                                 # a STOP left by a run that ended otherwise
            folder.clear_stop()
        except OutputError as err:
            self.say(str(err), error=True)
            return False
        self.form.save()
        self.run_folder = folder
        self.view.clear()
        self.view.plan = {"max_steps": cfg.max_steps, "epochs": cfg.epochs}
        if cfg.resume:                         # the curves so far, continued by the run
            for record in folder.read_metrics():
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
        self.run_thread = QThread(self)
        self.worker.moveToThread(self.run_thread)
        self.run_thread.started.connect(self.worker.start)
        # quit the thread's event loop from the worker itself (quit is thread-safe): a GUI
        # thread blocked in wait() could not deliver a queued quit
        self.worker.finished.connect(self.run_thread.quit, Qt.ConnectionType.DirectConnection)
        self.worker.failed.connect(self.run_thread.quit, Qt.ConnectionType.DirectConnection)
        self.worker.record.connect(self._on_record)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.run_thread.start()
        self._set_running(True)
        return True

    def _start_torchrun(self, cfg) -> bool:
        """Several GPUs (or CPU processes): one torchrun child process, followed through
        the run folder."""
        self.process = TorchrunProcess(cfg, self.form.gpus.value(), self)
        self.process.record.connect(self._on_record)
        self.process.output.connect(self.view.log.appendPlainText)
        self.process.ended.connect(self._process_ended)
        self.process.start()
        self._set_running(True)
        return True

    def _on_record(self, record: dict) -> None:
        """A record of the run going on: drawn, and the status line follows its step (until
        a pause or a stop says something else)."""
        self.view.on_record(record)
        if self.paused or self.stopping or not is_record(record) or record["split"] != "train":
            return
        loss = record.get("loss")
        self.status.setText(html.escape(f"Training {self.run_name}: step {record['step']:g}"
                                        + (f", loss {loss:.4g}" if is_number(loss) else "")))

    def _process_ended(self, ok: bool, message: str) -> None:
        self.view.flush()
        self.say(message, error=not ok)
        if self.process is not None:
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
            try:
                self.process.stop()
            except OutputError as err:
                self.say(f"could not ask the run to stop ({err}); terminating it", error=True)
                return
            self.say("Stopping: the processes write a checkpoint after their next logged "
                     "step…")

    def wait(self, timeout_ms: int = 600_000) -> bool:
        """Block until a run ends, in a thread or in torchrun (closing the window, tests);
        its last signals are then delivered. False if it has not ended in time."""
        return wait_until(lambda: not self.running(), timeout_ms)

    def _end_thread(self) -> None:
        if self.run_thread is not None and self.worker is not None:     # a run's end: both
            wait_for(self.run_thread, 10_000)       # finished: only its event loop is left
            self.run_thread.deleteLater()
            self.worker.deleteLater()
        self.run_thread = self.worker = None
        self.view.live = False
        self.paused = self.stopping = False
        self.pause_button.setText("Pause")
        self._set_running(False)

    def _finished(self, outcome: str, step: int) -> None:
        self._end_thread()
        self.view.flush()
        text = self.run_folder.outcome_text(outcome, step)
        self.view.end_progress(text.split(";")[0])
        self.say(f"The run {text}", error=outcome == "diverged")

    def _failed(self, message: str) -> None:
        self._end_thread()
        self.view.flush()
        self.view.end_progress("failed")
        self.say(message, error=True)

    # --- export (File menu) -----------------------------------------------------------------------
    def figure_widget(self) -> QWidget:
        return self

    def csv_data(self) -> dict:
        return self.view.csv_data()

    # --- run folders ----------------------------------------------------------------------------
    def _open_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run folder (with metrics.jsonl)")
        if path:
            self.open_run(path)

    def open_run(self, path, glance: dict | None = None) -> bool:
        """Show the history of a run folder, e.g. one trained elsewhere (``glance``: its
        checkpoint's, when already read)."""
        folder = RunFolder(path)
        reader = folder.metrics_reader()
        records = reader.read(final=True)
        if not records:
            self.say(f"'{folder.path}' has no metrics.jsonl with records: not a bpviz run "
                     f"folder", error=True)
            return False
        config, unread = {}, ""
        if folder.config.exists():
            try:
                config = folder.read_config()
            except OutputError:
                unread = " (its config.json could not be read)"
        self.view.clear()
        self.view.plan = {"max_steps": config.get("max_steps"),
                          "epochs": config.get("epochs")}
        for record in records:
            self.view.on_record(record)
        glance = glance or self._glance(folder)
        if glance:
            self.view.show_filters(glance["conv1"].numpy())
        self.view.flush()
        self.say(f"Opened {folder.name}: {len(records)} records, last step "
                 f"{records[-1]['step']:g}"
                 + (f", {config.get('arch')} on {config.get('data')}" if config else unread)
                 + (f"; {reader.skipped} unreadable lines skipped" if reader.skipped else ""))
        return True

    def _glance(self, folder: RunFolder) -> dict | None:
        """A run folder's checkpoint: step and learned conv1 filters, when it has one."""
        if not folder.has_checkpoint():
            return None
        name = folder.checkpoint.name
        if not self.engine_ready():
            self.view.log.appendPlainText(f"conv1 filters not shown: reading {name} needs "
                                          f"torch")
            return None
        try:
            return folder.glance()
        except OutputError as err:      # a damaged or foreign file: the curves still show
            self.view.log.appendPlainText(f"conv1 filters not shown: {err}")
            return None

    def _continue_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run folder to continue (with "
                                                      "checkpoint.pt)")
        if path:
            self.continue_run(path)

    def continue_run(self, path) -> bool:
        """Fill the form with a run folder's settings, its folder as the output and resume
        ticked: Start then continues it at the next step. Its history is shown."""
        folder = RunFolder(path)
        if not folder.has_checkpoint():
            self.say(f"'{folder.path}' has no checkpoint.pt to continue from", error=True)
            return False
        try:
            config = folder.read_config()
        except OutputError as err:
            self.say(f"cannot read the settings of '{folder.path}': {err}", error=True)
            return False
        glance = self._glance(folder)
        if glance is None:
            self.say(f"'{folder.path}': its checkpoint.pt cannot be read (see the log)",
                     error=True)
            return False
        self.form.fill_from(config)
        self.form.out.setText(shown_path(str(folder.path)))
        self.form.resume.setChecked(True)
        if folder.metrics.is_file():
            self.open_run(folder.path, glance)
        step, limit = glance["step"], self.form.max_steps.value()
        if limit and step >= limit:
            self.say(f"{folder.name} reached its max steps ({step}): raise Max steps, then "
                     f"Start continues it")
        else:
            self.say(f"Ready to continue {folder.name} from its checkpoint at step {step}: "
                     f"press Start")
        return True
