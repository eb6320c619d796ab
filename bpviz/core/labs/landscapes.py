"""Loss curves, loss surfaces and test functions for the loss and optimizer labs.

Everything here is vectorised numpy over grids, and the curves reuse the engine's own loss
ops (so the lab shows exactly what the graph computes).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .ops import REGISTRY

# --- 1-D loss curves ---------------------------------------------------------------------


def curve(op: str, x: np.ndarray, **attrs) -> tuple[np.ndarray, np.ndarray]:
    """(loss, dloss/dx) of an engine loss op at each x, element by element.

    Regression losses take x as the residual (input - target); HingeLoss takes x as the
    margin t·y (target +1); the others are defined below for the classification plots."""
    x = np.asarray(x, dtype=float)
    target = np.ones_like(x) if op == "HingeLoss" else np.zeros_like(x)
    loss_op = REGISTRY[op](reduction="none", **attrs)
    value = loss_op.forward(x, target)
    grad = loss_op.backward(np.ones_like(x))[0][0]
    return value, grad


def logistic_curve(margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary cross-entropy as a function of the margin m = t·y: log(1 + e^-m), computed by
    the engine's CrossEntropyLoss on the two logits (0, m) with the true class 1."""
    m = np.asarray(margin, dtype=float)
    logits = np.stack([np.zeros_like(m), m], axis=1)
    ce = REGISTRY["CrossEntropyLoss"](reduction="none")
    value = ce.forward(logits, np.ones(len(m), dtype=np.int64))
    dlogits = ce.backward(np.ones(len(m)))[0][0]
    return value, dlogits[:, 1]


def squared_hinge_curve(margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """max(0, 1 - m)^2 and its derivative -2 max(0, 1 - m)."""
    gap = np.maximum(0.0, 1.0 - np.asarray(margin, dtype=float))
    return gap ** 2, -2 * gap


def multiclass(logits, target: int, margin: float = 1.0) -> dict:
    """Softmax probabilities, cross-entropy and multiclass hinge of one logit vector, with
    each loss's gradient per class (from the engine's ops)."""
    y = np.asarray(logits, dtype=float)[None, :]
    t = np.array([target])
    ce = REGISTRY["CrossEntropyLoss"]()
    ce_value = float(ce.forward(y, t))
    ce_grad = ce.backward(np.array(1.0))[0][0][0]
    hinge = REGISTRY["MultiMarginLoss"](margin=margin)
    hinge_value = float(hinge.forward(y, t))
    hinge_grad = hinge.backward(np.array(1.0))[0][0][0]
    return {"probabilities": ce.cache["p"][0], "ce": ce_value, "ce_grad": ce_grad,
            "hinge": hinge_value, "hinge_grad": hinge_grad}


# --- 2-D test functions for the optimizer lab -------------------------------------------


@dataclass
class Surface:
    """A function of two parameters with its gradient, a view box and a start point."""

    name: str
    f: object                       # f(x, y) -> z, broadcasting over arrays
    grad: object                    # grad(x, y) -> (dz/dx, dz/dy)
    bounds: tuple                   # (xmin, xmax, ymin, ymax)
    start: tuple
    minima: list = field(default_factory=list)
    log_scale: bool = True          # colour by log(z - min): valleys stay visible
    sgd_lr: float = 0.1             # a learning rate at which plain gradient descent is stable

    def value(self, w) -> float:
        return float(self.f(w[0], w[1]))

    def gradient(self, w) -> np.ndarray:
        gx, gy = self.grad(w[0], w[1])
        return np.array([gx, gy], dtype=float)

    def grid(self, resolution: int = 201):
        xmin, xmax, ymin, ymax = self.bounds
        xs = np.linspace(xmin, xmax, resolution)
        ys = np.linspace(ymin, ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, self.f(gx, gy)


def quadratic(condition: float = 10.0) -> Surface:
    """0.5 (x^2 + k y^2): an ill-conditioned bowl; k is the condition number."""
    k = float(condition)
    return Surface(f"quadratic (condition {k:g})", lambda x, y: 0.5 * (x * x + k * y * y),
                   lambda x, y: (x, k * y), (-3, 3, -2, 2), (-2.5, 1.5), [(0, 0)],
                   sgd_lr=min(0.1, 1.0 / k))


def rosenbrock() -> Surface:
    return Surface("Rosenbrock", lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
                   lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
                   (-2, 2, -1, 3), (-1.5, 2.0), [(1, 1)], sgd_lr=1e-3)


def beale() -> Surface:
    def f(x, y):
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2
                + (2.625 - x + x * y ** 3) ** 2)

    def g(x, y):
        a, b, c = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3
        return (2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
                2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y * y)

    return Surface("Beale", f, g, (-4.5, 4.5, -4.5, 4.5), (1.0, 1.5), [(3, 0.5)], sgd_lr=1e-3)


def saddle() -> Surface:
    return Surface("saddle x² − y²", lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y),
                   (-2, 2, -2, 2), (-1.5, 0.001), [], log_scale=False)


