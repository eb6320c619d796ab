"""TrainingForm: the settings of a training run — data, architecture, image and batch size,
learning rate and schedule, device, output folder — checked as they are typed, remembered
between sessions, and turned into bpviz.train's TrainConfig. Built without torch: the GPUs
arrive later (set_devices, once the tab's EngineLoader has loaded it)."""
from __future__ import annotations

import math
import os
import time
from dataclasses import fields
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...train.folders import layout_problem
from ...train.train_config import TrainConfig
from ..config.settings import settings
from ..widgets.named import named
from .image_counter import ImageCounter, shown_path
from .train_worker import gui_threads

# The paper's recipe (Krizhevsky et al. 2012: batch 128, lr 0.01, ~90 epochs, five to six
# days on two GTX 580s) and one a CPU finishes in minutes; a lesson picks one by its name.
RECIPES = {
    "AlexNet paper (GPU)": {"arch": "alexnet-paper", "image_size": 224, "batch": 128,
                            "lr": "0.01", "schedule": "plateau", "epochs": 90,
                            "max_steps": 0},
    "quick CPU run": {"arch": "alexnet", "image_size": 64, "batch": 64, "lr": "0.005",
                      "schedule": "plateau", "epochs": 90, "max_steps": 300},
}
LOOKING = "Looking for GPUs…"        # the status line says PyTorch is loading
DEFERRED = "GPUs: looked for at Start"
NO_GPU = (": a quick CPU run (64 px, 300 steps, a few minutes). The paper's recipe: 224 px, "
          "batch 128, lr 0.01, 90 epochs, on a GPU.")
GPU_WORKERS = 8                      # data loader processes that keep a GPU fed
SCHEDULES = {"plateau": "divided by 10 when the validation error stops improving",
             "step": "divided by 10 every {step_epochs} epochs"}


def config_default(name: str):
    """A TrainConfig setting the form does not offer (the paper's momentum, weight decay)."""
    return next(f.default for f in fields(TrainConfig) if f.name == name)


# fixed as the paper has them; rows short enough not to wrap (a squeezed form cut them)
FIXED = {"Optimizer": "SGD", "Momentum": f"{config_default('momentum'):g}",
         "Weight decay": f"{config_default('weight_decay'):g}"}
OPTIMIZER = (f"SGD, momentum {FIXED['Momentum']}, weight decay {FIXED['Weight decay']}")


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


