"""RunView: what a training run looks like — loss, top-1/top-5, learning rate, images/s,
data wait, each layer's gradient flow (mean |∂L/∂W| and |∂L/∂x| at the last logged step,
and |∂L/∂W| over the steps), conv1's filters, the augmented batch, progress
with an ETA, and a log — drawn from its records, one plot per event-loop turn."""
from __future__ import annotations

import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ...core.backprop.gradient_flow import (
    RECORD_KEYS,
    WEIGHT,
    FlowHistory,
    flows_from_record,
    summary,
)
from ...train.run_folder import is_record
from ..backprop.gradient_flow import FlowPlots
from ..widgets.axis_room import AxisRoom
from ..widgets.named import named
from ..widgets.plot_style import add_values_actions, curve_pen
from ..widgets.reflow_grid import ReflowGrid
from .plots_area import PlotsArea, even_rows, with_legend
from .run_history import History

WAIT_TITLE = "data wait (%)"
FLOW_WAITING = "Each layer's figures come with the run's logged steps."
# in place of nine empty plots until a run's first record (a lesson shows the form first)
NO_RUN = ("<p><b>No run yet.</b> Start draws here, step by step as the run goes: the loss "
          "and the top-1 and top-5 accuracy (training and validation), the learning rate, "
          "images per second, the data wait, each layer's gradient flow, conv1's filters "
          "and the augmented batch. Open run folder… draws a run's history.</p>")
# a run logged before the gradient flow (issue 23) has each layer's L2 norm only
NORMS_ONLY = "‖∂L/∂W‖ (L2 norm: this run logged no means)"
FLOW_LABELS = {False: ("mean |gradient|", "mean |∂L/∂W|", "|∂L/∂W| per layer"),
               True: ("‖∂L/∂W‖", "‖∂L/∂W‖", "‖∂L/∂W‖ per layer")}


def record_flows(record: dict) -> tuple[list, bool]:
    """The layers' figures a record holds, and whether they are an older run's norms: its
    ``grad_norms`` (‖∂L/∂W‖ per layer) stand in for the means it did not log."""
    flows = flows_from_record(record)
    norms = record.get("grad_norms")
    if flows or not isinstance(norms, dict) or not norms:
        return flows, False
    return flows_from_record({RECORD_KEYS[WEIGHT]: norms}), True


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


def legend_text(keys: list[str]) -> str:
    """A legend line naming the curves in their colours: train solid, validation dashed."""
    def entry(key, split):
        name, train, val = CURVES[key]
        color, mark = (train, "━━") if split == "train" else (val, "╍●╍")
        label = name if len(keys) > 1 else split
        return f"<span style='color:{color}'>{mark} {label}</span>"
    train = "&nbsp; ".join(entry(k, "train") for k in keys)
    val = "&nbsp; ".join(entry(k, "val") for k in keys)
    return (f"{train}&nbsp;&nbsp; {val}" if len(keys) == 1
            else f"train: {train}&nbsp;&nbsp; validation: {val}")


AXIS_SAMPLES = ["0.000", "10000"]      # the widest numbers a run's plots write


