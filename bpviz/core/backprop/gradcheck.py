"""Gradient checks: analytic gradients against central differences of the graph's loss.

Two checks, as in cs231n and torch.autograd.gradcheck:
- element-wise: (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for up to ``max_elements`` entries,
- random projection: the directional derivative along a random u against <dL/dx, u>,
  which covers every entry at the cost of two forward passes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import GraphError

EPS = 1e-5              # the step of the central differences (in float64)
# A gradient passes below this relative error beyond the noise floor: cs231n's threshold
# for objectives with kinks (ReLU, max-pool), which most networks here have.
TOLERANCE = 1e-4


def relative_error(a, b) -> np.ndarray:
    """|a - b| / max(|a| + |b|, tiny), element-wise."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)


def numerical_gradient(f, x: np.ndarray, indices, eps: float = 1e-6,
                       sides: bool = False):
    """Central differences of scalar ``f()`` w.r.t. the flat ``indices`` of ``x``.

    ``x`` is perturbed in place and restored; ``f`` reads it. With ``sides``, also return
    the forward and backward one-sided differences (they disagree at a kink)."""
    flat = x.reshape(-1)
    base = f() if sides else 0.0
    central, forward, backward = (np.empty(len(indices)) for _ in range(3))
    for k, i in enumerate(indices):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        central[k] = (up - down) / (2 * eps)
        forward[k], backward[k] = (up - base) / eps, (base - down) / eps
    return (central, forward, backward) if sides else central


@dataclass
class GradCheck:
    """The result of checking one gradient (a node's output or one of its parameters).

    Two kinds of entries are reported but not judged: those at a kink (ReLU at 0, a tie in
    a max-pool: the one-sided differences disagree, the function has no derivative there)
    and those below the noise floor of central differences (about 1e-16 |L| / eps: the
    vanishing gradients of a deep sigmoid chain are real but too small to measure so)."""

    name: str
    indices: np.ndarray              # flat indices checked element-wise
    analytic: np.ndarray             # dL/dx at those indices, from backward
    numeric: np.ndarray              # central differences at those indices
    projection: tuple[float, float]  # (<dL/dx, u>, directional difference along u)
    kinks: np.ndarray | None = None  # bool per entry: not differentiable there
    floor: float = 0.0               # absolute noise floor of the differences
    eps: float = EPS                 # the step of the differences

    @property
    def tiny(self) -> np.ndarray:
        return (np.abs(self.analytic) < self.floor) & (np.abs(self.numeric) < self.floor)

    @property
    def judged(self) -> np.ndarray:
        kinks = self.kinks if self.kinks is not None else np.zeros(len(self.indices), bool)
        return ~kinks & ~self.tiny

    @property
    def max_rel_error(self) -> float:
        """Largest relative disagreement over the judged entries, beyond the noise floor:
        max(0, |a - n| - floor) / (|a| + |n|). It is exactly 0 whenever every difference
        is within the floor, so a report shows ``raw_rel_error`` beside it."""
        keep = self.judged
        a, n = self.analytic[keep], self.numeric[keep]
        excess = np.maximum(np.abs(a - n) - self.floor, 0.0)
        errs = excess / np.maximum(np.abs(a) + np.abs(n), max(self.floor, 1e-300))
        return float(errs.max(initial=0.0))

    @property
    def raw_rel_error(self) -> float:
        """Largest plain relative error |a - n| / (|a| + |n|) over the judged entries."""
        keep = self.judged
        return float(relative_error(self.analytic[keep], self.numeric[keep]).max(initial=0.0))

    @property
    def max_abs_error(self) -> float:
        """Largest |a - n| over the judged entries (compare with ``floor``)."""
        keep = self.judged
        return float(np.abs(self.analytic[keep] - self.numeric[keep]).max(initial=0.0))

    @property
    def within_floor(self) -> bool:
        """Every judged difference is rounding noise: ``max_rel_error`` is then 0."""
        return self.max_abs_error <= self.floor

    @property
    def projection_skipped(self) -> str:
        """Why nothing was compared along the random direction ("" when it was)."""
        a, n = self.projection
        if math.isnan(a):
            return "it crosses a kink"
        if abs(a) < self.floor and abs(n) < self.floor:
            return "too small to measure"
        return ""

    @property
    def projection_checked(self) -> bool:
        return not self.projection_skipped

    @property
    def projection_rel_error(self) -> float:
        """Like ``max_rel_error`` for the random direction (0 when it was not compared)."""
        if not self.projection_checked:
            return 0.0
        a, n = self.projection
        return float(max(abs(a - n) - self.floor, 0.0) / max(abs(a) + abs(n), self.floor))

    @property
    def projection_raw_rel_error(self) -> float | None:
        """Plain relative error along the random direction; None when not compared."""
        return float(relative_error(*self.projection)) if self.projection_checked else None

    def passed(self, tol: float = TOLERANCE) -> bool:
        return self.max_rel_error <= tol and self.projection_rel_error <= tol


