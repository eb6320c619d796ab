"""Mini-batch training of a Graph with any optimizer of ``bpviz.core.optimization.optim``: one loop
for scripts (``fit``) and for the app's step-by-step and continuous training (``run``),
with the loss on held-out data and a stop when the loss diverges."""
from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, GraphError
from ..network.graph import Graph
from ..network.node import Node
from ..ops import REGISTRY
from .optim import Optimizer


def data_inputs(graph) -> tuple[str, str]:
    """(data Input, label Input) of a graph with exactly two Inputs: the label one is the
    int64 Input if there is one, else the second."""
    inputs = graph.inputs()
    if len(inputs) != 2:
        raise GraphError(f"feeding data needs one data Input and one label Input; the graph "
                         f"has {len(inputs)} Input(s)")
    ints = [i for i in inputs if graph.nodes[i].attrs.get("dtype") == "int64"]
    y = ints[0] if len(ints) == 1 else inputs[1]
    return next(i for i in inputs if i != y), y


def classifies(node: Node) -> str:
    """What the node's op classifies: "multiclass", "binary" or "" (see ``Op.classifies``)."""
    return getattr(REGISTRY.get(node.op), "classifies", "")


def binary_loss(graph) -> bool:
    """Whether the graph's loss wants labels t = -1 or +1 (the binary HingeLoss)."""
    return any(classifies(n) == "binary" for n in graph.nodes.values())


def class_count(graph) -> int | None:
    """How many classes the graph's classification loss scores (None without one)."""
    node = next((n for n in graph.nodes.values() if classifies(n) == "multiclass"), None)
    scores = node.inputs[0] if node is not None and node.inputs else None
    shape = graph.analyze().shapes.get(scores)
    if shape is None or len(shape) < 2 or not isinstance(shape[-1], int):
        return None                    # not connected, or scores of no class axis (N,)
    return shape[-1]


HELD_OUT = 0.2           # the fraction of the data that training is measured on


_SPLITS: dict = {}           # id(data) -> (weak data, fraction, seed, parts): the last few


def hold_out(data, fraction: float = HELD_OUT, seed: int = 0):
    """(training part, held-out part) of a Dataset; DataError if it cannot spare a sample.
    Kept for the last few data sets: a lesson's optimizer step on 224x224x3 images split
    them again each time (80 ms); nothing changes a Dataset's arrays."""
    if len(data) < 2:
        raise DataError("training needs at least 2 samples (one is held out)")
    kept = _SPLITS.get(id(data))
    if kept is not None and kept[0]() is data and kept[1:3] == (fraction, seed):
        return kept[3]
    parts = data.split(fraction, seed)
    while len(_SPLITS) >= 4:
        del _SPLITS[next(iter(_SPLITS))]
    _SPLITS[id(data)] = (weakref.ref(data), fraction, seed, parts)
    return parts


@dataclass
class Record:
    step: int
    epoch: int
    loss: float


@dataclass
class Progress:
    """What one ``Trainer.run`` did: the history points of its steps and, if the loss
    stopped being finite, why it stopped there ("" otherwise)."""

    records: list[Record]
    diverged: str = ""