def himmelblau() -> Surface:
    return Surface("Himmelblau", lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
                   lambda x, y: (4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
                                 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)),
                   (-5, 5, -5, 5), (0.0, -0.5),
                   [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
                   sgd_lr=0.01)


def rastrigin() -> Surface:
    def f(x, y):
        return 20 + x * x - 10 * np.cos(2 * np.pi * x) + y * y - 10 * np.cos(2 * np.pi * y)

    return Surface("Rastrigin", f,
                   lambda x, y: (2 * x + 20 * np.pi * np.sin(2 * np.pi * x),
                                 2 * y + 20 * np.pi * np.sin(2 * np.pi * y)),
                   (-5.12, 5.12, -5.12, 5.12), (3.2, 2.6), [(0, 0)], sgd_lr=2e-3)


TEST_SURFACES = {"quadratic": quadratic, "Rosenbrock": rosenbrock, "Beale": beale,
                 "saddle": saddle, "Himmelblau": himmelblau, "Rastrigin": rastrigin}


# --- the loss surface of a two-weight linear model ----------------------------------------

MODEL_LOSSES = ("cross-entropy", "hinge", "Huber", "L1", "L2")


def _margin_loss(loss: str, m: np.ndarray, s: np.ndarray, t: np.ndarray, delta: float):
    """Per-sample loss (and its derivative w.r.t. the score s) for labels t in {-1, +1}."""
    if loss == "cross-entropy":                        # log(1 + e^-m), stably
        value = np.logaddexp(0, -m)
        ds = -t / (1 + np.exp(np.clip(m, -50, 50)))
    elif loss == "hinge":
        value = np.maximum(0, 1 - m)
        ds = np.where(m < 1, -t, 0.0)
    else:
        r = s - t                                      # regression on the labels +-1
        a = np.abs(r)
        if loss == "L2":
            value, ds = r * r, 2 * r
        elif loss == "L1":
            value, ds = a, np.sign(r)
        else:
            value = np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))
            ds = np.where(a <= delta, r, delta * np.sign(r))
    return value, ds


