"""Classroom: what the class is looking at — the graph, the data and its batch, the stepper
and where it stands, the optimizer's settings and the trainer, and the user's own work set
aside while a lesson runs.

No Qt: the app's panels (stepper bar, data bar, Update & Train, Inspector, lesson strip)
are views of it — each builds from its state and follows its events — and lessons, sessions
and tests act on it. Its signals share one ``Gate``: ``with classroom.held():`` makes many
changes and announces each kind of change once, for the state they end in.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import numpy as np

from . import datasets as ds
from .classes import LectureContext, lecture_context
from .data_source import MAX_BATCH, DataSource, builtin, default_for
from .errors import DataError, GraphError, shown
from .events import Gate, Signal
from .graph import Graph
from .lessons import PHASES
from .optim import PRESETS, Optimizer, build
from .stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS, StepEvent, Stepper
from .trainer import Progress, Trainer, hold_out

MAX_STEPS = 100_000            # a guard: stepping to a node never loops for ever
DRAW_AHEAD = 2_000_000         # weights from which a graph's are drawn in the background


@dataclass(frozen=True)
class OptimizerSettings:
    """One of the lecture's optimizers (``kind``, a key of ``optim.PRESETS``) and the
    hyperparameters given (the preset's fill the rest). Checked when made: ValueError naming
    the field, e.g. a learning rate that is not a positive finite number."""

    kind: str = "SGD"
    values: dict = field(default_factory=dict)

    def __post_init__(self):
        optimizer = build(self.kind, self.values)        # ValueError naming the field
        lr = getattr(optimizer, "lr", None)
        if lr is not None and not lr > 0:
            raise ValueError(f"lr: the learning rate must be a positive number, got {shown(lr)}")

    def build(self) -> Optimizer:
        return build(self.kind, self.values)

    @property
    def all_values(self) -> dict:
        """Every hyperparameter, the preset's where none was given."""
        return {**PRESETS[self.kind][1], **self.values}


@dataclass
class Aside:
    """The user's own work, put aside while a lesson runs and given back when it ends."""
    graph: Graph
    graph_file: str | None = None
    modified: bool = False
    tab: str = "backprop"
    data: str = ""                 # the data source's name
    batch: int = 8
    sample: int = 0


@dataclass
class Snapshot:
    """The classroom at one moment, to come back to (a lesson's earlier step). Cheap: it
    refers to the graph, the data set and the parameter arrays (an optimizer step replaces
    them, never writes into them) and counts the steps taken."""
    graph: Graph
    params: tuple                  # Graph.param_state(): the arrays, shared
    rng: dict                      # the dropout draws' state where stepping starts
    data: DataSource
    train_mode: bool
    steps: int
    optimizer: OptimizerSettings
    trainer: Trainer | None
    trainer_states: dict | None
    trainer_steps: int
    trainer_history: tuple[int, int]      # lengths of its loss and held-out histories


class Classroom:
    def __init__(self, graph: Graph | None = None, jacobian_cap: int = INTERACTIVE_JACOBIAN_CAP,
                 jacobian_rows: int = INTERACTIVE_JACOBIAN_ROWS):
        self.gate = Gate()
        # (graph): another graph; views rebuild
        self.graph_replaced = Signal(self.gate)
        # (): another data set, batch size or draw (stepping starts again)
        self.data_changed = Signal(self.gate)
        # (sample): another sample of the same batch is shown
        self.sample_changed = Signal(self.gate)
        # (event or None): where the stepper stands changed (or the stepper was dropped)
        self.stepped = Signal(self.gate)
        # (reason): why the graph cannot be stepped changed ('' once it can)
        self.reason_changed = Signal(self.gate)
        # (settings): the optimizer or one of its hyperparameters changed
        self.optimizer_changed = Signal(self.gate)
        # (): a fresh optimizer state (or none): training views start empty
        self.trainer_reset = Signal(self.gate)
        # (): an optimizer step changed the weights
        self.params_changed = Signal(self.gate)
        # (text): something the user asked for could not be done (not held: said at once)
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
        self._drawing: threading.Thread | None = None
        self._closing = False
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
        with self.held():
            self.graph_replaced.emit(graph)
            self._use(default_for(graph), builtin(default_for(graph), graph), None)
        if graph.params_to_draw() >= DRAW_AHEAD:
            self._draw_ahead(graph)

    def _draw_ahead(self, graph: Graph) -> None:
        self.close()                           # one drawing thread at a time
        self._closing = False
        self._drawing = threading.Thread(
            target=graph.draw_params_ahead, name="bpviz-draw-params", kwargs={
                "stop": lambda: self._closing or self.graph is not graph})
        self._drawing.start()

    def close(self) -> None:
        """Stop the background work (at most one node's draw is finished first): the app
        calls it before it exits."""
        self._closing = True
        if self._drawing is not None:
            self._drawing.join()
            self._drawing = None

    def reopen(self) -> None:
        """The graph as if opened again (its weights unchanged since it was): fresh dropout
        draws, the data that fits it, no step taken — without reading it again."""
        self.graph.rng = np.random.default_rng(self.graph.seed)
        self.set_graph(self.graph)

    def _graph_edited(self, kind: str, _nid) -> None:
        if kind != "moved":                    # any edit but a move: shapes may differ
            with self.held():
                self._drop_stepper()
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
        if not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
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

    def _data_changed(self) -> None:
        with self.held():
            self.data_changed.emit()
            self._drop_stepper()
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
                self._drop_stepper()
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
        except (GraphError, DataError) as err:
            self._set_reason(str(err))
            return False
        self.after_update = False
        self._set_reason("")
        return True

    def _set_reason(self, reason: str) -> None:
        if reason != self.reason:
            self.reason = reason
            self.reason_changed.emit(reason)

    def _drop_stepper(self) -> None:
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
        if phase not in PHASES:
            raise ValueError(f"phase: expected one of {', '.join(PHASES)}, got {shown(phase)}")
        if node not in self.graph.nodes:
            raise GraphError(f"the graph has no node {node!r}")
        if not self.ensure_stepper():
            raise GraphError(self.reason or "the network cannot be stepped")
        if (phase, node) not in self.stepper.plan:
            raise GraphError(f"stepping never reached {node!r} in the {phase} pass")
        self._reach(self.stepper.plan.index((phase, node)) + 1, f"before {node!r}")
        return self.current

    def run_to_phase_end(self, phase: str) -> None:
        """To the end of the forward pass (or of the backward pass), as from the start."""
        if phase not in PHASES:
            raise ValueError(f"phase: expected one of {', '.join(PHASES)}, got {shown(phase)}")
        if not self.ensure_stepper():
            raise GraphError(self.reason or "the network cannot be stepped")
        ends = {"forward": len(self.stepper.forward_nodes), "backward": len(self.stepper.plan)}
        self._reach(ends[phase], f"at the end of the {phase} pass")

    def _reach(self, count: int, where: str) -> None:
        """``count`` steps from the start, announced once; GraphError if stepping stops
        short (``where`` says of what)."""
        self._move(lambda s: self._step_count(s, count))
        if self.steps_taken != count:
            raise GraphError(self.reason or f"stepping stopped {where}")

    def go_to_step(self, count: int) -> None:
        """``count`` steps from the start (fewer if stepping ends sooner), announced once:
        back from where it stands when it is further on."""
        if count == self.steps_taken:
            return
        if count == 0:
            self.reset_stepping()
            return
        self._move(lambda s: self._step_count(s, count))

    @staticmethod
    def _step_count(stepper: Stepper, count: int) -> None:
        while len(stepper.history) > count:
            stepper.back()
        for _ in range(min(count, MAX_STEPS)):
            if len(stepper.history) >= count or stepper.step() is None:
                break

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
                self._retune(settings.build())
            self.optimizer_changed.emit(settings)
        return settings

    def _retune(self, optimizer: Optimizer) -> None:
        """The trainer's optimizer with new hyperparameters, its state kept (quantities the
        new settings need and the old ones did not keep start as torch starts them)."""
        t = self.trainer
        t.optimizer = optimizer
        params = t._params()
        t.states = {k: {**optimizer.init(params[k]), **state} for k, state in t.states.items()}

    def ensure_trainer(self) -> bool:
        """A trainer for the graph and data; False (and ``message`` says why) if none can
        be made."""
        if self.trainer is not None and self.trainer.graph is self.graph:
            return True
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
            return False
        return True

    def _drop_trainer(self) -> None:
        if self.trainer is not None:
            self.trainer = None
            self.trainer_reset.emit()

    def apply_optimizer_step(self) -> dict | None:
        """One optimizer step on the current batch, with the stepper's gradients when its
        backward pass is done. Returns {(node, param): (before, after)}; None (``message``
        says why) when no step could be taken."""
        if not self.ensure_trainer():
            return None
        try:
            if not self.gradients_ready:
                self.graph.forward(self.feeds(), train=False)
                self.graph.backward()
            changes = self.trainer.apply_gradients()
        except (GraphError, DataError) as err:
            self.message.emit(f"Cannot update: {err}")
            return None
        self._params_changed()
        return changes

    def train(self, steps: int | None, seconds: float | None) -> Progress | None:
        """Train on random batches of the training part for ``steps`` steps or ``seconds``
        (whichever ends first; None: no limit). None (``message`` says why) when it cannot."""
        if not self.ensure_trainer():
            return None
        batches = self.trainer.random_batches(self.train_data, self.data.batch)
        try:
            progress = self.trainer.run(batches, steps, seconds)
        except GraphError as err:
            self.message.emit(f"Training stopped: {err}")
            return None
        finally:
            self._params_changed()
        return progress

    def _params_changed(self) -> None:
        self.params_version += 1
        with self.held():
            self._drop_stepper()
            self.after_update = True
            self.params_changed.emit()

    # --- coming back to a moment ---------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        g, t = self.graph, self.trainer
        rng = self.stepper.rng_start if self.stepper is not None else \
            g.rng.bit_generator.state
        return Snapshot(g, g.param_state(), rng, replace(self.data), self.train_mode,
                        self.steps_taken,
                        self.optimizer, t, None if t is None else dict(t.states),
                        0 if t is None else t.steps,
                        (0, 0) if t is None else (len(t.history), len(t.held_out_history)))

    def restore(self, shot: Snapshot) -> None:
        """Come back to ``shot``: its graph (and weights), data, stepping and optimizer,
        announced once."""
        with self.held():
            if shot.graph is not self.graph:
                self.set_graph(shot.graph)
            if not _same_params(self.graph.param_state(), shot.params):
                self.graph.set_param_state(shot.params)
                self._drop_stepper()
            d, want = self.data, shot.data
            if (d.dataset is not want.dataset or d.batch != want.batch
                    or d.batch_seed != want.batch_seed):
                self.data = replace(want)
                self._data_changed()
            elif d.sample != want.sample:
                self.set_sample(want.sample)
            self.set_train_mode(shot.train_mode)
            if self.optimizer != shot.optimizer:
                self.optimizer = shot.optimizer
                self.optimizer_changed.emit(shot.optimizer)
            t = self.trainer = shot.trainer
            if t is not None:
                t.optimizer = shot.optimizer.build()     # a rate typed since is not kept
                self.train_data, self.held_out = hold_out(self.data.dataset)
                t.states, t.steps = dict(shot.trainer_states), shot.trainer_steps
                del t.history[shot.trainer_history[0]:]
                del t.held_out_history[shot.trainer_history[1]:]
            self.trainer_reset.emit()
            if self.stepper is None:             # stepped again: the same dropout masks
                self.graph.rng.bit_generator.state = shot.rng
            self.go_to_step(shot.steps)


def _same_params(a: tuple, b: tuple) -> bool:
    """Two Graph.param_state()s hold the very same arrays."""
    (pa, ea), (pb, eb) = a, b
    return ea == eb and pa.keys() == pb.keys() and all(
        pa[nid].keys() == pb[nid].keys() and all(pa[nid][k] is pb[nid][k] for k in pa[nid])
        for nid in pa)
