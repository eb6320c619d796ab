"""The Optimizers tab: the lecture's optimizers race in lockstep from one start point over a
surface (test functions, or the loss of a real model with mini-batch noise), with animated
trajectories, a step mode showing each optimizer's internal state, the loss per iteration,
and a fair comparison that first tunes each learning rate. Trajectories come from
bpviz.core.labs.race (so from bpviz.core.optimization.optim)."""
from __future__ import annotations

import time
from functools import lru_cache, partial

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.data import datasets as ds
from ...core.labs import landscapes, surface
from ...core.labs.race import race, starting_configs, tune_lr
from ..widgets.controls import read_controls, write_controls
from ..widgets.named import named
from ..widgets.optimizer_form import PRESETS, OptimizerForm, build
from ..widgets.plot_style import PlotPair, add_values_actions, titled
from ..widgets.scrolling import Scrolling
from .loss_lab import Slider
from .optimizer_cards import OptimizerCards
from .optimizer_list import OptimizerList
from .race_area import RaceArea
from .race_plots import COLORS, RacePlots, plotted_losses  # noqa: F401 (tests import them)

FRAME_MS = 16                       # animation: up to 60 frames per second
RACE_SECONDS = 3.0                  # a whole run takes this long, however slow the frames
GRID = 161                          # heat-map points per side, over whatever the view shows


@lru_cache(maxsize=1)
def real_data_model() -> landscapes.LinearModel:
    """The 'linear model (real data)' surface's model: two classes of blobs, made once."""
    return landscapes.LinearModel.from_dataset(ds.blobs(n=1000, classes=2, seed=0))