def unresolved(forward: np.ndarray, backward: np.ndarray, floor: float,
               ratio: float = 0.25) -> np.ndarray:
    """Entries where the one-sided differences disagree by more than ``ratio``: the loss
    has a kink there (ReLU at 0, a max-pool tie), or curvature swamps a tiny gradient.
    Either way central differences cannot judge the derivative. (A random direction moves
    every entry, so a few of thousands may cross a ReLU's kink: a smaller ratio there.)"""
    jump = np.abs(forward - backward)
    return (jump > 10 * floor) & (jump > ratio * np.maximum(np.abs(forward), np.abs(backward)))


def directional(f, x: np.ndarray, u: np.ndarray, eps: float, base: float,
                floor: float) -> tuple[float, bool]:
    """The central difference of scalar ``f()`` along ``u`` (``x`` perturbed in place and
    restored), and whether a kink lies on the way.

    The one-sided differences of a smooth loss differ by about eps * (u^T H u), which
    grows with |u| (a random direction over a million weights is long); a kink's jump
    does not shrink with the step. So a disagreement is a kink only if it survives a
    step ten times smaller."""
    original = x.copy()

    def sides(h: float) -> tuple[float, float, float]:
        x[...] = original + h * u
        up = f()
        x[...] = original - h * u
        down = f()
        x[...] = original
        return (up - down) / (2 * h), (up - base) / h, (base - down) / h

    central, forward, backward = sides(eps)
    if not unresolved(np.array([forward]), np.array([backward]), floor, ratio=1e-3)[0]:
        return central, False
    _, small_forward, small_backward = sides(eps / 10)
    return central, abs(small_forward - small_backward) > 0.5 * abs(forward - backward)


def check_node(graph, feeds: dict, nid: str, train: bool = False, eps: float = EPS,
               max_elements: int = 32, seed: int = 0) -> list[GradCheck]:
    """Check dL/d(output of ``nid``) and dL/d(each parameter of ``nid``).

    Runs float64 math as the graph is; random draws (dropout) are replayed identically
    for every evaluation. The graph is left with the values and gradients of ``feeds``."""
    rng = np.random.default_rng(seed)
    state = graph.rng.bit_generator.state
    graph.forward(feeds, train)
    graph.backward()
    value = graph.value(nid)
    if value.dtype.kind != "f":
        raise GraphError("holds integers (class labels): it has no gradient to check",
                         node=nid)
    base = float(graph.value(graph.loss_node()))
    targets = [("output", value.copy(), graph.grad(nid).copy())]
    targets += [(p, graph.param(nid, p), graph.param_grad(nid, p).copy())
                for p in graph.param_names(nid)]
    results = []
    for name, x, analytic in targets:
        def loss(x=x, name=name):
            graph.rng.bit_generator.state = state
            override = {nid: x} if name == "output" else None
            return float(graph.forward(feeds, train, override))

        count = min(max_elements, x.size)
        indices = np.sort(rng.choice(x.size, size=count, replace=False))
        numeric, forward, backward = numerical_gradient(loss, x, indices, eps, sides=True)
        # rounding in a forward pass is a few hundred ulps of the loss; over 2 eps:
        floor = 1000 * np.finfo(np.float64).eps * max(abs(base), 1.0) / eps
        kinks = unresolved(forward, backward, floor)
        u = rng.normal(size=x.shape)
        numeric_u, kink = directional(loss, x, u, eps, base, floor)
        projection = (float((analytic * u).sum()), numeric_u)
        if kink:
            projection = (math.nan, math.nan)
        results.append(GradCheck(name, indices, analytic.reshape(-1)[indices], numeric,
                                 projection, kinks, floor, eps))
    # leave the graph as it was after the unperturbed pass
    graph.rng.bit_generator.state = state
    graph.forward(feeds, train)
    graph.backward()
    return results
