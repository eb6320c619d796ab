"""The optimizer lab's ground: a function of two parameters with its gradient (Surface), and
the classic test functions for optimizers (a tunable bowl, Rosenbrock, Beale, a saddle,
Himmelblau, Rastrigin). Everything broadcasts over numpy grids."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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