class OptimizerLab(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._grids: dict = {}             # (surface, condition) -> its heat map's grid
        self.surface_kind = QComboBox()
        self.surface_kind.addItems(list(surface.TEST_SURFACES) + ["linear model (real data)"])
        self.condition = Slider("condition", 1, 100, 10, step=1)
        self.batch = Slider("batch size", 1, 256, 16, step=1)
        self.optimizers = OptimizerList({name: COLORS[name] for name in PRESETS})
        self.configs = {name: dict(PRESETS[name][1]) for name in PRESETS}
        self.form = OptimizerForm()
        self.form.kind.setEnabled(False)         # the list chooses; the form edits
        self.surface_kind.setObjectName("race_surface")       # (names: lessons, sessions)
        self.surface_kind.setAccessibleName("Surface")
        self.steps = named(QSpinBox(minimum=1, maximum=5000, value=200), "race_steps")
        self.steps.setAccessibleName("Steps in the race")
        self.optimizers.setAccessibleName("Optimizers in the race (check to show)")
        self.run_button = QPushButton("Run")
        self.step_button = QPushButton("Step")
        self.reset_button = QPushButton("Reset")
        self.fair_button = QPushButton("Fair comparison (tune each lr)")
        self.status = QLabel(wordWrap=True)
        self.bias = named(QCheckBox("bias table"), "adam_bias_correction")
        self.bias.setChecked(True)
        self.bias.setAccessibleName("Adam's bias-correction table")
        self.bias.setToolTip("Show Adam's bias correction m̂/m, v̂/v under its card")
        self._build_layout()
        self.runs: dict = {}
        self.shown = 0                     # steps revealed so far
        self.start: tuple[float, ...] = ()     # where the race starts: set with the surface
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._frame)
        self.clock = time.monotonic          # tests drive the animation with their own clock
        self.started = 0.0
        self.surface_kind.currentIndexChanged.connect(lambda _: self.new_surface())
        self.condition.slider.valueChanged.connect(lambda _: self.new_surface())
        self.batch.slider.valueChanged.connect(lambda _: self.new_surface())
        self.optimizers.currentTextChanged.connect(self._select)
        self.optimizers.itemChanged.connect(lambda _: self.recompute())
        self.run_button.clicked.connect(self.toggle_run)
        self.step_button.clicked.connect(self.step)
        self.reset_button.clicked.connect(self.reset)
        self.fair_button.clicked.connect(self.fair_comparison)
        self.steps.valueChanged.connect(lambda _: self.recompute())
        self.bias.toggled.connect(self.cards.show_bias)
        self.bias.toggled.connect(lambda _: self.recompute())
        self.plot.clicked.connect(self.set_start)
        self.optimizers.setCurrentRow(len(PRESETS) - 1)
        self.new_surface()

    def _build_layout(self) -> None:
        self.drawn = RacePlots()
        self.plot, self.loss_plot, self.legend = (self.drawn.plot, self.drawn.loss_plot,
                                                  self.drawn.legend)
        self.paths, self.heads = self.drawn.paths, self.drawn.heads
        self.loss_curves = self.drawn.loss_curves
        self.cards = OptimizerCards()
        # side by side, the surface wider (aspect locked, a bowl is wider than high)
        self.plots = PlotPair(self.plot.titled(), titled(self.loss_plot, "loss per iteration"),
                              first_share=0.56)
        # the cards beside the plots where the width allows, else under them (race_area)
        self.race = RaceArea(self.plots, self.cards, self.legend, self.plot.heading)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._controls())
        splitter.addWidget(self.race)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        add_values_actions(self.plot, self.csv_data, "optimizers on the surface")
        add_values_actions(self.loss_plot, self.loss_columns, "loss per iteration")

    def _controls(self) -> QWidget:
        """The left column, short enough for 1280x720 in presentation mode."""
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Surface</b>"))
        left.addWidget(self.surface_kind)
        left.addWidget(self.condition)
        left.addWidget(self.batch)
        left.addWidget(QLabel("<b>Optimizers</b> (tick to race; select to edit)",
                              wordWrap=True))
        left.addWidget(self.optimizers)
        self.form.form.setRowVisible(self.form.kind, False)   # the list says which one
        left.addWidget(self.form)
        apply = QPushButton("Apply to the selected optimizer")
        apply.clicked.connect(self.apply_form)
        left.addWidget(apply)
        for widgets in ((QLabel("steps"), self.steps, self.bias),
                        (self.run_button, self.step_button, self.reset_button)):
            row = QHBoxLayout()
            for w in widgets:
                row.addWidget(w)
            left.addLayout(row)
        left.addWidget(self.fair_button)
        left.addWidget(self.status)
        left.addStretch(1)                      # spare height below, not inside the list
        controls = QWidget()
        controls.setLayout(left)
        # the column scrolls, not the plots: at 1280x720 in presentation mode it is taller
        # than the tab, and the whole tab scrolled, the loss plot below the fold
        return Scrolling(controls)

    # --- the surface ------------------------------------------------------------------------
    def make_surface(self, kind: str):
        if kind == "quadratic":
            self.condition.setVisible(True)
            return surface.quadratic(self.condition.value())
        self.condition.setVisible(False)
        if kind in surface.TEST_SURFACES:
            return surface.TEST_SURFACES[kind]()
        return real_data_model()

    def new_surface(self) -> None:
        kind = self.surface_kind.currentText()
        made = self.make_surface(kind)
        real = isinstance(made, landscapes.LinearModel)
        self.batch.setVisible(real)
        # a test function's bowl keeps its shape; a real model's view is stretched to the
        # race, where one step's mini-batch noise is a few hundredths of a unit
        self.plot.setAspectLocked(not real)
        self.model = made if real else None
        self.surface = made.as_surface() if real else made
        self.configs = starting_configs(self.surface, PRESETS)   # stable on this surface
        current = self.optimizers.currentItem()
        if current is not None:
            self._select(current.text())
        key = (kind, self.condition.value() if kind == "quadratic" else None)
        if key not in self._grids:           # a lesson goes back and forth between them
            self._grids = {**dict(list(self._grids.items())[-3:]),
                           key: self.surface.grid(GRID)}
        xs, ys, z = self._grids[key]
        self.plot.show_surface(xs, ys, z, log=self.surface.log_scale, title=self.surface.name,
                               fill=partial(self.surface.grid, GRID))
        self.start = tuple(self.surface.start)
        self.recompute()

    def set_start(self, x: float, y: float) -> None:
        """Start the race at (x, y) if it is in view (the heat map fills the whole view)."""
        (xmin, xmax), (ymin, ymax) = self.plot.getPlotItem().vb.viewRange()
        if xmin <= x <= xmax and ymin <= y <= ymax:
            self.start = (x, y)
            self.recompute()

    # --- optimizers -------------------------------------------------------------------------
    def _select(self, name: str) -> None:
        if name:
            self.form.set_values(name, self.configs[name])

    def apply_form(self) -> None:
        name = self.optimizers.currentItem().text()
        try:
            values = self.form.values()
            build(name, values)
        except ValueError as err:
            self.status.setText(f"Not applied — {err}")
            return
        self.configs[name] = values
        self.recompute()

    def chosen(self) -> dict:
        """{name: optimizer} for the ticked optimizers."""
        out = {}
        for i in range(self.optimizers.count()):
            item = self.optimizers.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out[item.text()] = build(item.text(), self.configs[item.text()])
        return out

    def surface_for(self, name: str):
        """SGD sees mini-batch gradients on a real model; every other optimizer the full one."""
        if self.model is not None and name == "SGD":
            return self.model.as_surface(batch=int(self.batch.value()), seed=1)
        return self.surface

    def recompute(self) -> None:
        """Race the ticked optimizers from the start point; show step 0 (Run animates)."""
        self.timer.stop()
        self.run_button.setText("Run")
        steps = self.steps.value()
        self.runs = {}
        for name, opt in self.chosen().items():
            self.runs.update(race(self.surface_for(name), {name: opt}, self.start,
                                           steps))
        self.shown = 0
        self.cards.set_runs(self.runs, COLORS)
        self.race.refit()
        self.drawn.show_racers(self.runs, self.start, steps, self.surface)
        self.show_step(0)

    def show_step(self, i: int) -> None:
        """Trajectories, loss curves and each optimizer's state up to step ``i``."""
        self.shown = i
        self.drawn.draw(self.runs, i)
        self.cards.show_step(i)
        diverged = [f"{n} at step {len(r.points) - 1}" for n, r in self.runs.items()
                    if len(r.points) < self.steps.value() + 1]
        text = f"step {i} of {self.steps.value()}"
        if diverged:
            text += "; diverged: " + ", ".join(diverged)
        self.status.setText(text)

    # --- animation and step mode --------------------------------------------------------------
    def toggle_run(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.run_button.setText("Run")
            return
        if self.shown >= self.steps.value():
            self.shown = 0
        # the animation follows the clock: a resumed run goes on from where it was
        self.started = self.clock() - self.shown / self.steps.value() * RACE_SECONDS
        self.timer.start(FRAME_MS)
        self.run_button.setText("Pause")

    def _frame(self) -> None:
        """Show the step the clock has reached; slow frames skip steps, never stretch time."""
        total = self.steps.value()
        due = min(total, int((self.clock() - self.started) / RACE_SECONDS * total))
        if due > self.shown:
            self.show_step(due)
        if due >= total:
            self.timer.stop()
            self.run_button.setText("Run")

    def step(self) -> None:
        self.timer.stop()
        self.run_button.setText("Run")
        self.show_step(min(self.shown + 1, self.steps.value()))

    def reset(self) -> None:
        self.timer.stop()
        self.run_button.setText("Run")
        self.show_step(0)

    def fair_comparison(self) -> None:
        """Give each ticked optimizer its best learning rate on this surface first."""
        tuned = []
        for name in self.chosen():
            values = dict(self.configs[name])

            def make(lr, name=name, values=values):
                return build(name, dict(values, lr=lr))

            lr = tune_lr(self.surface_for(name), make, self.start, self.steps.value())
            self.configs[name] = dict(values, lr=lr)
            tuned.append(f"{name} {lr:.3g}")
        self._select(self.optimizers.currentItem().text())
        self.recompute()
        self.status.setText("Tuned learning rates: " + ", ".join(tuned))

    # --- a saved session (bpviz.core.teaching.session_file) ---------------------------------------
    def state(self) -> dict:
        """The surface and step count (named controls), the ticked optimizers, their
        settings, the one being edited, the start and the step shown."""
        items = [self.optimizers.item(i) for i in range(self.optimizers.count())]
        return {"controls": read_controls(self, skip=[self.form]),
                "ticked": [item.text() for item in items if item.checkState() == Qt.CheckState.Checked],
                "selected": self.optimizers.currentItem().text(),
                "configs": {name: dict(values) for name, values in self.configs.items()},
                "start": [float(v) for v in self.start], "shown": self.shown}

    def set_state(self, state: dict) -> None:
        """Show what ``state()`` returned; ValueError naming what does not fit."""
        configs = state.get("configs", {})
        for name in [*state.get("ticked", []), *configs, state.get("selected", "Adam")]:
            if name not in PRESETS:
                raise ValueError(f"no optimizer {name!r} (optimizers: {', '.join(PRESETS)})")
        for name, values in configs.items():
            build(name, values)                  # a bad hyperparameter: ValueError naming it
        # controls first: a new surface gives every optimizer its own stable settings
        write_controls(self, state.get("controls", {}), skip=[self.form])
        self.configs.update({name: dict(values) for name, values in configs.items()})
        self.optimizers.blockSignals(True)       # one race at the end, not one per tick
        for item in self.optimizers.findItems("*", Qt.MatchFlag.MatchWildcard):
            if "ticked" in state:
                item.setCheckState(Qt.CheckState.Checked if item.text() in state["ticked"] else
                                   Qt.CheckState.Unchecked)
            if item.text() == state.get("selected"):
                self.optimizers.setCurrentItem(item)
        self.optimizers.blockSignals(False)
        self._select(self.optimizers.currentItem().text())
        self.start = tuple(state.get("start", self.start))
        self.recompute()
        self.show_step(min(state.get("shown", 0), self.steps.value()))

    # --- export ----------------------------------------------------------------------------
    def figure_widget(self) -> QWidget:
        return self

    def loss_columns(self) -> dict:
        """The loss per iteration as the plot shows it, up to the step shown."""
        columns = {"iteration": np.arange(self.shown + 1)}
        for name, run in self.runs.items():
            columns[f"{name} loss"] = run.losses[:self.shown + 1]
        return columns

    def csv_data(self) -> dict:
        columns = {}
        for name, run in self.runs.items():
            columns[f"{name} x"] = run.points[:, 0]
            columns[f"{name} y"] = run.points[:, 1]
            columns[f"{name} loss"] = run.losses
        return columns