class FormArea(QScrollArea):
    """The form, scrolling on its own where the column is shorter than it (a GPU-less
    machine's advice, the install notice above it), as wide as the form in any type size."""

    def __init__(self, form: QWidget):
        super().__init__(widgetResizable=True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form = form
        self.setWidget(form)

    def eventFilter(self, watched, event):
        # the form grew (presentation's type size came after the tab was built): the
        # column must ask for its new width, or it stays as wide and cuts the form
        if watched is self.form and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(self.form.minimumSizeHint().width()
                      + self.verticalScrollBar().sizeHint().width())
        return hint


class TrainingForm(QWidget):
    shown = Signal()                 # each time the form is shown (the tab then loads torch)
    edited = Signal()                # a setting changed (typed, a recipe, a lesson)

    def __init__(self, parent=None, engine: bool = True):
        """``engine``: torch and torchvision are installed; the Device field then says that
        GPUs are being looked for until set_devices. Without them the form only shows the
        settings of a quick CPU run (disabled): no GPU is looked for, no data folder checked."""
        super().__init__(parent)
        self._make_fields()
        if engine:
            self.device.setItemText(0, LOOKING)      # still the CPU, until GPUs are known
            self.device.setEnabled(False)
        else:
            self.use_recipe("quick CPU run")
        self._lay_out()
        self.browse.clicked.connect(self._browse)
        self.counter = ImageCounter(self)
        self.counter.counted.connect(self._counted)
        self.count_timer = QTimer(self, singleShot=True, interval=300)
        self.count_timer.timeout.connect(self._count_data)
        if engine:
            self.data.currentTextChanged.connect(self._check_data)
        self.restore()
        self.built_values = self._values()           # what the user or a lesson may change
        if engine:
            self._check_data()
        for widget in self._form_fields().values():
            signal = (widget.valueChanged if isinstance(widget, QSpinBox) else
                      widget.currentTextChanged if isinstance(widget, QComboBox) else
                      widget.textChanged)
            signal.connect(self.edited)

    def showEvent(self, event):
        super().showEvent(event)
        self.shown.emit()

    def _make_fields(self) -> None:
        self.data = QComboBox(editable=True)
        self.data.addItem("synthetic")
        self.data.setToolTip("'synthetic' (generated: no download needed), or a folder "
                             "with train/<class>/ and val/<class>/")
        self.data.setAccessibleName("Training data")
        self.browse = QPushButton("Folder…")
        self.data_info = QLabel(wordWrap=True)
        self.recipe_choice = named(QComboBox(), "training_recipe")
        self.recipe_choice.addItems(list(RECIPES))
        self.recipe_choice.setPlaceholderText("choose…")      # until one is chosen
        self.recipe_choice.setCurrentIndex(-1)
        self.recipe_choice.setToolTip("Fill the settings below with a recipe")
        self.recipe_choice.activated.connect(
            lambda i: self.use_recipe(self.recipe_choice.itemText(i)))
        self.arch = QComboBox()
        self.arch.addItems(["alexnet", "alexnet-paper"])
        self.image_size = QSpinBox(minimum=63, maximum=512, value=224)
        self.batch = QSpinBox(minimum=1, maximum=4096, value=128)
        self.lr = QLineEdit("0.01")
        # in view beside the rate, as a lesson quotes them together
        self.fixed = {name: named(QLabel(text), f"training_{name.lower().replace(' ', '_')}")
                      for name, text in FIXED.items()}
        for label in self.fixed.values():
            label.setToolTip("fixed: the paper's")
        self.schedule = QComboBox()
        self.schedule.addItems(["plateau", "step"])
        self.epochs = QSpinBox(minimum=1, maximum=1000, value=90)
        self.max_steps = QSpinBox(minimum=0, maximum=10**9, value=0)
        self.max_steps.setSpecialValueText("none")
        self.precision = QComboBox()
        self.precision.addItems(["auto", "fp32", "bf16", "fp16"])
        self.device = QComboBox()
        # "GPUs: looked for at Start" made the form, and the run's plots, 100 px narrower
        self.device.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device.setMinimumContentsLength(10)
        self.device.addItem("CPU", "cpu")
        self.gpus = QSpinBox(minimum=1, maximum=1, value=1)
        self.gpus.setToolTip("More than one: torchrun launches one process per GPU")
        self.workers = QSpinBox(minimum=0, maximum=64, value=0)
        self.threads = QSpinBox(minimum=1, maximum=os.cpu_count() or 1, value=gui_threads())
        self.threads.setToolTip("torch's CPU threads; the default leaves the window a core "
                                "so it stays smooth")
        self.out = QLineEdit()
        self.out.setAccessibleName("Output folder")
        self.out.textChanged.connect(self.out.setToolTip)   # the whole path, ~ expanded or not
        self.resume = QCheckBox("resume from its checkpoint")
        self.resume.setToolTip("Continue the run whose checkpoint is in the output folder")
        self.recipe = QLabel(wordWrap=True)
        # a form squeezes its rows to their minimum: keep room for the recipe's four lines
        self.recipe.setMinimumHeight(4 * self.recipe.fontMetrics().lineSpacing() + 4)

    def defer_devices(self, deferred: bool) -> None:
        """Say that GPUs are looked for at Start (``deferred``), or being looked for now."""
        self.device.setItemText(0, DEFERRED if deferred else LOOKING)

    def set_devices(self, devices: list[tuple[str, str]], problem: str = "") -> None:
        """The GPUs torch sees, (label, device name) each, once it has loaded: the remembered
        device or the first GPU chosen. Settings nobody has chosen (no recipe picked, nothing
        remembered, not changed since the form was built) get what suits the machine: data
        workers for a GPU; without one the settings of a quick CPU run (the paper's recipe,
        224 px, batch 128, 90 epochs, would take days on a CPU). ``problem``: why CUDA failed."""
        self.device.clear()
        self.device.addItem("CPU", "cpu")
        for label, name in devices:
            self.device.addItem(label, name)
        self.device.setEnabled(True)
        self.gpus.setMaximum(max(1, len(devices)))
        index = self.device.findData(self.remembered.get("device"))
        self.device.setCurrentIndex(index if index >= 0 else min(1, len(devices)))
        set_form_value(self.gpus, self.remembered.get("gpus"))
        if devices:
            if self._unchosen(["workers"]):
                self.workers.setValue(GPU_WORKERS)
            return
        if self.recipe_choice.currentIndex() < 0 and self._unchosen(RECIPES["quick CPU run"]):
            self.use_recipe("quick CPU run")
        self.recipe.setText((f"No GPU usable ({problem})" if problem else "No GPU found")
                            + NO_GPU)
        self.rows.setRowVisible(self.recipe, True)

    def no_engine(self) -> None:
        """torch was found but does not load: the CPU, and no GPU looked for."""
        self.device.clear()
        self.device.addItem("CPU", "cpu")

    def _values(self) -> dict:
        return {key: form_value(w) for key, w in self._form_fields().items()}

    def _unchosen(self, keys) -> bool:
        """Nobody chose the settings ``keys``: none remembered, none changed since built."""
        now = self._values()
        return not self.remembered and all(now[k] == self.built_values[k] for k in keys)

    def _lay_out(self) -> None:
        form = self.rows = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.data, 1)
        row.addWidget(self.browse)
        form.addRow("Data", row)
        form.addRow("", self.data_info)
        for label, w in (("Recipe", self.recipe_choice), ("Architecture", self.arch),
                         ("Image size", self.image_size),
                         ("Batch size", self.batch), ("Learning rate", self.lr),
                         *self.fixed.items(),
                         ("Schedule", self.schedule), ("Epochs", self.epochs),
                         ("Max steps", self.max_steps), ("Precision", self.precision),
                         ("Device", self.device), ("", self.recipe), ("GPUs", self.gpus),
                         ("Workers", self.workers), ("CPU threads", self.threads)):
            form.addRow(label, w)
        # the folder on a line of its own, the form's width: a path in the field column
        # showed only its last 27 characters at 1280x720 (8.7)
        form.addRow("Output folder", self.resume)
        form.addRow(self.out)
        form.setRowVisible(self.recipe, False)    # until there is advice (no GPU)
        form.setRowVisible(self.data_info, False)  # until a data folder is typed
        # rows 3 px apart, not the style's 6: the form fits a 1280x720 projector's column
        form.setVerticalSpacing(3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

    # the form's values are remembered between sessions (saved when a run starts)

    def _form_fields(self) -> dict:
        return {"data": self.data, "arch": self.arch, "image_size": self.image_size,
                "batch": self.batch, "lr": self.lr, "schedule": self.schedule,
                "epochs": self.epochs, "max_steps": self.max_steps,
                "precision": self.precision, "gpus": self.gpus, "workers": self.workers,
                "threads": self.threads}

    def save(self) -> None:
        store = settings()
        for key, w in self._form_fields().items():
            store.setValue(f"training/{key}", form_value(w))
        store.setValue("training/device", self.device.currentData())
        store.setValue("training/runs", str(Path(self.out.text().strip() or ".").parent))

    def restore(self) -> None:
        """The settings of the last run started; ``remembered`` keeps them (the device and
        the GPU count are set again when the GPUs are known)."""
        store = settings()
        fields = self._form_fields()
        self.remembered = {key: value for key in [*fields, "device"]
                           if (value := store.value(f"training/{key}")) is not None}
        for key, w in fields.items():
            set_form_value(w, self.remembered.get(key))
        index = self.device.findData(self.remembered.get("device"))
        if index >= 0:
            self.device.setCurrentIndex(index)
        runs = store.value("training/runs") or str(Path.home() / "bpviz-runs")
        self.out.setText(shown_path(str(Path(runs) / time.strftime("alexnet-%Y%m%d-%H%M%S"))))

    def plan_text(self) -> str:
        """The run these settings ask for, in the lecture's words."""
        schedule = SCHEDULES.get(self.schedule.currentText(), "").format(
            step_epochs=config_default("step_epochs"))
        steps = self.max_steps.value()
        return (f"{OPTIMIZER}, batch size {self.batch.value()}, learning rate "
                f"{self.lr.text().strip()} {schedule}, {self.epochs.value()} epochs"
                + (f" (at most {steps} steps)" if steps else "")
                + f", {self.image_size.value()}×{self.image_size.value()} images.")

    def use_recipe(self, name: str) -> None:
        """Fill the settings with RECIPES[name] (the data, device and folder stay)."""
        self.recipe_choice.setCurrentText(name)
        widgets = self._form_fields()
        for key, value in RECIPES[name].items():
            set_form_value(widgets[key], value)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "ImageNet-style data folder")
        if path:
            self.data.setCurrentText(path)

    def data_path(self) -> str:
        text = self.data.currentText().strip() or "synthetic"
        return text if text == "synthetic" else os.path.expanduser(text)

    def _check_data(self) -> None:
        """The layout at once; the image count after typing pauses, in the background."""
        path = self.data_path()
        problem = layout_problem(path)
        # synthetic data needs no line of its own (the Data box's tooltip says so): the
        # row is shown for what a data folder brings, its image count or its problem
        self.rows.setRowVisible(self.data_info, path != "synthetic")
        if path == "synthetic":
            self.data_info.setText("")
        elif problem:
            self.data_info.setText(f"⚠ {problem}")
        else:
            self.data_info.setText("counting images…")
            self.count_timer.start()

    def _count_data(self) -> None:
        if layout_problem(self.data_path()) is None and self.data_path() != "synthetic":
            self.counter.count(self.data_path())

    def _counted(self, path: str, summary: str) -> None:
        if path == self.data_path():                     # not a folder typed since
            self.data_info.setText(summary)

    def config(self):
        """The TrainConfig the form describes; ValueError naming a bad field."""
        try:
            lr = float(self.lr.text())
        except ValueError:
            raise ValueError(f"learning rate: '{self.lr.text()}' is not a number") from None
        if not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"learning rate must be a positive number, not {lr}")
        out = os.path.expanduser(self.out.text().strip())
        if not out:
            raise ValueError("choose an output folder for the run's checkpoint and metrics")
        return TrainConfig(data=self.data_path(),
                           arch=self.arch.currentText(), image_size=self.image_size.value(),
                           batch_size=self.batch.value(), lr=lr,
                           schedule=self.schedule.currentText(), epochs=self.epochs.value(),
                           max_steps=self.max_steps.value() or None,
                           precision=self.precision.currentText(),
                           device=self.device.currentData(), workers=self.workers.value(),
                           out=out, resume=self.resume.isChecked(),
                           threads=self.threads.value(), log_every=5)

    def fill_from(self, config: dict) -> None:
        """The settings of a run's config.json (as written by bpviz.train)."""
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
