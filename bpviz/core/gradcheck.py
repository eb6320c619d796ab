"""Gradient checks: analytic gradients against central differences of the graph's loss.

Two checks, as in cs231n and torch.autograd.gradcheck:
- element-wise: (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for up to ``max_elements`` entries,
- random projection: the directional derivative along a random u against <dL/dx, u>,
  which covers every entry at the cost of two forward passes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GraphError


def relative_error(a, b) -> np.ndarray:
    """|a - b| / max(|a| + |b|, tiny), element-wise."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)


def numerical_gradient(f, x: np.ndarray, indices, eps: float = 1e-6) -> np.ndarray:
    """Central differences of scalar ``f()`` w.r.t. the flat ``indices`` of ``x``.

    ``x`` is perturbed in place and restored; ``f`` reads it."""
    flat = x.reshape(-1)
    out = np.empty(len(indices))
    for k, i in enumerate(indices):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out[k] = (up - down) / (2 * eps)
    return out


@dataclass
class GradCheck:
    """The result of checking one gradient (a node's output or one of its parameters)."""

    name: str
    indices: np.ndarray              # flat indices checked element-wise
    analytic: np.ndarray             # dL/dx at those indices, from backward
    numeric: np.ndarray              # central differences at those indices
    projection: tuple[float, float]  # (<dL/dx, u>, directional difference along u)

    @property
    def max_rel_error(self) -> float:
        """Largest |a - n| / (|a| + |n|), the denominator floored at 1e-6 of the largest
        gradient checked: entries that are almost zero carry only rounding noise."""
        a, n = np.abs(self.analytic), np.abs(self.numeric)
        floor = 1e-6 * max(a.max(initial=0.0), n.max(initial=0.0), 1e-300)
        errs = np.abs(self.analytic - self.numeric) / np.maximum(a + n, floor)
        return float(errs.max(initial=0.0))

    @property
    def projection_rel_error(self) -> float:
        return float(relative_error(*self.projection))

    def passed(self, tol: float = 1e-5) -> bool:
        return self.max_rel_error <= tol and self.projection_rel_error <= tol


def check_node(graph, feeds: dict, nid: str, train: bool = False, eps: float = 1e-6,
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
    targets = [("output", value.copy(), graph.grad(nid).copy())]
    targets += [(p, graph.param(nid, p), graph.param_grad(nid, p).copy())
                for p in graph.param_names(nid)]
    results = []
    for name, x, analytic in targets:
        def loss():
            graph.rng.bit_generator.state = state
            override = {nid: x} if name == "output" else None
            return float(graph.forward(feeds, train, override))

        count = min(max_elements, x.size)
        indices = np.sort(rng.choice(x.size, size=count, replace=False))
        numeric = numerical_gradient(loss, x, indices, eps)
        u = rng.normal(size=x.shape)
        original = x.copy()
        x[...] = original + eps * u
        up = loss()
        x[...] = original - eps * u
        down = loss()
        x[...] = original
        projection = (float((analytic * u).sum()), (up - down) / (2 * eps))
        results.append(GradCheck(name, indices, analytic.reshape(-1)[indices], numeric,
                                 projection))
    # leave the graph as it was after the unperturbed pass
    graph.rng.bit_generator.state = state
    graph.forward(feeds, train)
    graph.backward()
    return results
