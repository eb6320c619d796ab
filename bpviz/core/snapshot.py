"""Snapshot: the Classroom at one moment, to come back to (a lesson's step on Page Up).

Cheap to take: it refers to the graph, the data set and the parameter arrays (an optimizer
step replaces them, never writes into them), keeps the dropout draws' state where stepping
starts, and counts the steps taken. Coming back steps back (or again, drawing the same
masks) instead of storing what was computed."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .data.data_source import DataSource
from .network.graph import Graph, ParamState
from .optimization.optim import OptimizerSettings
from .optimization.trainer import Trainer, hold_out

if TYPE_CHECKING:
    from .classroom import Classroom


@dataclass
class Snapshot:
    graph: Graph
    edits: int                     # Graph.edits: the graph as it was then
    params: ParamState
    rng: Mapping[str, Any]         # the dropout draws' state where stepping starts
    data: DataSource
    train_mode: bool
    steps: int
    optimizer: OptimizerSettings
    trainer: Trainer | None
    trainer_mark: tuple | None     # Trainer.mark()


def take(c: Classroom) -> Snapshot:
    g, t = c.graph, c.trainer
    rng = c.stepper.rng_start if c.stepper is not None else g.rng.bit_generator.state
    return Snapshot(g, g.edits, g.param_state(), rng, replace(c.data), c.train_mode,
                    c.steps_taken,
                    c.optimizer, t, None if t is None else t.mark())


def still_fits(shot: Snapshot) -> bool:
    """The graph has not been edited since: its weights and steps still fit it."""
    return shot.graph.edits == shot.edits


def come_back(c: Classroom, shot: Snapshot) -> None:
    """Put ``shot``'s graph (and weights), data, stepping and optimizer back into ``c``,
    announced once. ValueError when the graph was edited since (``still_fits``)."""
    if not still_fits(shot):
        raise ValueError("the graph was edited since: its weights and steps no longer fit")
    with c.held():
        if shot.graph is not c.graph:
            c.set_graph(shot.graph)
        if not c.graph.param_state().same_as(shot.params):
            c.graph.set_param_state(shot.params)
            c.drop_stepper()
        d, want = c.data, shot.data
        if d.dataset is not want.dataset or (d.batch, d.batch_seed) != (want.batch,
                                                                         want.batch_seed):
            c.replace_data(want)
        elif d.sample != want.sample:
            c.set_sample(want.sample)
        c.set_train_mode(shot.train_mode)
        if c.optimizer != shot.optimizer:
            c.optimizer = shot.optimizer
            c.optimizer_changed.emit(shot.optimizer)
        c.trainer = shot.trainer
        if shot.trainer is not None and shot.trainer_mark is not None:     # taken together
            shot.trainer.rewind(shot.trainer_mark, shot.optimizer.build())
            c.train_data, c.held_out = hold_out(c.data.dataset)
        c.trainer_reset.emit()
        if c.stepper is not None and c.stepper.rng_start != shot.rng:
            c.drop_stepper()                # it drew other dropout masks
        if c.stepper is None:               # stepped again: the same dropout masks
            c.graph.rng.bit_generator.state = shot.rng
        c.go_to_step(shot.steps)
