"""Loss landscapes: the loss of a two-weight linear model over its whole weight plane, and
slices through the loss of a whole graph along two directions (Li et al. 2018).

The linear model's losses are the engine's own formulas (bpviz.core.ops.loss_formulas),
applied in place to a grid of weights at once."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..ops import loss_formulas as formulas
from .surface import Surface

# --- the loss surface of a two-weight linear model ----------------------------------------

# name: (loss, its slope); the classification losses take the margin m = t·s, the
# regression ones the residual s - t (regression on the labels +-1). Huber's also take delta
Formula = tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]
_ON_MARGIN: dict[str, Formula] = {
    "cross-entropy": (formulas.logistic, formulas.logistic_slope),
    "hinge": (formulas.hinge, formulas.hinge_slope)}
_ON_RESIDUAL: dict[str, Formula] = {
    "Huber": (formulas.huber, formulas.huber_slope),
    "L1": (formulas.absolute, formulas.absolute_slope),
    "L2": (formulas.squared, formulas.squared_slope)}
MODEL_LOSSES = (*_ON_MARGIN, *_ON_RESIDUAL)


def _chunk_loss(loss, points, t, w):
    """Mean loss over the points for each weight row of ``w`` (c, 2), in place: ``points``
    (2, n) signed by their labels give the margins w·z; with labels ``t``, w·x - t."""
    z = w @ points                                     # (c, n)
    if t is not None:
        np.subtract(z, t, out=z)
    return loss(z, out=z).mean(axis=1)


@dataclass
class LinearModel:
    """score = w1 x1 + w2 x2 on a 2-D dataset with labels t in {-1, +1} (classes 0/1 of
    the dataset): two weights, so its loss is a surface we can draw."""

    x: np.ndarray                   # (n, 2)
    t: np.ndarray                   # (n,), +-1
    loss: str = "cross-entropy"
    delta: float = 1.0

    @classmethod
    def from_dataset(cls, data, loss: str = "cross-entropy", delta: float = 1.0):
        keep = data.y < 2                              # the first two classes
        return cls(data.x[keep].astype(float), np.where(data.y[keep] == 1, 1.0, -1.0),
                   loss, delta)

    def on_margin(self) -> bool:
        return self.loss in _ON_MARGIN

    def formula(self) -> Formula:
        """(loss(z, out=None), slope(z)) of this model's loss, per point."""
        if self.on_margin():
            return _ON_MARGIN[self.loss]
        loss, slope = _ON_RESIDUAL[self.loss]
        if self.loss == "Huber":
            return partial(loss, delta=float(self.delta)), partial(slope, delta=float(self.delta))
        return loss, slope

    def surface_values(self, w1: np.ndarray, w2: np.ndarray, chunk: int = 256) -> np.ndarray:
        """Mean loss at every (w1, w2) pair of two same-shaped arrays.

        float32, in chunks that stay in cache, on two threads (numpy releases the GIL), with
        the losses applied in place: a 201x201 grid over 1,000 points takes tens of ms
        (np.logaddexp alone would take most of a second)."""
        w = np.stack([np.ravel(w1), np.ravel(w2)], axis=1).astype(np.float32)
        if self.on_margin():
            points, t = self.x * self.t[:, None], None
        else:
            points, t = self.x, self.t.astype(np.float32)
        kernel = partial(_chunk_loss, self.formula()[0], points.T.astype(np.float32), t)
        parts = [w[i:i + chunk] for i in range(0, len(w), chunk)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            out = np.concatenate(list(pool.map(kernel, parts)))
        return out.astype(np.float64).reshape(np.shape(w1))

    def _per_point(self, w, idx):
        """(inputs, labels, scores, the losses' argument z) on all points or on ``idx``."""
        x, t = (self.x, self.t) if idx is None else (self.x[idx], self.t[idx])
        s = x @ np.asarray(w, dtype=float)
        return x, t, s, (s * t if self.on_margin() else s - t)

    def value(self, w, idx=None) -> float:
        z = self._per_point(w, idx)[3]
        return float(self.formula()[0](z).mean())

    def gradient(self, w, idx=None) -> np.ndarray:
        """dL/dw on all points (GD) or on the mini-batch ``idx`` (SGD's noise)."""
        x, t, s, z = self._per_point(w, idx)
        ds = self.formula()[1](z) * (t if self.on_margin() else 1.0)      # dz/ds: t or 1
        return x.T @ ds / len(s)

    def as_surface(self, bounds=(-4, 4, -4, 4), batch: int | None = None,
                   seed: int = 0) -> Surface:
        """This model's loss as a Surface; with ``batch``, gradients come from random
        mini-batches of that size (the noise of SGD)."""
        rng = np.random.default_rng(seed)

        def grad(x, y):
            idx = None if batch is None else rng.choice(len(self.t), min(batch, len(self.t)),
                                                        replace=False)
            return tuple(self.gradient((x, y), idx))

        def f(a, b):
            a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
            return self.surface_values(a, b) if a.ndim else self.value((float(a), float(b)))

        name = f"linear model, {self.loss}" + (f", batch {batch}" if batch else "")
        return Surface(name, f, grad, bounds, (3.0, -3.0), [], log_scale=False, sgd_lr=0.5)

# --- slices through the loss of a whole graph (Li et al. 2018) ------------------------------


def filter_normalized_direction(graph, rng: np.random.Generator) -> dict:
    """A random direction in parameter space, each filter (a row of a Linear weight, an
    output channel of a Conv2d weight) scaled to the norm of the same filter of the weights;
    biases are left out (zero), as in Li et al., "Visualizing the loss landscape", 2018."""
    direction = {}
    for nid in graph.order:
        for p in graph.param_names(nid):
            w = graph.param(nid, p)
            if w.ndim < 2:
                direction[(nid, p)] = np.zeros_like(w)
                continue
            d = rng.normal(size=w.shape)
            axes = tuple(range(1, w.ndim))                 # one filter per output unit
            norm = lambda a, axes=axes: np.sqrt((a * a).sum(axis=axes, keepdims=True))  # noqa: E731
            d *= norm(w) / np.maximum(norm(d), 1e-12)
            direction[(nid, p)] = d.astype(w.dtype)
    return direction


def coordinate_direction(graph, key: tuple, index: int) -> dict:
    """The unit direction of one parameter entry: (node, param), flat index."""
    direction = {k: np.zeros_like(graph.param(*k)) for k in
                 ((nid, p) for nid in graph.order for p in graph.param_names(nid))}
    direction[key].reshape(-1)[index] = 1.0
    return direction


def graph_slice(graph, feeds: dict, d1: dict, d2: dict, alphas, betas, progress=None,
                cancelled=None) -> np.ndarray | None:
    """loss(theta + a d1 + b d2) over the grid alphas x betas (rows: betas).

    ``progress(done, total)`` is called after each row; ``cancelled()`` returning True stops
    the work (returns None). The graph's parameters are restored afterwards."""
    keys = list(d1)
    theta = {k: graph.param(*k).copy() for k in keys}
    out = np.full((len(betas), len(alphas)), np.nan)
    total = len(betas) * len(alphas)
    try:
        for i, b in enumerate(betas):
            for j, a in enumerate(alphas):
                for k in keys:
                    graph.param(*k)[...] = theta[k] + a * d1[k] + b * d2[k]
                out[i, j] = float(graph.forward(feeds, train=False))
            if progress is not None:
                progress((i + 1) * len(alphas), total)
            if cancelled is not None and cancelled():
                return None
    finally:
        for k in keys:
            graph.param(*k)[...] = theta[k]
    return out
