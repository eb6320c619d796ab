"""The optimizer lab's ground: a function of two parameters with its gradient (Surface), and
the classic test functions for optimizers (a tunable bowl, Rosenbrock, Beale, a saddle,
Himmelblau, Rastrigin). Everything broadcasts over numpy grids. Shading says how a heat map
colours a surface, fixed once so that colours keep their meaning while the view pans."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Grid = np.ndarray | float       # a surface is evaluated on grids and at single points


@dataclass
class Surface:
    """A function of two parameters with its gradient, a view box and a start point."""

    name: str
    f: Callable[[Grid, Grid], Grid]                     # f(x, y) -> z, broadcasting
    grad: Callable[[Grid, Grid], tuple[Grid, Grid]]     # grad(x, y) -> (dz/dx, dz/dy)
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

    def grid(self, resolution: int = 201, bounds=None):
        """(xs, ys, z) over ``bounds`` (xmin, xmax, ymin, ymax), by default the surface's own
        box; z[i, j] = f(xs[j], ys[i]), ``resolution`` points per side."""
        xmin, xmax, ymin, ymax = self.bounds if bounds is None else bounds
        xs = np.linspace(xmin, xmax, resolution)
        ys = np.linspace(ymin, ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, self.f(gx, gy)


@dataclass(frozen=True)
class Shading:
    """What a heat map draws for z: z itself, or log10(z − floor + 1e-3) where a linear
    scale would hide the valleys; clipped to [low, high] (the colour bar's range), with the
    contour levels. Made once from the surface's own box, so that a view that pans or
    zooms out keeps the colours and contours it started with."""

    log: bool
    floor: float
    low: float
    high: float
    levels: np.ndarray

    @classmethod
    def of(cls, z: np.ndarray, log: bool, count: int = 12) -> Shading:
        """The shading of ``z`` (any shape): its range and ``count`` contour levels at
        evenly spaced quantiles (so valleys and ridges both get lines)."""
        finite = np.asarray(z, float)[np.isfinite(z)]
        if not finite.size:
            raise ValueError("the surface has no finite value to shade")
        floor = float(finite.min())
        shown = _transform(finite, log, floor)
        levels = np.unique(np.quantile(shown, np.linspace(0.03, 0.97, count)))
        return cls(log, floor, float(shown.min()), float(shown.max()), levels)

    def apply(self, z: np.ndarray) -> np.ndarray:
        """The shown values of ``z``; NaN (an overflow's inf − inf) takes the top colour."""
        z = np.asarray(z, float)
        shown = _transform(np.where(np.isnan(z), np.inf, z), self.log, self.floor)
        return np.clip(np.nan_to_num(shown, nan=self.high, posinf=self.high,
                                     neginf=self.low), self.low, self.high)


def _transform(z: np.ndarray, log: bool, floor: float) -> np.ndarray:
    if not log:
        return z
    with np.errstate(invalid="ignore"):       # inf − floor stays inf; clipped by the caller
        return np.log10(np.maximum(z - floor, 0.0) + 1e-3)


def race_view(bounds, start, points, pad: float = 0.08, reach: float = 1.0) -> tuple:
    """The view (xmin, xmax, ymin, ymax) that shows ``start`` and every one of ``points``
    (the minima and every step of the race) with ``pad`` of the span around them, leaving
    out points beyond ``reach`` spans outside ``bounds`` widened to the start (a diverging
    run's): zoomed to the race, so that a mini-batch's noise is seen, and never cutting
    off the start."""
    xmin, xmax, ymin, ymax = bounds
    sx, sy = xmax - xmin, ymax - ymin
    x0, y0 = float(start[0]), float(start[1])
    box = (min(xmin, x0) - reach * sx, max(xmax, x0) + reach * sx,
           min(ymin, y0) - reach * sy, max(ymax, y0) + reach * sy)
    p = np.asarray(points, float).reshape(-1, 2)
    with np.errstate(invalid="ignore"):
        near = ((box[0] <= p[:, 0]) & (p[:, 0] <= box[1])
                & (box[2] <= p[:, 1]) & (p[:, 1] <= box[3]))
    p = np.vstack([[x0, y0], p[near]])
    lo, hi = p.min(axis=0), p.max(axis=0)
    span = np.maximum(hi - lo, [0.1 * sx, 0.1 * sy])        # one point: a tenth of the box
    mid, half = (lo + hi) / 2, span * (0.5 + pad)
    return (mid[0] - half[0], mid[0] + half[0], mid[1] - half[1], mid[1] + half[1])


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
