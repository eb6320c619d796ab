"""Optimizers racing in lockstep on a Surface (the steps come from bpviz.core.optimization.optim),
the
learning rates each preset starts with on a surface, and a fair comparison's tuning."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..optimization import optim
from .surface import Surface

# The state the lecture names, in its symbols: (torch's key, symbol, formula). The lecture's
# velocity is v = η·buf (θ ← θ − v), where torch keeps buf = μ·buf + g.
NAMED_STATE = (
    ("momentum_buffer", "v", "velocity: v = γ·v + η·g (η × torch's momentum_buffer); "
                             "Momentum steps θ ← θ − v, Nesterov θ ← θ − (γ·v + η·g)"),
    ("sum", "G = Σg²", "Adagrad: G = G + g², θ ← θ − η·g / (√G + ε) (torch: sum)"),
    ("square_avg", "s = E[g²]",
     "RMSprop: s = α·s + (1 − α)·g², θ ← θ − η·g / (√s + ε) (torch: square_avg)"),
    ("exp_avg", "m", "Adam: m = β₁·m + (1 − β₁)·g, from 0 (torch: exp_avg)"),
    ("exp_avg_sq", "v", "Adam: v = β₂·v + (1 − β₂)·g², from 0 (torch: exp_avg_sq)"),
    ("m_hat", "m̂", "Adam: m̂ = m / (1 − β₁ᵗ), bias-corrected"),
    ("v_hat", "v̂", "Adam: v̂ = v / (1 − β₂ᵗ), bias-corrected"),
)
GRADIENT = ("grad", "g", "the gradient the step used (a mini-batch's for SGD on real data)")


@dataclass
class Run:
    """One optimizer's trajectory: positions (steps+1, 2), losses and its states."""

    name: str
    points: np.ndarray
    losses: np.ndarray
    states: list
    lr: float = math.nan                  # the optimizer's learning rate η

    def state_at(self, i: int) -> dict:
        """The optimizer's state after step ``i`` (after its last step if the run stopped
        before): torch's keys, arrays of shape (2,), None where not made yet."""
        return self.states[min(i, len(self.states) - 1)]

    def moved(self, i: int) -> tuple[str, str, np.ndarray | None]:
        """(symbol, formula, value (2,)) of step ``i``'s move, Δθ = θᵢ − θᵢ₋₁ (None at step
        0); past a diverged run's end, its last step's."""
        k = min(i, len(self.points) - 1)
        return ("Δθ", "this step's move: θₜ − θₜ₋₁",
                self.points[k] - self.points[k - 1] if k > 0 else None)

    def named_state(self, i: int) -> list[tuple[str, str, np.ndarray | None]]:
        """(symbol, formula, value (2,)) of each quantity the lecture names that this
        optimizer keeps (NAMED_STATE), after step ``i``; plain gradient descent keeps none
        and shows its gradient g. A value is None before the optimizer has made it."""
        state = self.state_at(i)
        kept = {key for s in (self.states[0], self.states[-1]) for key, value in s.items()
                if value is not None}             # plain SGD holds a None momentum_buffer
        named = [entry for entry in NAMED_STATE if entry[0] in kept] or [GRADIENT]
        return [(symbol, formula, self._value(key, state.get(key)))
                for key, symbol, formula in named]

    def _value(self, key: str, value):
        if value is not None and key == "momentum_buffer":
            return self.lr * value                      # the lecture's v, not torch's buf
        return value

    def bias_correction(self, t: int) -> tuple[float, float]:
        """Adam's (m̂/m, v̂/v) at step ``t`` >= 1, read from its state: 1/(1 − β₁ᵗ) and
        1/(1 − β₂ᵗ), large in the first steps, where m and v, started at 0, are still
        shrunk toward 0. NaN where the run did not reach ``t`` or a moment is 0."""
        if not 1 <= t < len(self.states):
            return math.nan, math.nan
        state = self.states[t]
        v = state.get("max_exp_avg_sq", state["exp_avg_sq"])     # AMSGrad corrects the max
        return _ratio(state["m_hat"], state["exp_avg"]), _ratio(state["v_hat"], v)


def _ratio(corrected: np.ndarray, raw: np.ndarray) -> float:
    """|corrected| / |raw|: the one factor that scales every entry."""
    raw_norm = float(np.linalg.norm(raw))
    return float(np.linalg.norm(corrected)) / raw_norm if raw_norm > 0 else math.nan


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
        runs[name] = Run(name, np.array(points), np.array(losses), states,
                         lr=getattr(opt, "lr", math.nan))
    return runs


def starting_configs(surface: Surface, presets: dict, reference: str = "GD") -> dict:
    """{name: hyperparameters} of presets {name: (optim class, hyperparameters)} on this
    surface. Plain SGD's step is the learning rate times the gradient, so the SGD family's
    learning rates are scaled until the reference's is the surface's stable ``sgd_lr``
    (keeping their ratios); the adaptive optimizers divide by the gradient's scale already
    and keep theirs."""
    base = presets[reference][1]["lr"]
    configs = {}
    for name, (kind, values) in presets.items():
        configs[name] = dict(values)
        if kind is optim.SGD:
            configs[name]["lr"] = surface.sgd_lr * (values["lr"] / base)
    return configs


LR_GRID = tuple(10.0 ** np.arange(-4, 0.01, 0.25))    # 1e-4 ... 1, four a decade


def tune_lr(surface: Surface, make, start, steps: int, lrs=LR_GRID) -> float:
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
