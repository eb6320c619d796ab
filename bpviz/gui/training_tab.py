"""The Training tab: configure and launch AlexNet training (bpviz.train) in a background
thread — or on several GPUs through torchrun — and watch it live; or open any run folder,
such as one trained with bpviz-train on a cluster, and see its history."""
from __future__ import annotations

import html
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QProcess, Qt, QThread, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QProgressBar,
                               QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from bpviz.train.loop import STOP_FILE

from .run_files import (History, ImageCounter, MetricsReader, data_problem, is_record,
                        read_metrics)
from .settings import settings
from .threads import wait_for, wait_until
from .train_worker import TrainWorker, gui_threads, load_engine

WAIT_TITLE = "data wait (%)"


def eta_text(seconds: float) -> str:
    """12 s, 3 min 20 s, 5 h 07 min, 2 d 3 h."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
CURVES = {"loss": ("loss", "#2f6fb0", "#c2571a"), "top1": ("top-1", "#2f6fb0", "#c2571a"),
          "top5": ("top-5", "#2e8b57", "#7b4fb0")}


def tile(images: np.ndarray, columns: int) -> np.ndarray:
    """(n, 3, h, w) in [0, 1] -> one (H, W, 3) picture with 1-pixel gaps."""
    n, c, h, w = images.shape
    rows = -(-n // columns)
    out = np.ones((rows * (h + 1) - 1, columns * (w + 1) - 1, 3))
    for k in range(n):
        r, q = divmod(k, columns)
        out[r * (h + 1): r * (h + 1) + h, q * (w + 1): q * (w + 1) + w] = \
            images[k].transpose(1, 2, 0)
    return out


def filter_grid(weights: np.ndarray) -> np.ndarray:
    """conv1's kernels (n, 3, k, k), each scaled to [0, 1], as a colour grid like the paper's
    figure of 96 learned kernels."""
    w = weights - weights.min(axis=(1, 2, 3), keepdims=True)
    w = w / np.maximum(w.max(axis=(1, 2, 3), keepdims=True), 1e-12)
    return tile(w, columns=int(np.ceil(np.sqrt(len(w)))))


def form_value(widget):
    if isinstance(widget, QSpinBox):
        return widget.value()
    return widget.currentText() if isinstance(widget, QComboBox) else widget.text()


def set_form_value(widget, value) -> None:
    """Restore a remembered value; one that no longer fits (a vanished choice, a number out
    of range, a damaged settings file) leaves the default."""
    if value is None:
        return
    if isinstance(widget, QSpinBox):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return
        if widget.minimum() <= number <= widget.maximum():
            widget.setValue(number)
    elif isinstance(widget, QComboBox):
        if widget.isEditable():
            widget.setCurrentText(str(value))
        elif widget.findText(str(value)) >= 0:
            widget.setCurrentText(str(value))
    else:
        widget.setText(str(value))


class TrainingTab(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.thread = self.worker = None
        self.process: QProcess | None = None
        self.follow_timer = QTimer(self)
        self.follow_timer.timeout.connect(self._follow)
        self.draw_timer = QTimer(self, interval=5)
        self.draw_timer.timeout.connect(self._draw_next)
        self.plan = {}
        self._build_form()
        self._build_views()
        self.clear_views()

    # --- the form ---------------------------------------------------------------------------
    def _build_form(self) -> None:
        load_engine()                                  # the tab's first use: now, not at start
        import torch
        self.data = QComboBox(editable=True)
        self.data.addItem("synthetic")
        self.data.setToolTip("'synthetic', or a folder with train/<class>/ and val/<class>/")
        self.browse = QPushButton("Folder…")
        self.data_info = QLabel(wordWrap=True)
        self.arch = QComboBox()
        self.arch.addItems(["alexnet", "alexnet-paper"])
        self.image_size = QSpinBox(minimum=63, maximum=512, value=224)
        self.batch = QSpinBox(minimum=1, maximum=4096, value=128)
        self.lr = QLineEdit("0.01")
        self.schedule = QComboBox()
        self.schedule.addItems(["plateau", "step"])
        self.epochs = QSpinBox(minimum=1, maximum=1000, value=90)
        self.max_steps = QSpinBox(minimum=0, maximum=10**9, value=0, specialValueText="none")
        self.precision = QComboBox()
        self.precision.addItems(["auto", "fp32", "bf16", "fp16"])
        self.device = QComboBox()
        self.device.addItem("CPU", "cpu")
        gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        for i in range(gpus):
            props = torch.cuda.get_device_properties(i)
            self.device.addItem(f"cuda:{i} {props.name} ({props.total_memory / 2**30:.0f} GiB)",
                                f"cuda:{i}")
        if gpus:
            self.device.setCurrentIndex(1)             # the best device found
        self.gpus = QSpinBox(minimum=1, maximum=max(1, gpus), value=1)
        self.gpus.setToolTip("More than one: torchrun launches one process per GPU")
        self.workers = QSpinBox(minimum=0, maximum=64, value=0 if not gpus else 8)
        self.threads = QSpinBox(minimum=1, maximum=os.cpu_count() or 1, value=gui_threads())
        self.threads.setToolTip("torch's CPU threads; the default leaves the window a core "
                                "so it stays smooth")
        self.out = QLineEdit()
        self.resume = QCheckBox("resume from the checkpoint in the output folder")
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.data, 1)
        row.addWidget(self.browse)
        form.addRow("Data", row)
        form.addRow("", self.data_info)
        for label, w in (("Architecture", self.arch), ("Image size", self.image_size),
                         ("Batch size", self.batch), ("Learning rate", self.lr),
                         ("Schedule", self.schedule), ("Epochs", self.epochs),
                         ("Max steps", self.max_steps), ("Precision", self.precision),
                         ("Device", self.device), ("GPUs", self.gpus),
                         ("Workers", self.workers), ("CPU threads", self.threads),
                         ("Output folder", self.out)):
            form.addRow(label, w)
        form.addRow("", self.resume)
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.open_button = QPushButton("Open run folder…")
        self.open_button.setToolTip("Show the history of a run, e.g. one from a cluster")
        self.continue_button = QPushButton("Continue a run…")
        self.continue_button.setToolTip("Fill the form from a run folder with a checkpoint, "
                                        "to resume it with Start")
        self.progress = QProgressBar()
        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("training_status")
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)
        self.form_box = QWidget()
        col = QVBoxLayout(self.form_box)
        col.addLayout(form)
        col.addLayout(buttons)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.continue_button)
        col.addLayout(row)
        col.addWidget(self.progress)
        col.addWidget(self.status)
        col.addStretch(1)
        self.browse.clicked.connect(self._browse)
        self.counter = ImageCounter(self)
        self.counter.counted.connect(self._counted)
        self.count_timer = QTimer(self, singleShot=True, interval=300)
        self.count_timer.timeout.connect(self._count_data)
        self.data.currentTextChanged.connect(self._check_data)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.open_button.clicked.connect(self._open_dialog)
        self.continue_button.clicked.connect(self._continue_dialog)
        self.restore_form()
        self._check_data()
        self._set_running(False)

    # the form's values are remembered between sessions (saved when a run starts)
    def _form_fields(self) -> dict:
        return {"data": self.data, "arch": self.arch, "image_size": self.image_size,
                "batch": self.batch, "lr": self.lr, "schedule": self.schedule,
                "epochs": self.epochs, "max_steps": self.max_steps,
                "precision": self.precision, "gpus": self.gpus, "workers": self.workers,
                "threads": self.threads}

    def save_form(self) -> None:
        store = settings()
        for key, w in self._form_fields().items():
            store.setValue(f"training/{key}", form_value(w))
        store.setValue("training/device", self.device.currentData())
        store.setValue("training/runs", str(Path(self.out.text().strip() or ".").parent))

    def restore_form(self) -> None:
        store = settings()
        for key, w in self._form_fields().items():
            set_form_value(w, store.value(f"training/{key}"))
        index = self.device.findData(store.value("training/device"))
        if index >= 0:
            self.device.setCurrentIndex(index)
        runs = store.value("training/runs") or str(Path.home() / "bpviz-runs")
        self.out.setText(str(Path(runs) / time.strftime("alexnet-%Y%m%d-%H%M%S")))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "ImageNet-style data folder")
        if path:
            self.data.setCurrentText(path)

    def data_path(self) -> str:
        return self.data.currentText().strip() or "synthetic"

    def _check_data(self) -> None:
        """The layout at once; the image count after typing pauses, in the background."""
        path = self.data_path()
        problem = data_problem(path)
        if path == "synthetic":
            self.data_info.setText("procedural images: no download needed")
        elif problem:
            self.data_info.setText(f"⚠ {problem}")
        else:
            self.data_info.setText("counting images…")
            self.count_timer.start()

    def _count_data(self) -> None:
        if data_problem(self.data_path()) is None and self.data_path() != "synthetic":
            self.counter.count(self.data_path())

    def _counted(self, path: str, summary: str) -> None:
        if path == self.data_path():                     # not a folder typed since
            self.data_info.setText(summary)

    def config(self):
        """The TrainConfig the form describes; ValueError naming a bad field."""
        from bpviz.train.loop import TrainConfig
        try:
            lr = float(self.lr.text())
        except ValueError:
            raise ValueError(f"learning rate: '{self.lr.text()}' is not a number") from None
        if lr <= 0:
            raise ValueError("learning rate must be positive")
        return TrainConfig(data=self.data_path(),
                           arch=self.arch.currentText(), image_size=self.image_size.value(),
                           batch_size=self.batch.value(), lr=lr,
                           schedule=self.schedule.currentText(), epochs=self.epochs.value(),
                           max_steps=self.max_steps.value() or None,
                           precision=self.precision.currentText(),
                           device=self.device.currentData(), workers=self.workers.value(),
                           out=self.out.text().strip(), resume=self.resume.isChecked(),
                           threads=self.threads.value(), log_every=5)

    # --- the views ----------------------------------------------------------------------------
    def _plot(self, title: str, left: str = "", legend=(10, -10)) -> pg.PlotWidget:
        """A plot with its legend in a corner the curves leave free (offsets < 0 count
        from the right or the bottom)."""
        w = pg.PlotWidget(title=title)
        w.setBackground(self.palette().base().color())
        back = self.palette().base().color()
        back.setAlpha(200)
        w.addLegend(offset=legend, brush=pg.mkBrush(back))
        w.setLabel("bottom", "step")
        w.setDownsampling(auto=True, mode="peak")        # a long run's 10^5 points
        w.setClipToView(True)
        if left:
            w.setLabel("left", left)
        return w

    def _build_views(self) -> None:
        self.plots = {"loss": self._plot("loss"), "lr": self._plot("learning rate"),
                      "acc": self._plot("top-1 / top-5", legend=(10, 10)),
                      "speed": self._plot("images / s"), "wait": self._plot(WAIT_TITLE)}
        self.plots["lr"].setLogMode(y=True)             # schedules divide it by 10
        self.plots["acc"].setYRange(0, 1.02)
        self.plots["acc"].enableAutoRange(y=False)
        self.curves = {}
        for split, style in (("train", Qt.SolidLine), ("val", Qt.DashLine)):
            for key, plot in (("loss", "loss"), ("top1", "acc"), ("top5", "acc")):
                name, c_train, c_val = CURVES[key]
                color = c_train if split == "train" else c_val
                self.curves[(split, key)] = self.plots[plot].plot(
                    pen=pg.mkPen(color, width=2, style=style), name=f"{name} {split}",
                    symbol="o" if split == "val" else None, symbolSize=5)
        self.curves["lr"] = self.plots["lr"].plot(pen=pg.mkPen("#7b4fb0", width=2))
        self.curves["speed"] = self.plots["speed"].plot(pen=pg.mkPen("#2f6fb0", width=2))
        self.curves["wait"] = self.plots["wait"].plot(pen=pg.mkPen("#c2571a", width=2),
                                                      name="data wait %")
        # horizontal bars, conv1 at the top: the layer names read down the network
        self.norms_plot = pg.PlotWidget(title="|∂L/∂W| per layer (log10)")
        self.norms_plot.setBackground(self.palette().base().color())
        self.norms_plot.invertY(True)
        self.norm_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush="#2f6fb0")
        self.norms_plot.addItem(self.norm_bars)
        self.filters_view = pg.PlotWidget(title="conv1 filters")
        self.batch_view = pg.PlotWidget(title="augmented batch")
        self.filters_image, self.batch_image = pg.ImageItem(), pg.ImageItem()
        for view, image in ((self.filters_view, self.filters_image),
                            (self.batch_view, self.batch_image)):
            view.setBackground(self.palette().base().color())
            view.addItem(image)
            view.setAspectLocked(True)
            view.invertY(True)
            view.hideAxis("left")
            view.hideAxis("bottom")
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(2000)
        grid = QGridLayout()
        for i, w in enumerate((self.plots["loss"], self.plots["acc"], self.plots["lr"],
                               self.plots["speed"], self.plots["wait"], self.norms_plot,
                               self.filters_view, self.batch_view)):
            grid.addWidget(w, i // 4, i % 4)
        views = QWidget()
        right = QVBoxLayout(views)
        right.addLayout(grid, 4)
        right.addWidget(self.log, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.form_box)
        splitter.addWidget(views)
        splitter.setSizes([330, 1200])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    def clear_views(self) -> None:
        self.history, self.latest, self.dirty = History(), {}, []
        self.record_count = 0
        self.norm_ticks = None
        self.eta_from = None             # (time, step) of this run's first record
        for curve in self.curves.values():
            curve.setData([], [])
        self.norm_bars.setOpts(x0=[], y=[], width=[])
        self.filters_image.clear()
        self.batch_image.clear()
        self.progress.setValue(0)
        self.progress.resetFormat()

    def say(self, text: str, error: bool = False) -> None:
        shown = html.escape(text)
        self.status.setText(f"<span style='color:#d1242f'>{shown}</span>" if error else shown)
        self.log.appendPlainText(("ERROR: " if error else "") + text)

    # --- running --------------------------------------------------------------------------------
    def running(self) -> bool:
        """A run is on until its end has been handled here (the thread can finish before
        its last queued signal reaches this thread)."""
        return self.thread is not None or self.process is not None

    def _set_running(self, on: bool) -> None:
        self.start_button.setEnabled(not on)
        self.pause_button.setEnabled(on and self.process is None)
        self.stop_button.setEnabled(on)
        self.open_button.setEnabled(not on)
        self.continue_button.setEnabled(not on)
        self.form_box.setProperty("running", on)

    def start(self) -> bool:
        if self.running():
            return False
        try:
            cfg = self.config()
        except ValueError as err:
            self.say(str(err), error=True)
            return False
        problem = data_problem(cfg.data)
        if problem:
            self.data_info.setText(f"⚠ {problem}")
            self.say(problem, error=True)
            return False
        try:                                 # a STOP left by a run that ended otherwise
            (Path(cfg.out) / STOP_FILE).unlink(missing_ok=True)
        except OSError as err:
            self.say(f"cannot use the output folder '{cfg.out}': {err}", error=True)
            return False
        self.save_form()
        self.run_out = cfg.out
        self.clear_views()
        self.plan = {"max_steps": cfg.max_steps, "epochs": cfg.epochs}
        self.paused = False
        self.pause_button.setText("Pause")
        self.say(f"Starting {cfg.arch} on {self.device.currentText()}, output in {cfg.out}")
        if self.gpus.value() > 1:
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
        self.worker.record.connect(self.on_record)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.thread.start()
        self._set_running(True)
        return True

    def _start_torchrun(self, cfg) -> bool:
        """Several GPUs (or CPU processes): torchrun as a child process; its
        metrics.jsonl is followed."""
        from bpviz.train.cli import argv_from
        n = self.gpus.value()
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
            self.on_record(record)

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
        self.log.appendPlainText(text)
        said = [line for line in text.splitlines() if line.startswith("bpviz-train:")]
        if said:                                 # the engine's own one-line outcome or error
            self.engine_said = said[-1][len("bpviz-train:"):].strip()

    def _process_finished(self, code, status) -> None:
        if self.process is None:
            return
        self._read_output(final=True)
        self._follow(final=True)
        self.flush()
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
            (Path(self.run_out) / STOP_FILE).unlink(missing_ok=True)
        except OSError:
            pass
        self.process.deleteLater()
        self.process = None
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
        if self.worker is not None:
            self.worker.stop()
            self.say("Stopping: writing a checkpoint…")
        if self.process is not None:
            # the ranks agree to stop after their next logged step and checkpoint; SIGTERM
            # only if they have not ended a minute later (torchrun then reports an error)
            try:
                Path(self.run_out).mkdir(parents=True, exist_ok=True)
                (Path(self.run_out) / STOP_FILE).touch()
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
        self.paused = False
        self.pause_button.setText("Pause")
        self._set_running(False)

    def _finished(self, outcome: str, step: int) -> None:
        self._end_thread()
        self.flush()
        self.say(f"Run {outcome} at step {step}; checkpoint in {self.run_out}")

    def _failed(self, message: str) -> None:
        self._end_thread()
        self.flush()
        self.say(message, error=True)

    # --- showing records --------------------------------------------------------------------------
    # Each record updates the history at once, but the views are redrawn one per event-loop
    # turn: painting all eight plots in one pass took 11-57 ms of the GUI thread, one at a
    # time takes a few.
    def on_record(self, record: dict) -> None:
        """A record from the worker or a metrics file. Only the numbers are kept (as
        columns); the snapshots (conv1, the batch: up to ~10 MB at 224 px) of the latest
        record only."""
        if not is_record(record):
            return
        self.record_count += 1
        self.history.add(record)
        self.latest = record
        if self.eta_from is None and self.started_run():
            self.eta_from = (time.perf_counter(), record["step"])
        for view in self.draw:
            if view not in self.dirty:
                self.dirty.append(view)
        if record["split"] == "val":
            self.log.appendPlainText(
                f"epoch {record.get('epoch', '?')} validation: loss "
                f"{record.get('loss', float('nan')):.4f}, top-1 "
                f"{record.get('top1', float('nan')):.1%}, top-5 "
                f"{record.get('top5', float('nan')):.1%}")
        if not self.draw_timer.isActive():
            self.draw_timer.start()

    def started_run(self) -> bool:
        """Records come from a run started here (not an opened folder)."""
        return self.running()

    @property
    def draw(self) -> dict:
        return {"loss": self._draw_loss, "acc": self._draw_accuracy, "lr": self._draw_lr,
                "speed": self._draw_speed, "wait": self._draw_wait,
                "norms": self._draw_norms, "filters": self._draw_filters,
                "batch": self._draw_batch, "progress": self._draw_progress}

    def _draw_next(self) -> None:
        if not self.dirty:
            self.draw_timer.stop()
            return
        self.draw[self.dirty.pop(0)]()

    def flush(self) -> None:
        """Draw every view that is waiting (end of a run, an opened folder, tests)."""
        while self.dirty:
            self._draw_next()
        self.draw_timer.stop()

    def _draw_loss(self) -> None:
        for split in ("train", "val"):
            self.curves[(split, "loss")].setData(*self.history.series(split, "loss"))

    def _draw_accuracy(self) -> None:
        for split in ("train", "val"):
            for key in ("top1", "top5"):
                self.curves[(split, key)].setData(*self.history.series(split, key))

    def _draw_lr(self) -> None:
        self.curves["lr"].setData(*self.history.series("train", "lr"))

    def _draw_speed(self) -> None:
        steps, rate = self.history.series("train", "images_per_s")
        self.curves["speed"].setData(steps, rate)
        self._from_zero("speed", rate, 1.0)

    def _draw_wait(self) -> None:
        steps, wait = self.history.series("train", "data_wait")
        self.curves["wait"].setData(steps, wait * 100)
        self._from_zero("wait", wait * 100, 5.0)
        memory = self.latest.get("gpu_memory_mb")
        title = WAIT_TITLE + (f" · GPU memory peak {memory / 1024:.1f} GB"
                              if isinstance(memory, (int, float)) and memory else "")
        if self.plots["wait"].getPlotItem().titleLabel.text != title:
            self.plots["wait"].setTitle(title)

    def _from_zero(self, plot: str, values: np.ndarray, least: float) -> None:
        """Rates and percentages drawn from 0, so noise does not look like a trend."""
        top = max(least, float(np.nanmax(values)) * 1.1) if len(values) else least
        self.plots[plot].setYRange(0, top, padding=0)

    def _draw_norms(self) -> None:
        norms = self.latest.get("grad_norms")
        if not isinstance(norms, dict) or not norms:
            return
        names = [str(n) for n in norms]
        values = np.array([v if isinstance(v, (int, float)) else np.nan
                           for v in norms.values()], float)
        heights = np.log10(np.maximum(values, 1e-12))
        self.norm_bars.setOpts(x0=np.minimum(heights, 0), y=np.arange(len(names)),
                               width=np.abs(heights))
        ticks = list(enumerate(names))
        if ticks != self.norm_ticks:                    # a new axis layout only when needed
            self.norm_ticks = ticks
            self.norms_plot.getAxis("left").setTicks([ticks])

    def _draw_filters(self) -> None:
        if self.latest.get("conv1") is not None:
            self.filters_image.setImage(filter_grid(np.asarray(self.latest["conv1"])),
                                        levels=(0, 1), axisOrder="row-major")

    def _draw_batch(self) -> None:
        if self.latest.get("batch") is not None:
            self.batch_image.setImage(tile(np.asarray(self.latest["batch"]), 4),
                                      levels=(0, 1), axisOrder="row-major")

    def _draw_progress(self) -> None:
        """Step of the run's total (its own max steps, or epochs x steps per epoch), with an
        ETA from the pace since this run's first record (a resumed run starts mid-way)."""
        step, per_epoch = self.latest["step"], self.latest.get("steps_per_epoch")
        total = self.plan.get("max_steps") or (
            per_epoch * self.plan["epochs"] if per_epoch and self.plan.get("epochs") else None)
        if not total:
            return
        self.progress.setMaximum(int(total))
        self.progress.setValue(int(min(step, total)))
        text = f"%p%  step {step}/{total}"
        if self.eta_from is not None and step > self.eta_from[1]:
            pace = (time.perf_counter() - self.eta_from[0]) / (step - self.eta_from[1])
            text += f"  ETA {eta_text(pace * max(total - step, 0))}"
        self.progress.setFormat(text)

    # --- export (File menu) ------------------------------------------------------------------------
    def figure_widget(self) -> QWidget:
        return self

    def csv_data(self) -> dict:
        columns = {}
        for split in ("train", "val"):
            for key in ("loss", "top1", "top5", "lr", "images_per_s"):
                steps, values = self.history.series(split, key)
                if len(steps):
                    columns.setdefault(f"{split} step", steps)
                    columns[f"{split} {key}"] = values
        return columns

    # --- run folders ----------------------------------------------------------------------------
    def _open_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run folder (with metrics.jsonl)")
        if path:
            self.open_run(path)

    def open_run(self, folder) -> bool:
        """Show the history of a run folder, e.g. one trained elsewhere."""
        folder = Path(folder)
        records = read_metrics(folder)
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
        self.clear_views()
        self.plan = {"max_steps": config.get("max_steps"), "epochs": config.get("epochs")}
        for record in records:
            self.on_record(record)
        self.flush()
        last = records[-1]
        self.say(f"Opened {folder.name}: {len(records)} records, last step {last['step']}"
                 + (f", {config.get('arch')} on {config.get('data')}" if config else ""))
        return True

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
        fields = {"data": "data", "arch": "arch", "image_size": "image_size",
                  "batch_size": "batch", "lr": "lr", "schedule": "schedule",
                  "epochs": "epochs", "max_steps": "max_steps", "precision": "precision",
                  "workers": "workers", "threads": "threads"}
        widgets = self._form_fields()
        for key, name in fields.items():
            value = config.get(key)
            if key == "max_steps" and value is None:
                value = 0                                # "none"
            if value is not None:
                set_form_value(widgets[name], value)
        index = self.device.findData(config.get("device"))
        if index >= 0:
            self.device.setCurrentIndex(index)
        self.out.setText(str(folder))
        self.resume.setChecked(True)
        records = read_metrics(folder)
        if records:
            self.open_run(folder)
        last = records[-1]["step"] if records else None
        if last is not None and self.max_steps.value() and last >= self.max_steps.value():
            self.say(f"{folder.name} ended at its max steps ({last}): raise Max steps, then "
                     f"Start continues it")
        else:
            self.say(f"Ready to continue {folder.name}"
                     + (f" after step {last}" if last is not None else "") + ": press Start")
        return True

