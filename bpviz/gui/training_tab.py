"""The Training tab: configure and launch AlexNet training (bpviz.train) in a background
thread — or on several GPUs through torchrun — and watch it live; or open any run folder,
such as one trained with bpviz-train on a cluster, and see its history."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QProcess, Qt, QThread, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QProgressBar,
                               QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from .threads import wait_for
from .train_worker import TrainWorker, gui_threads

CURVES = {"loss": ("loss", "#2f6fb0", "#c2571a"), "top1": ("top-1", "#2f6fb0", "#c2571a"),
          "top5": ("top-5", "#2e8b57", "#7b4fb0")}


def read_metrics(folder) -> list[dict]:
    """The records of a run folder's metrics.jsonl (unreadable lines are skipped)."""
    path = Path(folder) / "metrics.jsonl"
    records = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records


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
    return tile(w, columns=int(np.ceil(np.sqrt(len(w)) * 1.5)))


def data_check(path: str) -> str:
    """What is wrong with a data folder, or a summary of it."""
    if path == "synthetic":
        return "procedural images: no download needed"
    from bpviz.train.data import DataError, check_folder  # torch: first use only
    try:
        train, val = check_folder(path)
    except DataError as err:
        return f"⚠ {err}"
    classes = [p for p in train.iterdir() if p.is_dir()]
    count = sum(1 for c in classes for f in c.iterdir() if f.is_file())
    if not classes or count == 0:
        return f"⚠ no images in '{train}'"
    return f"{len(classes)} classes, {count} training images"


