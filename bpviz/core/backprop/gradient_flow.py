"""Gradient flow: how much gradient reaches each layer, for one batch and over training.

For each layer with weights (Linear, Conv2d), in forward order:

    weight  = mean |dL/dW|      over the layer's weight W
    input   = mean |dL/dx|      over the layer's input x (the batch included)

The sigmoid chain's first layer gets orders of magnitude less than its last (each sigmoid
multiplies by at most 1/4); a learning rate that is too large makes them grow from step to
step. ``FlowHistory`` keeps these figures at each optimizer step; ``histogram`` gives the
counts that per-layer histograms of weights, activations and gradients draw.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..display.notation import scientific
from ..errors import GraphError

WEIGHT, INPUT = "weight", "input"
# a training run's record (metrics.jsonl) holds the figures as {layer: value} under these
RECORD_KEYS = {WEIGHT: "grad_mean_w", INPUT: "grad_mean_x"}
HISTORY_LIMIT = 2000            # steps kept; older ones are thinned out, not dropped


@dataclass(frozen=True)
class LayerFlow:
    node: str
    weight: float               # mean |dL/dW|; nan where backward has not reached it yet
    input: float                # mean |dL/dx|; nan likewise
    reached: bool = True        # backward has computed this layer's gradients


def layers(graph) -> list[str]:
    """The nodes with a weight, in forward order."""
    return [nid for nid in graph.order if "weight" in graph.param_names(nid)]


def _mean_abs(array) -> float:
    return float(np.mean(np.abs(array))) if array is not None and np.size(array) else np.nan


def gradient_flow(graph) -> list[LayerFlow]:
    """Each layer's figures from the gradients the graph holds now (after ``backward``,
    or part-way through a stepped backward pass: layers not reached yet are nan). Empty
    when the graph holds no gradients."""
    if graph.grad_state() is None:
        return []
    reached = graph.grad_state()[2]               # {node: its parameters' gradients}
    flows = []
    for nid in layers(graph):
        if nid not in reached:
            flows.append(LayerFlow(nid, np.nan, np.nan, reached=False))
            continue
        source = graph.nodes[nid].inputs[0]
        flows.append(LayerFlow(nid, _mean_abs(graph.param_grad(nid, "weight")),
                               _mean_abs(graph.grad(source))))
    return flows


@dataclass
class FlowHistory:
    """The figures at each optimizer step: ``series(node, kind)`` for a curve per layer.
    Past ``limit`` steps every other point is dropped, so a long run keeps its whole span."""
    limit: int = HISTORY_LIMIT
    steps: list = field(default_factory=list)
    points: list = field(default_factory=list)      # {node: LayerFlow} per step

    def record(self, step: int, flows: list[LayerFlow]) -> None:
        """A step at or before the last one (a run resumed from an older checkpoint goes
        over its steps again) replaces those from it on: the curves never run backwards."""
        if not flows:
            return
        while self.steps and self.steps[-1] >= step:
            self.steps.pop()
            self.points.pop()
        self.steps.append(step)
        self.points.append({f.node: f for f in flows})
        if len(self.steps) > self.limit:
            self.steps, self.points = self.steps[::2], self.points[::2]

    def clear(self) -> None:
        self.steps.clear()
        self.points.clear()

    def nodes(self) -> list[str]:
        return list(self.points[-1]) if self.points else []

    def series(self, node: str, kind: str = WEIGHT) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one layer's ``weight`` or ``input`` figure."""
        pairs = [(s, getattr(p[node], kind)) for s, p in zip(self.steps, self.points, strict=True)
                 if node in p]
        if not pairs:
            return np.zeros(0), np.zeros(0)
        steps, values = zip(*pairs, strict=False)
        return np.asarray(steps, dtype=float), np.asarray(values, dtype=float)


def flows_from_record(record: dict) -> list[LayerFlow]:
    """The figures a training run logged (bpviz.train's FlowHooks) as LayerFlows, in the
    record's layer order; empty for a record without them (an evaluation, an older run).
    A figure that is missing or not a number is nan."""
    weights, inputs = (record.get(RECORD_KEYS[k]) for k in (WEIGHT, INPUT))
    if not isinstance(weights, dict) or not weights:
        return []
    inputs = inputs if isinstance(inputs, dict) else {}

    def number(value) -> float:
        return float(value) if isinstance(value, (int, float)) else np.nan
    return [LayerFlow(str(name), number(w), number(inputs.get(name)))
            for name, w in weights.items()]


def histogram(values, bins: int = 30, log_magnitude: bool = False):
    """(edges, counts) of the finite entries of ``values``; with ``log_magnitude`` of
    log10|v| over the nonzero entries (gradients span decades). Empty arrays when nothing
    is left to count."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if log_magnitude:
        v = np.log10(np.abs(v[v != 0]))
    if v.size == 0:
        return np.zeros(0), np.zeros(0, dtype=int)
    counts, edges = np.histogram(v, bins=bins)
    return edges, counts


def layer_arrays(graph, nid: str) -> dict[str, np.ndarray | None]:
    """What a layer's histograms show: its weights, its activations (output values) and
    its weight gradient (None where not computed yet)."""
    def safe(get):
        try:
            return get()
        except GraphError:       # no value or gradient yet
            return None
    return {"weights": graph.param(nid, "weight"),
            "activations": safe(lambda: graph.value(nid)),
            "gradients": safe(lambda: graph.param_grad(nid, "weight"))
            if graph.grad_state() is not None else None}


def decades_lost(flows: list[LayerFlow]) -> float | None:
    """How many powers of ten the first layer's mean |dL/dW| lies below the last one's
    (negative: above, an exploding gradient); None without two finite, nonzero figures."""
    values = [f.weight for f in flows if np.isfinite(f.weight) and f.weight > 0]
    if len(values) < 2 or len(values) < len(flows):
        return None
    return float(np.log10(values[-1] / values[0]))


def summary(flows: list[LayerFlow]) -> str:
    """One sentence on the flows for the view's heading."""
    if not flows:
        return ("Step a batch through backward (or press Update / Train) to see how much "
                "gradient reaches each layer.")
    if not all(f.reached for f in flows):
        return "Backward has not reached every layer yet."
    lost = decades_lost(flows)
    if lost is None:
        return ("Some gradients are zero or not finite (a loss that diverged gives inf or "
                "nan): lower the learning rate.")
    first, last = flows[0], flows[-1]
    figures = f"{first.node} gets {scientific(first.weight)}"
    if lost >= 2:
        return (f"Vanishing gradient: {figures}, {lost:.0f} powers of ten less than "
                f"{last.node} ({scientific(last.weight)}).")
    if lost <= -2:
        return (f"Exploding gradient: {figures}, {-lost:.0f} powers of ten more than "
                f"{last.node} ({scientific(last.weight)}).")
    return f"The gradient reaches every layer: {figures}, {last.node} {scientific(last.weight)}."


def log_points(x, values) -> tuple[np.ndarray, np.ndarray]:
    """(x, values) to plot on a log axis: zeros and non-finite values become nan (a gap);
    no points at all where none is left (a plot of nothing but gaps has no range)."""
    v = np.asarray(values, dtype=float)
    v = np.where(np.isfinite(v) & (v > 0), v, np.nan)
    if not np.isfinite(v).any():
        return np.zeros(0), np.zeros(0)
    return np.asarray(x, dtype=float), v