@dataclass
class Trainer:
    """Feeds (x, y) batches to the graph's data and label Inputs and applies the optimizer.

    ``x_input`` / ``y_input`` default to the graph's only float Input and only other Input.
    """

    graph: Graph
    optimizer: Optimizer
    x_input: str = ""                 # "": the graph's data Input
    y_input: str = ""                 # "": its label Input
    seed: int = 0
    history: list = field(default_factory=list)
    held_out_history: list = field(default_factory=list)     # (step, held-out loss)

    def __post_init__(self):
        if not self.x_input or not self.y_input:
            x, y = data_inputs(self.graph)
            self.x_input, self.y_input = self.x_input or x, self.y_input or y
        self.keys = [(nid, p) for nid in self.graph.order for p in self.graph.param_names(nid)]
        self.states = self.optimizer.init_all(self._params())
        self.rng = np.random.default_rng(self.seed)
        self.steps = 0

    def _params(self) -> dict:
        return {k: self.graph.param(*k) for k in self.keys}

    def mark(self) -> tuple:
        """Where training stands, to ``rewind`` to: the optimizer's state, the step count
        and how long the histories are (states are replaced by each step, never changed)."""
        return dict(self.states), self.steps, len(self.history), len(self.held_out_history)

    def rewind(self, mark: tuple, optimizer: Optimizer) -> None:
        """Back to ``mark()``, with ``optimizer`` (a rate typed since is not kept)."""
        states, self.steps, losses, held_out = mark
        self.states, self.optimizer = dict(states), optimizer
        del self.history[losses:]
        del self.held_out_history[held_out:]

    def retune(self, optimizer: Optimizer) -> None:
        """Go on with ``optimizer`` (the same kind, other hyperparameters), its state kept
        as torch keeps a param_group's when its lr changes; what the new settings need and
        the old did not keep starts as torch starts it."""
        self.optimizer = optimizer
        params = self._params()
        self.states = {k: {**optimizer.init(params[k]), **state}
                       for k, state in self.states.items()}

    def feeds(self, x, y) -> dict:
        return {self.x_input: x, self.y_input: y}

    def train_step(self, x, y, epoch: int = 0) -> float:
        """One forward (train mode), backward and optimizer step; returns the batch loss."""
        loss = float(self.graph.forward(self.feeds(x, y), train=True))
        self.graph.backward()
        self.apply_gradients()
        self.history.append(Record(self.steps, epoch, loss))
        return loss

    def apply_gradients(self) -> dict:
        """One optimizer step with the gradients the graph holds now (from ``backward`` or a
        finished stepper). Returns {(node, param): (before, after)}."""
        grads = {k: self.graph.param_grad(*k) for k in self.keys}
        before = self._params()
        new, self.states = self.optimizer.step_all(before, grads, self.states)
        for (nid, p), w in new.items():
            self.graph.set_param(nid, p, w)
        self.steps += 1
        return {k: (before[k], new[k]) for k in self.keys}

    def run(self, batches, steps: int | None = None, seconds: float | None = None,
            callback=None) -> Progress:
        """Train on ``batches`` ((x, y, epoch) triples) until they run out, ``steps`` steps
        are done, ``seconds`` have passed, ``callback(record)`` returns False, or the loss
        is no longer finite (every later step would be NaN)."""
        start, batches = time.perf_counter(), iter(batches)
        records: list[Record] = []
        while ((steps is None or len(records) < steps)
               and (seconds is None or time.perf_counter() - start < seconds)):
            batch = next(batches, None)          # drawn only when a step will use it
            if batch is None:
                break
            loss = self.train_step(*batch)
            records.append(self.history[-1])
            if not math.isfinite(loss):
                return Progress(records, f"the loss became {loss} at step {self.steps}; "
                                         f"lower the learning rate")
            if callback is not None and callback(records[-1]) is False:
                break
        return Progress(records)

    def fit(self, data, epochs: int = 1, batch_size: int = 32, callback=None) -> list:
        """Train over ``data`` (a Dataset) for ``epochs``; ``callback(record)`` after each step
        may return False to stop early. Stops where the loss diverges."""
        self.run(((x, y, epoch) for epoch in range(epochs)
                  for x, y in data.batches(batch_size, self.rng)), callback=callback)
        return self.history

    def random_batches(self, data, batch_size: int):
        """Endless (x, y, 0) mini-batches of ``data``, each drawn at random without repeats:
        training that runs until it is stopped has no epochs."""
        size = min(batch_size, len(data))
        while True:
            idx = self.rng.choice(len(data), size, replace=False)
            yield data.x[idx], data.y[idx], 0

    @property
    def diverged(self) -> bool:
        """The last step's loss is not finite."""
        return bool(self.history) and not math.isfinite(self.history[-1].loss)

    def check_held_out(self, data) -> tuple[float, float | None]:
        """``evaluate(data)``, its loss kept in ``held_out_history`` at the current step."""
        loss, acc = self.evaluate(data)
        self.held_out_history.append((self.steps, loss))
        return loss, acc

    def loss_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, batch losses) of the history that a plot can draw: the finite ones."""
        steps = np.fromiter((r.step for r in self.history), float, len(self.history))
        losses = np.fromiter((r.loss for r in self.history), float, len(self.history))
        finite = np.isfinite(losses)
        return steps[finite], losses[finite]

    def held_out_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, losses) of ``held_out_history``."""
        pairs = np.array(self.held_out_history, dtype=float).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    def evaluate(self, data) -> tuple[float, float | None]:
        """(loss, accuracy) in eval mode; accuracy is None unless the loss classifies."""
        loss = float(self.graph.forward(self.feeds(data.x, data.y), train=False))
        return loss, self.accuracy(data.y)

    def classifier(self) -> Node | None:
        """The loss node that classifies: the loss itself, or (for a sum of losses such as
        cross-entropy + hinge) the first classification loss in the graph; None if none."""
        loss = self.graph.nodes[self.graph.loss_node()]
        if classifies(loss):
            return loss
        return next((n for n in self.graph.nodes.values() if classifies(n)), None)

    def predictions(self) -> np.ndarray | None:
        """Predicted classes of the last forward pass, from the scores fed to the loss."""
        node = self.classifier()
        predict = getattr(REGISTRY.get(node.op), "predict", None) if node else None
        if node is None or predict is None:
            return None
        return predict(self.graph.value(node.inputs[0]))

    def dummy_labels(self, n: int) -> np.ndarray:
        """Labels that any loss accepts, for evaluating the scores of unlabelled points:
        class 0, or +1 for a binary hinge (its labels are t = -1 or +1)."""
        node = self.graph.nodes[self.y_input]
        shape = (n,) + tuple(node.attrs.get("shape", ()))
        integers = node.attrs.get("dtype") == "int64"
        if integers and not binary_loss(self.graph):
            return np.zeros(shape, dtype=np.int64)
        return np.ones(shape, dtype=np.int64 if integers else float)

    def decision_map(self, bounds, resolution: int = 80):
        """The predicted class over a grid of 2-D inputs (TensorFlow Playground's picture).

        bounds: (xmin, xmax, ymin, ymax). Returns (classes, confidence), each
        (resolution, resolution) with rows along y; confidence is the top softmax
        probability for classifiers (None otherwise). Runs the graph in eval mode."""
        xmin, xmax, ymin, ymax = bounds
        xs = np.linspace(xmin, xmax, resolution)
        ys = np.linspace(ymin, ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        points = np.stack([gx.ravel(), gy.ravel()], axis=1)
        self.graph.forward(self.feeds(points, self.dummy_labels(len(points))), train=False)
        node, classes = self.classifier(), self.predictions()
        if node is None or classes is None:
            raise GraphError("the decision map needs a classification loss")
        scores = self.graph.value(node.inputs[0])
        confidence = None
        if scores.ndim == 2 and scores.shape[1] > 1:
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            confidence = (shifted.max(axis=1) / shifted.sum(axis=1)).reshape(gx.shape)
        return classes.reshape(gx.shape), confidence

    def accuracy(self, y) -> float | None:
        pred = self.predictions()
        if pred is None:
            return None
        return float((pred.reshape(np.shape(y)) == y).mean())