class RunView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.draw_timer = QTimer(self, interval=5)
        self.draw_timer.timeout.connect(self._draw_next)
        self.plan: dict = {}             # the run's max_steps and epochs (progress)
        self.live = False                # records come from a run going on now (ETA)
        self.clock = time.perf_counter   # the ETA's clock (tests set their own)
        self.progress = QProgressBar()   # placed by the tab, beside the run's buttons
        self.plots = {"loss": self._plot("loss"), "lr": self._plot("learning rate"),
                      "acc": self._plot("accuracy"),
                      "speed": self._plot("images / s"), "wait": self._plot(WAIT_TITLE)}
        self.plots["lr"].setLogMode(y=True)             # schedules divide it by 10
        self.plots["lr"].setYRange(-4, -1)              # until there is a curve
        self.plots["acc"].setYRange(0, 1.02)
        self.plots["acc"].enableAutoRange(y=False)
        self.curves = {}
        self.marked = set()              # curves with a marker on every point (validation)
        for split, style in (("train", Qt.PenStyle.SolidLine), ("val", Qt.PenStyle.DashLine)):
            for key, plot in (("loss", "loss"), ("top1", "acc"), ("top5", "acc")):
                _, c_train, c_val = CURVES[key]
                self._curve((split, key), plot, c_train if split == "train" else c_val,
                            style, marked=split == "val", label=f"{split} {CURVES[key][0]}")
        self._curve("lr", "lr", "#7b4fb0", label="learning rate")
        self._curve("speed", "speed", "#2f6fb0", label="images / s")
        self._curve("wait", "wait", "#c2571a", label=WAIT_TITLE)
        flow_cell = self._flow_cell()
        for plot in self.plots.values():
            add_values_actions(plot)              # the numbers as text, on right-click
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
        self.log.setAccessibleName("Training log")
        self.log.setMaximumBlockCount(2000)
        grid = self.grid = even_rows(ReflowGrid(
            (with_legend(self.plots["loss"], legend_text(["loss"])),
             with_legend(self.plots["acc"], legend_text(["top1", "top5"])),
             self.plots["lr"], self.plots["speed"], self.plots["wait"],
             flow_cell, self.flow.steps_plot, self.filters_view, self.batch_view),
            most_columns=5))                  # nine: two rows of 5 + 4 at a desk
        self.no_run = named(QLabel(NO_RUN, wordWrap=True, alignment=Qt.AlignmentFlag.AlignLeft
                                   | Qt.AlignmentFlag.AlignTop), "run_waiting")
        self.no_run.setContentsMargins(12, 12, 12, 12)
        right = QVBoxLayout(self)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.no_run, 4)
        self.plots_area = PlotsArea(grid)     # on a projector the plots scroll; the log
        right.addWidget(self.plots_area, 8)   # below them: three lines, scrolling
        right.addWidget(self.log, 1)
        self.clear()
        self.progress.setFormat("no run yet")

    def _flow_cell(self) -> QWidget:
        """The Gradient Flow dock's plots, drawn from the figures the run logs (FlowHooks);
        the per-layer plot's cell, with the sentence on it under the plot."""
        self.flow, self.flow_history = FlowPlots("step"), FlowHistory()
        # short titles: pyqtgraph widens a plot to its title, cutting its right side
        for plot, title in ((self.flow.batch_plot, "gradient flow"),
                            (self.flow.steps_plot, FLOW_LABELS[False][2])):
            plot.setBackground(self.palette().base().color())
            plot.setTitle(title)
        cell = with_legend(self.flow.batch_plot, FLOW_WAITING)
        legend = cell.findChild(QLabel)
        assert legend is not None, "with_legend writes the legend in a label"
        self.flow_summary = legend
        return cell

    def _plot(self, title: str, left: str = "") -> pg.PlotWidget:
        w = pg.PlotWidget(title=title)
        w.setBackground(self.palette().base().color())
        w.setLabel("bottom", "step")
        w.setDownsampling(auto=True, mode="peak")        # a long run's 10^5 points
        w.setClipToView(True)
        if left:
            w.setLabel("left", left)
        # room for its numbers in any font: on the projector none was written
        AxisRoom(w, lambda: AXIS_SAMPLES)
        return w

    def _curve(self, name, plot: str, color: str, style=Qt.PenStyle.SolidLine,
               marked: bool = False, label: str = "") -> None:
        """A line in ``color``, its markers (see ``_show``) filled with the same colour;
        ``label`` names its columns in the plot's table of values."""
        pen = curve_pen(color)
        pen.setStyle(style)
        self.curves[name] = self.plots[plot].plot(
            pen=pen, symbol="o" if marked else None, name=label,
            symbolSize=8, symbolBrush=color, symbolPen=color)
        if marked:
            self.marked.add(name)

    def _show(self, name, steps: np.ndarray, values: np.ndarray) -> None:
        """A curve's points; a lone point gets a marker (a line needs two to show)."""
        curve = self.curves[name]
        symbol = "o" if name in self.marked or len(steps) == 1 else None
        if curve.opts["symbol"] != symbol:
            curve.setSymbol(symbol)
        curve.setData(steps, values)

    def set_plan(self, text: str) -> None:
        """The run the form describes, said under 'No run yet'."""
        self.no_run.setText(NO_RUN + (f"<p>These settings: {html.escape(text)}</p>"
                                      if text else ""))

    def _show_plots(self, shown: bool) -> None:
        """The plots once a record has come (hidden: they take no room in the layout)."""
        self.plots_area.setVisible(shown)
        self.no_run.setVisible(not shown)

    def clear(self) -> None:
        self._show_plots(False)
        self.history = History()
        self.latest: dict = {}           # the last record with figures
        self.dirty: list[str] = []       # views to draw again, one a frame
        self.record_count = 0
        self.norms_only = False          # an older run's ‖∂L/∂W‖ fill the flow plots
        self._label_flow(False)
        self.flow_history.clear()
        self.flow.clear_history()
        self.flow.show([], self.flow_history)
        self.flow_summary.setText(FLOW_WAITING)
        self.eta_from: tuple[float, int] | None = None   # (time, step) of the first record
        for curve in self.curves.values():
            curve.setData([], [])
        self.filters_image.clear()
        self.batch_image.clear()
        self.progress.setValue(0)
        self.progress.resetFormat()

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
        if self.record_count == 1:
            self._show_plots(True)
        self.history.add(record)
        self.latest = record
        flows, norms = record_flows(record)
        if flows:
            self.norms_only = norms
            self.flow_history.record(record["step"], flows)
        if self.eta_from is None and self.live:
            self.eta_from = (self.clock(), record["step"])
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

    @property
    def draw(self) -> dict:
        return {"loss": self._draw_loss, "acc": self._draw_accuracy, "lr": self._draw_lr,
                "speed": self._draw_speed, "wait": self._draw_wait,
                "flow": self._draw_flow, "filters": self._draw_filters,
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
            self._show((split, "loss"), *self.history.series(split, "loss"))

    def _draw_accuracy(self) -> None:
        for split in ("train", "val"):
            for key in ("top1", "top5"):
                self._show((split, key), *self.history.series(split, key))

    def _draw_lr(self) -> None:
        self._show("lr", *self.history.series("train", "lr"))
        self.plots["lr"].enableAutoRange(y=True)    # the empty plot's range was fixed

    def _draw_speed(self) -> None:
        steps, rate = self.history.series("train", "images_per_s")
        self._show("speed", steps, rate)
        self._from_zero("speed", rate, 1.0)

    def _draw_wait(self) -> None:
        steps, wait = self.history.series("train", "data_wait")
        self._show("wait", steps, wait * 100)
        self._from_zero("wait", wait * 100, 5.0)
        memory = self.latest.get("gpu_memory_mb")
        title = WAIT_TITLE + (f"<br>GPU memory {memory / 1024:.1f} GB"
                              if isinstance(memory, (int, float)) and memory else "")
        if self.plots["wait"].getPlotItem().titleLabel.text != title:
            self.plots["wait"].setTitle(title)

    def _from_zero(self, plot: str, values: np.ndarray, least: float) -> None:
        """Rates and percentages drawn from 0, so noise does not look like a trend."""
        top = max(least, float(np.nanmax(values)) * 1.1) if len(values) else least
        self.plots[plot].setYRange(0, top, padding=0)

    def _draw_flow(self) -> None:
        """The last record with figures (an evaluation's has none) and the steps so far."""
        if not self.flow_history.points:
            return
        flows = list(self.flow_history.points[-1].values())
        self._label_flow(self.norms_only)
        self.flow.show(flows, self.flow_history)
        step = f"{self.flow_history.steps[-1]:g}"
        self.flow_summary.setText(f"{NORMS_ONLY} at step {step}: {summary(flows)}"
                                  if self.norms_only else
                                  f"Gradient flow at step {step}: {summary(flows)}")

    def _label_flow(self, norms: bool) -> None:
        """The flow plots' axes name what they show: means, or an older run's norms."""
        batch, steps, title = FLOW_LABELS[norms]
        self.flow.batch_plot.setLabel("left", batch)
        self.flow.steps_plot.setLabel("left", steps)
        self.flow.steps_plot.setTitle(title)

    def _draw_filters(self) -> None:
        if self.latest.get("conv1") is not None:
            self.filters_image.setImage(filter_grid(np.asarray(self.latest["conv1"])),
                                        levels=(0, 1), axisOrder="row-major")

    def show_filters(self, weights: np.ndarray) -> None:
        """conv1's filters from elsewhere (an opened run's checkpoint)."""
        self.latest = dict(self.latest, conv1=weights)
        if "filters" not in self.dirty:
            self.dirty.append("filters")
        self.draw_timer.start()

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
            pace = (self.clock() - self.eta_from[0]) / (step - self.eta_from[1])
            text += f"  ETA {eta_text(pace * max(total - step, 0))}"
        self.progress.setFormat(text)

    def end_progress(self, text: str) -> None:
        """The run has ended: its last state instead of a running ETA."""
        self.flush()
        self.progress.setFormat(f"%p%  {text}")

    def csv_data(self) -> dict:
        """Every number of the records as columns: training (loss, accuracies, lr, images/s,
        data wait, each layer's gradient norm and flow), then validation."""
        columns: dict[str, np.ndarray] = {}
        for split in ("train", "val"):
            for key in self.history.keys(split):
                if split == "val" and key == "images_per_s":
                    continue                             # always 0: not a training rate
                steps, values = self.history.series(split, key)
                columns.setdefault(f"{split} step", steps)
                columns[f"{split} {key}"] = values
        return columns
