"""Classroom: what the class is looking at — the graph, the data and its batch, the stepper
and where it stands, the optimizer's settings and the trainer, and the user's own work set
aside while a lesson runs.

No Qt: the app's panels (stepper bar, data bar, Update & Train, Inspector, lesson strip)
are views of it — each builds from its state and follows its events — and lessons, sessions
and tests act on it. Its signals share one ``Gate``: ``with classroom.held():`` makes many
changes and announces each kind of change once, for the state they end in.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .backprop.class_vectors import LectureContext, lecture_context
from .backprop.stepper import (
    INTERACTIVE_JACOBIAN_CAP,
    INTERACTIVE_JACOBIAN_ROWS,
    StepEvent,
    Stepper,
)
from .data import datasets as ds
from .data.data_source import MAX_BATCH, DataSource, builtin, default_for
from .errors import DataError, GraphError, shown
from .events import Background, Gate, Signal
from .network.graph import Graph
from .optimization.optim import OptimizerSettings
from .optimization.trainer import Progress, Trainer, hold_out
from .snapshot import Snapshot, come_back, take
from .teaching.lessons import PHASES
from .teaching.session_file import Aside

DRAW_AHEAD = 2_000_000         # weights from which a graph's are drawn in the background


class Classroom:
    """Its signals (their arguments), held together by ``held()``:

    graph_replaced (graph)     another graph: views rebuild
    data_changed ()            another data set, batch size or draw: stepping starts again
    sample_changed (sample)    another sample of the same batch is shown
    stepped (event or None)    where stepping stands changed (None: at the start, or dropped)
    reason_changed (text)      why the graph cannot be stepped ('' once it can)
    optimizer_changed (settings)  the optimizer or one of its hyperparameters changed
    trainer_reset ()           a fresh optimizer state (or a kept one back): training views
    params_changed ()          an optimizer step changed the weights
    message (text)             what could not be done, and why: said at once, never held
    """

    def __init__(self, graph: Graph | None = None, jacobian_cap: int = INTERACTIVE_JACOBIAN_CAP,
                 jacobian_rows: int = INTERACTIVE_JACOBIAN_ROWS):
        g = self.gate = Gate()
        self.graph_replaced, self.data_changed, self.sample_changed = Signal(g), Signal(g), \
            Signal(g)
        self.stepped, self.reason_changed = Signal(g), Signal(g)
        self.optimizer_changed, self.trainer_reset, self.params_changed = Signal(g), \
            Signal(g), Signal(g)
        self.message = Signal()
        self.jacobian_cap, self.jacobian_rows = jacobian_cap, jacobian_rows
        self.graph = Graph(name="untitled")
        self.data = DataSource()
        self.train_mode = False
        self.stepper: Stepper | None = None
        self.reason = ""               # why the graph cannot be stepped ('' if it can)
        self.after_update = False      # the weights changed since the stepper was dropped
        self.params_version = 0        # counts the optimizer steps and runs that changed them
        self.optimizer = OptimizerSettings()
        self.trainer: Trainer | None = None
        self.train_data: ds.Dataset | None = None
        self.held_out: ds.Dataset | None = None
        self.aside: Aside | None = None
        self.background = Background("bpviz-draw-params")    # a big graph's weights
        self.set_graph(graph if graph is not None else self.graph)

    def held(self):
        """``with classroom.held():`` — announce the changes made inside once, at the end."""
        return self.gate.hold()

    # --- the graph ---------------------------------------------------------------------------
    def set_graph(self, graph: Graph) -> None:
        """Show ``graph`` with the built-in data that fits it; a fresh stepper and optimizer
        state. A big graph's weights are drawn in the background meanwhile."""
        self.graph.changed.disconnect(self._graph_edited)
        self.graph = graph
        graph.changed.connect(self._graph_edited)
        source = default_for(graph)
        with self.held():
            self.graph_replaced.emit(graph)
            self._use(source, builtin(source, graph), None)
        if graph.params_to_draw() >= DRAW_AHEAD:
            self.background.start(graph.draw_params_ahead, lambda: self.graph is graph)

    def close(self) -> None:
        """Stop the background work: the app calls it before it exits."""
        self.background.stop()

    def reopen(self) -> None:
        """The graph as if opened again (its weights unchanged since), without reading it."""
        self.graph.rng = np.random.default_rng(self.graph.seed)
        self.set_graph(self.graph)

    def _graph_edited(self, kind: str, _nid) -> None:
        if kind != "moved":                    # any edit but a move: shapes may differ
            with self.held():
                self.drop_stepper()
                self._drop_trainer()

    # --- the data ----------------------------------------------------------------------------
    def use_builtin(self, name: str) -> None:
        """Choose the built-in data set ``name``, sized to the graph; ValueError listing the
        built-in sets when there is none of that name."""
        self._use(name, builtin(name, self.graph), None)

    def use_dataset(self, dataset: ds.Dataset, source: str, file: str | None) -> None:
        """Data read from ``file`` (a CSV file or an image folder, ``source`` says which)."""
        self._use(source, dataset, file)

    def _use(self, source: str, dataset: ds.Dataset, file: str | None) -> None:
        d = self.data
        d.source, d.dataset, d.file, d.batch_seed = source, dataset, file, 0
        d.sample = min(d.sample, d.samples - 1)
        self._data_changed()

    def set_batch(self, size: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
            raise ValueError(f"batch: expected a whole number from 1 to {MAX_BATCH:,}, "
                             f"got {shown(size)}")
        if size != self.data.batch:
            self.data.batch = size
            self.data.sample = min(self.data.sample, self.data.samples - 1)
            self._data_changed()

    def new_batch(self) -> None:
        """Draw another batch from the data."""
        self.set_batch_seed(self.data.batch_seed + 1)

    def set_batch_seed(self, seed: int) -> None:
        if seed != self.data.batch_seed:
            self.data.batch_seed = seed
            self._data_changed()

    def replace_data(self, data: DataSource) -> None:
        """Another data choice, batch and draw at once (a moment come back to)."""
        self.data = replace(data)
        self._data_changed()

    def _data_changed(self) -> None:
        with self.held():
            self.data_changed.emit()
            self.drop_stepper()
            self._drop_trainer()

    def set_sample(self, sample: int) -> None:
        """Show ``sample`` of the batch; ValueError naming the samples there are."""
        last = self.data.samples - 1
        if not isinstance(sample, int) or isinstance(sample, bool) or not 0 <= sample <= last:
            raise ValueError(f"sample {shown(sample)} is not in the batch (samples 0 to {last})")
        if sample == self.data.sample:
            return
        self.data.sample = sample
        if self.stepper is not None:
            self.stepper.sample = sample
        self.sample_changed.emit(sample)

    def set_train_mode(self, on: bool) -> None:
        """Step as in training (dropout draws a mask) or in evaluation."""
        if bool(on) != self.train_mode:
            self.train_mode = bool(on)
            with self.held():
                self.drop_stepper()
                self.stepped.emit(self.current)

    def problem(self) -> str:
        """Why the data cannot feed the graph ('' when it can)."""
        return self.data.problem(self.graph)

    def feeds(self) -> dict:
        """{data Input: x, label Input: y} for the current batch; DataError if unusable."""
        return self.data.feeds(self.graph)

    def lecture_context(self) -> LectureContext:
        """Class names, the data Input's image shape and the per-class nodes, for the
        Inspector's images and class labels."""
        labels = self.data.dataset.y[self.data.batch_index()] if self.data.dataset else ()
        return lecture_context(self.graph, self.data.dataset, labels)

    # --- stepping ----------------------------------------------------------------------------
    @property
    def current(self) -> StepEvent | None:
        """The latest step's event (None before the first step)."""
        if self.stepper is None or not self.stepper.history:
            return None
        return self.stepper.history[-1]

    @property
    def steps_taken(self) -> int:
        return len(self.stepper.history) if self.stepper is not None else 0

    @property
    def gradients_ready(self) -> bool:
        """The graph holds the gradients of the current batch (the backward pass is done)."""
        return self.stepper is not None and self.stepper.done

    @property
    def position(self) -> str:
        """Where stepping stands, as the stepper bar says it."""
        if self.reason:
            return "cannot step"
        if self.stepper is None:
            return "update" if self.after_update else "ready: press Space"
        return self.stepper.position

    def ensure_stepper(self) -> bool:
        """A stepper for the current graph and batch; False (and ``reason`` says why) when
        the graph cannot be stepped."""
        if self.stepper is not None:
            return True
        try:
            self.stepper = Stepper(self.graph, self.feeds(), train=self.train_mode,
                                   sample=self.data.sample, cap=self.jacobian_cap,
                                   max_rows=self.jacobian_rows)
        except ValueError as err:        # GraphError, DataError: a graph or data not ready
            self._set_reason(str(err))
            return False
        self.after_update = False
        self._set_reason("")
        return True

    def _set_reason(self, reason: str) -> None:
        if reason != self.reason:
            self.reason = reason
            self.reason_changed.emit(reason)

    def drop_stepper(self) -> None:
        """The stepper is stale (the weights, data or graph changed): stepping restarts."""
        if self.stepper is not None:
            self.stepper = None
            self.stepped.emit(None)
        if self.reason:                        # does the change mend it? ask again
            self.ensure_stepper()

    def _move(self, action) -> StepEvent | None:
        """Run ``action(stepper)`` and announce where stepping ends, once; on a failure
        ``reason`` says why and ``message`` tells it."""
        with self.held():
            if not self.ensure_stepper():
                self.message.emit(f"Cannot step: {self.reason}")
                return None
            try:
                action(self.stepper)
            except (GraphError, DataError) as err:   # e.g. a target out of range
                self._set_reason(str(err))
                self.message.emit(f"Cannot step: {err}")
                self.stepped.emit(self.current)
                return None
            self._set_reason("")
            self.stepped.emit(self.current)
        return self.current

    def step(self) -> StepEvent | None:
        return self._move(lambda s: s.step())

    def back(self) -> StepEvent | None:
        return self._move(lambda s: s.back())

    def run_phase(self) -> StepEvent | None:
        return self._move(lambda s: s.run_phase())

    def reset_stepping(self) -> None:
        """Back to the start of the forward pass (the stepper is kept)."""
        if self.stepper is not None:
            self.stepper.reset()
        self.stepped.emit(None)

    def step_to(self, node: str, phase: str) -> StepEvent:
        """Step (on from where stepping stands, or back) until ``node`` is the current step
        of ``phase``: what stepping from the start would show, announced once. ValueError
        (GraphError) when the graph has no such node or cannot be stepped there."""
        if node not in self.graph.nodes:
            raise GraphError(f"the graph has no node {node!r}")
        return self._reach(lambda s: s.count_to(node, _phase(phase)), f"before {node!r}")

    def run_to_phase_end(self, phase: str) -> None:
        """To the end of the forward pass (or of the backward pass), as from the start."""
        self._reach(lambda s: s.count_to_end(_phase(phase)), f"at the end of the {phase} pass")

    def _reach(self, count_of, where: str) -> StepEvent:
        """``count_of(stepper)`` steps from the start, announced once; GraphError if
        stepping cannot get there (``where`` says short of what)."""
        if not self.ensure_stepper():
            raise GraphError(self.reason or "the network cannot be stepped")
        count = count_of(self.stepper)
        self._move(lambda s: s.go_to(count))
        if self.steps_taken != count or self.current is None:
            raise GraphError(self.reason or f"stepping stopped {where}")
        return self.current

    def go_to_step(self, count: int) -> None:
        """``count`` steps from the start (fewer if stepping ends sooner), announced once:
        back from where it stands when it is further on."""
        if count == self.steps_taken:
            return
        if count == 0:
            self.reset_stepping()
            return
        self._move(lambda s: s.go_to(count))

    # --- the optimizer and training ----------------------------------------------------------
    def set_optimizer(self, kind: str, values: dict | None = None) -> OptimizerSettings:
        """Use optimizer ``kind`` with ``values``; ValueError naming the field, and nothing
        changes, when they are not valid. Another kind starts a fresh optimizer state; other
        hyperparameters of the same kind take effect at the next step and keep the state, as
        torch keeps it when a param_group's lr changes."""
        settings = OptimizerSettings(kind, dict(values or {}))
        if settings == self.optimizer:
            return settings
        fresh = settings.kind != self.optimizer.kind
        self.optimizer = settings
        with self.held():
            if fresh:
                self._drop_trainer()
            elif self.trainer is not None:
                self.trainer.retune(settings.build())
            self.optimizer_changed.emit(settings)
        return settings

    def ensure_trainer(self) -> Trainer | None:
        """The trainer for the graph and data, made if need be; None (and ``message`` says
        why) if none can be made."""
        if self.trainer is not None and self.trainer.graph is self.graph:
            return self.trainer
        try:
            problem = self.problem()
            if problem:
                raise DataError(problem)
            self.graph.loss_node()                 # GraphError without a single loss
            self.train_data, self.held_out = hold_out(self.data.dataset)
            self.trainer = Trainer(self.graph, self.optimizer.build())
        except (ValueError, GraphError, DataError) as err:
            self.message.emit(f"Cannot train: {err}")
            self.trainer = None
        return self.trainer

    def _drop_trainer(self) -> None:
        if self.trainer is not None:
            self.trainer = None
            self.trainer_reset.emit()

    def apply_optimizer_step(self) -> dict | None:
        """One optimizer step on the current batch, with the stepper's gradients when its
        backward pass is done. Returns {(node, param): (before, after)}; None (``message``
        says why) when no step could be taken."""
        if (trainer := self.ensure_trainer()) is None:
            return None
        ran = not self.gradients_ready
        try:
            if ran:
                self.graph.forward(self.feeds(), train=False)
                self.graph.backward()
            changes = trainer.apply_gradients()
        except (GraphError, DataError) as err:
            self.message.emit(f"Cannot update: {err}")
            if ran:                        # the graph's values are not the stepper's now
                self.drop_stepper()
            return None
        self._params_changed()
        return changes

    def train(self, steps: int | None, seconds: float | None) -> Progress | None:
        """Train on random batches of the training part for ``steps`` steps or ``seconds``
        (whichever ends first; None: no limit). None (``message`` says why) when it cannot."""
        if (trainer := self.ensure_trainer()) is None:
            return None
        batches, done = trainer.random_batches(self.train_data, self.data.batch), trainer.steps
        try:
            progress = trainer.run(batches, steps, seconds)
        except GraphError as err:
            self.message.emit(f"Training stopped: {err}")
            return None
        finally:    # a refused first step changed no weight, only the graph's values
            self._params_changed() if trainer.steps != done else self.drop_stepper()
        return progress

    def _params_changed(self) -> None:
        self.params_version += 1
        with self.held():
            self.drop_stepper()
            self.after_update = True
            self.params_changed.emit()

    # --- coming back to a moment ---------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """This moment, to come back to with ``restore`` (bpviz.core.snapshot)."""
        return take(self)

    def restore(self, shot: Snapshot) -> None:
        come_back(self, shot)


def _phase(phase: str) -> str:
    if phase not in PHASES:
        raise ValueError(f"phase: expected one of {', '.join(PHASES)}, got {shown(phase)}")
    return phase