def _chunk_loss(loss, signed, plain, t, delta, w):
    """Mean loss over the points for each weight row of ``w`` (c, 2), in place."""
    if loss in ("cross-entropy", "hinge"):
        m = w @ signed                                 # (c, n) margins t * s
        if loss == "hinge":
            np.subtract(1, m, out=m)
            np.maximum(m, 0, out=m)
            return m.mean(axis=1)
        a = np.abs(m)                                  # log(1 + e^-m) =
        np.negative(a, out=a)                          #   log(1 + e^-|m|) + max(-m, 0)
        np.exp(a, out=a)
        np.log1p(a, out=a)
        np.minimum(m, 0, out=m)
        np.subtract(a, m, out=a)
        return a.mean(axis=1)
    r = w @ plain                                      # (c, n) scores, then residuals
    np.subtract(r, t, out=r)
    if loss == "L2":
        np.multiply(r, r, out=r)
        return r.mean(axis=1)
    np.abs(r, out=r)
    if loss == "L1":
        return r.mean(axis=1)
    quad = np.minimum(r, delta)                        # Huber: 0.5 q^2 + delta (|r| - q)
    np.subtract(r, quad, out=r)
    np.multiply(r, delta, out=r)
    np.multiply(quad, quad, out=quad)
    np.multiply(quad, 0.5, out=quad)
    np.add(r, quad, out=r)
    return r.mean(axis=1)


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

    def surface_values(self, w1: np.ndarray, w2: np.ndarray, chunk: int = 256) -> np.ndarray:
        """Mean loss at every (w1, w2) pair of two same-shaped arrays.

        float32, in chunks that stay in cache, on two threads (numpy releases the GIL), with
        the losses written as in-place ufuncs: a 201x201 grid over 1,000 points takes tens
        of ms (np.logaddexp alone would take most of a second)."""
        w = np.stack([np.ravel(w1), np.ravel(w2)], axis=1).astype(np.float32)
        t = self.t.astype(np.float32)
        signed = (self.x * self.t[:, None]).T.astype(np.float32)       # margins m = w . z
        plain = self.x.T.astype(np.float32)                            # scores s = w . x
        kernel = partial(_chunk_loss, self.loss, signed, plain, t, np.float32(self.delta))
        parts = [w[i:i + chunk] for i in range(0, len(w), chunk)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            out = np.concatenate(list(pool.map(kernel, parts)))
        return out.astype(np.float64).reshape(np.shape(w1))

    def value(self, w, idx=None) -> float:
        x, t = (self.x, self.t) if idx is None else (self.x[idx], self.t[idx])
        s = x @ np.asarray(w, dtype=float)
        return float(_margin_loss(self.loss, s * t, s, t, self.delta)[0].mean())

    def gradient(self, w, idx=None) -> np.ndarray:
        """dL/dw on all points (GD) or on the mini-batch ``idx`` (SGD's noise)."""
        x, t = (self.x, self.t) if idx is None else (self.x[idx], self.t[idx])
        s = x @ np.asarray(w, dtype=float)
        _, ds = _margin_loss(self.loss, s * t, s, t, self.delta)
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
            norm = lambda a: np.sqrt((a * a).sum(axis=axes, keepdims=True))  # noqa: E731
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


# --- optimizers racing on a surface -----------------------------------------------------


@dataclass
class Run:
    """One optimizer's trajectory: positions (steps+1, 2), losses and its states."""

    name: str
    points: np.ndarray
    losses: np.ndarray
    states: list


def race(surface: Surface, optimizers: dict, start, steps: int) -> dict[str, Run]:
    """Run every optimizer {name: optim instance} from the same start for ``steps`` steps.
    A run that diverges (leaves the view box by a factor of 1000, or overflows) stops."""
    xmin, xmax, ymin, ymax = surface.bounds
    limit = 1000 * max(abs(xmin), abs(xmax), abs(ymin), abs(ymax))
    runs = {}
    for name, opt in optimizers.items():
        w = np.array(start, dtype=float)
        state = opt.init(w)
        points, losses, states = [w.copy()], [surface.value(w)], [state]
        for _ in range(steps):
            g = surface.gradient(w)
            w, state = opt.step(w, g, state)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > limit:
                break                                  # diverged: stop the trajectory
            points.append(w.copy())
            losses.append(surface.value(w))
            states.append(state)
        runs[name] = Run(name, np.array(points), np.array(losses), states)
    return runs


def tune_lr(surface: Surface, make, start, steps: int,
            lrs=tuple(10.0 ** np.arange(-4, 0.01, 0.25))) -> float:
    """The learning rate (from a log grid) giving ``make(lr)`` the lowest mean loss over
    the last quarter of a run: a fair comparison gives each optimizer its best lr."""
    best, best_lr = math.inf, lrs[0]
    for lr in lrs:
        run = race(surface, {"x": make(lr)}, start, steps)["x"]
        if len(run.losses) < steps + 1:                # diverged
            continue
        score = float(np.mean(run.losses[-max(1, steps // 4):]))
        if score < best:
            best, best_lr = score, lr
    return float(best_lr)