class TrainingTab(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.thread = self.worker = None
        self.process: QProcess | None = None
        self.follow_timer = QTimer(self)
        self.follow_timer.timeout.connect(self._follow)
        self.records: list[dict] = []
        self.started = None
        self._build_form()
        self._build_views()
        self.clear_views()

    # --- the form ---------------------------------------------------------------------------
    def _build_form(self) -> None:
        import torch                                   # the tab's first use: now, not at start
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
        self.out = QLineEdit(str(Path.home() / "bpviz-runs" / time.strftime("alexnet-%Y%m%d-%H%M")))
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
                         ("Workers", self.workers), ("Output folder", self.out)):
            form.addRow(label, w)
        form.addRow("", self.resume)
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.open_button = QPushButton("Open run folder…")
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
        col.addWidget(self.open_button)
        col.addWidget(self.progress)
        col.addWidget(self.status)
        col.addStretch(1)
        self.browse.clicked.connect(self._browse)
        self.data.currentTextChanged.connect(self._check_data)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.open_button.clicked.connect(self._open_dialog)
        self._check_data(self.data.currentText())
        self._set_running(False)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "ImageNet-style data folder")
        if path:
            self.data.setCurrentText(path)

    def _check_data(self, text: str) -> None:
        self.data_info.setText(data_check(text.strip() or "synthetic"))

    def config(self):
        """The TrainConfig the form describes; ValueError naming a bad field."""
        from bpviz.train.loop import TrainConfig
        try:
            lr = float(self.lr.text())
        except ValueError:
            raise ValueError(f"learning rate: '{self.lr.text()}' is not a number") from None
        if lr <= 0:
            raise ValueError("learning rate must be positive")
        return TrainConfig(data=self.data.currentText().strip() or "synthetic",
                           arch=self.arch.currentText(), image_size=self.image_size.value(),
                           batch_size=self.batch.value(), lr=lr,
                           schedule=self.schedule.currentText(), epochs=self.epochs.value(),
                           max_steps=self.max_steps.value() or None,
                           precision=self.precision.currentText(),
                           device=self.device.currentData(), workers=self.workers.value(),
                           out=self.out.text().strip(), resume=self.resume.isChecked(),
                           log_every=5)

    # --- the views ----------------------------------------------------------------------------
    def _plot(self, title: str, left: str = "") -> pg.PlotWidget:
        w = pg.PlotWidget(title=title)
        w.setBackground(self.palette().base().color())
        w.addLegend(offset=(10, 10))
        w.setLabel("bottom", "step")
        if left:
            w.setLabel("left", left)
        return w

    def _build_views(self) -> None:
        self.plots = {"loss": self._plot("loss"), "lr": self._plot("learning rate"),
                      "acc": self._plot("top-1 / top-5"), "speed": self._plot("images / s"),
                      "wait": self._plot("data wait (%) and GPU memory (MB)")}
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
        self.curves["memory"] = self.plots["wait"].plot(pen=pg.mkPen("#2e8b57", width=2),
                                                        name="GPU MB")
        self.norms_plot = pg.PlotWidget(title="gradient norm per layer (log10)")
        self.norms_plot.setBackground(self.palette().base().color())
        self.norm_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#2f6fb0")
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
        self.records = []
        for curve in self.curves.values():
            curve.setData([], [])
        self.norm_bars.setOpts(x=[], height=[])
        self.filters_image.clear()
        self.batch_image.clear()
        self.progress.setValue(0)

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(f"<span style='color:#d1242f'>{text}</span>" if error else text)
        self.log.appendPlainText(("ERROR: " if error else "") + text)

    # --- running --------------------------------------------------------------------------------
    def running(self) -> bool:
        return bool((self.thread is not None and self.thread.isRunning())
                    or (self.process is not None
                        and self.process.state() != QProcess.NotRunning))

    def _set_running(self, on: bool) -> None:
        self.start_button.setEnabled(not on)
        self.pause_button.setEnabled(on and self.process is None)
        self.stop_button.setEnabled(on)
        self.open_button.setEnabled(not on)
        self.form_box.setProperty("running", on)

    def start(self) -> bool:
        if self.running():
            return False
        try:
            cfg = self.config()
        except ValueError as err:
            self.say(str(err), error=True)
            return False
        problem = self.data_info.text()
        if problem.startswith("⚠"):
            self.say(problem[2:], error=True)
            return False
        self.clear_views()
        self.started = time.perf_counter()
        self.total_steps = None
        self.say(f"Starting {cfg.arch} on {self.device.currentText()}, output in {cfg.out}")
        if self.gpus.value() > 1:
            return self._start_torchrun(cfg)
        import torch
        # set here, in the GUI thread: changing torch's thread count from the worker thread
        # can deadlock OpenMP when this thread has already used torch
        torch.set_num_threads(gui_threads())
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
        """N GPUs: torchrun as a child process; its metrics.jsonl is followed."""
        args = ["-m", "torch.distributed.run", "--standalone",
                f"--nproc_per_node={self.gpus.value()}", "-m", "bpviz.train",
                "--data", cfg.data, "--arch", cfg.arch, "--image-size", str(cfg.image_size),
                "--batch-size", str(cfg.batch_size), "--lr", str(cfg.lr), "--epochs",
                str(cfg.epochs), "--precision", cfg.precision, "--workers", str(cfg.workers),
                "--out", cfg.out, "--log-every", "10"]
        if cfg.max_steps:
            args += ["--max-steps", str(cfg.max_steps)]
        if cfg.resume:
            args.append("--resume")
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        self.process.setArguments(args)
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        self.process.readyReadStandardOutput.connect(
            lambda: self.log.appendPlainText(bytes(self.process.readAllStandardOutput())
                                             .decode(errors="replace").rstrip()))
        self.process.finished.connect(self._process_finished)
        self.follow_folder = Path(cfg.out)
        self.process.start()
        self.follow_timer.start(500)
        self._set_running(True)
        return True

    def _follow(self) -> None:
        records = read_metrics(self.follow_folder)
        for record in records[len(self.records):]:
            self.on_record(record)

    def _process_finished(self, code, status) -> None:
        self._follow()
        self.follow_timer.stop()
        self.say(f"torchrun finished with exit code {code}", error=code != 0)
        self.process = None
        self._set_running(False)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        if self.pause_button.text() == "Pause":
            self.worker.pause()
            self.pause_button.setText("Resume")
            self.say("Paused")
        else:
            self.worker.resume()
            self.pause_button.setText("Pause")
            self.say("Resumed")

    def stop(self) -> None:
        """Graceful: the run writes a checkpoint before it ends."""
        if self.worker is not None:
            self.worker.stop()
            self.say("Stopping: writing a checkpoint…")
        if self.process is not None:
            self.process.terminate()              # SIGTERM: the ranks checkpoint and exit

    def wait(self, timeout_ms: int = 600_000) -> bool:
        """Block until a run in a thread ends (closing the window, tests); the worker's last
        signals are then delivered."""
        return wait_for(self.thread, timeout_ms)

    def _end_thread(self) -> None:
        self.thread.quit()
        while self.thread.isRunning():          # finished: only its event loop is left
            time.sleep(0.001)
        self.thread = self.worker = None
        self.pause_button.setText("Pause")
        self._set_running(False)

    def _finished(self, outcome: str, step: int) -> None:
        self._end_thread()
        self.say(f"Run {outcome} at step {step}; checkpoint in {self.out.text()}")

    def _failed(self, message: str) -> None:
        self._end_thread()
        self.say(message, error=True)

    # --- showing records --------------------------------------------------------------------------
    def on_record(self, record: dict) -> None:
        self.records.append(record)
        self._draw_curves()
        self._draw_snapshots(record)
        self._draw_progress(record)

    def _series(self, split: str, key: str):
        rows = [r for r in self.records if r.get("split") == split and key in r]
        return (np.array([r["step"] for r in rows], float),
                np.array([r[key] for r in rows], float))

    def _draw_curves(self) -> None:
        for (split, key) in [k for k in self.curves if isinstance(k, tuple)]:
            self.curves[(split, key)].setData(*self._series(split, key))
        self.curves["lr"].setData(*self._series("train", "lr"))
        self.curves["speed"].setData(*self._series("train", "images_per_s"))
        steps, wait = self._series("train", "data_wait")
        self.curves["wait"].setData(steps, wait * 100)
        self.curves["memory"].setData(*self._series("train", "gpu_memory_mb"))

    def _draw_snapshots(self, record: dict) -> None:
        norms = record.get("grad_norms") or {}
        if norms:
            names = list(norms)
            heights = np.log10(np.maximum(np.array([norms[n] for n in names]), 1e-12))
            self.norm_bars.setOpts(x=np.arange(len(names)), height=heights)
            short = [n.replace(".weight", "") for n in names]
            self.norms_plot.getAxis("bottom").setTicks([list(enumerate(short))])
        if record.get("conv1") is not None:
            self.filters_image.setImage(filter_grid(np.asarray(record["conv1"])),
                                        levels=(0, 1), axisOrder="row-major")
        if record.get("batch") is not None:
            self.batch_image.setImage(tile(np.asarray(record["batch"]), 4), levels=(0, 1),
                                      axisOrder="row-major")

    def _draw_progress(self, record: dict) -> None:
        per_epoch = record.get("steps_per_epoch")
        cfg_steps = self.max_steps.value() or (per_epoch * self.epochs.value()
                                               if per_epoch else None)
        if not cfg_steps:
            return
        step = record["step"]
        self.progress.setMaximum(cfg_steps)
        self.progress.setValue(min(step, cfg_steps))
        if self.started and step:
            elapsed = time.perf_counter() - self.started
            eta = elapsed / step * max(cfg_steps - step, 0)
            self.progress.setFormat(f"%p%  step {step}/{cfg_steps}  ETA {eta:.0f} s")
        if record["split"] == "val":
            self.log.appendPlainText(f"epoch {record['epoch']} validation: loss "
                                     f"{record['loss']:.4f}, top-1 {record['top1']:.1%}, top-5 "
                                     f"{record['top5']:.1%}")

    # --- export (File menu) ------------------------------------------------------------------------
    def figure_widget(self) -> QWidget:
        return self

    def csv_data(self) -> dict:
        columns = {}
        for split in ("train", "val"):
            for key in ("loss", "top1", "top5", "lr", "images_per_s"):
                steps, values = self._series(split, key)
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
        self.clear_views()
        self.records = records
        self._draw_curves()
        config = {}
        try:
            config = json.loads((folder / "config.json").read_text())
        except (OSError, ValueError):
            pass
        last = records[-1]
        self.say(f"Opened {folder.name}: {len(records)} records, last step {last['step']}"
                 + (f", {config.get('arch')} on {config.get('data')}" if config else ""))
        return True
