"""Optimizers mirroring torch.optim (names, arguments, defaults, update order), functional:

    opt = optim.Adam(lr=0.01)
    state = opt.init(w)
    w, state = opt.step(w, g, state)

``state`` is a new dict each step holding every internal quantity under torch's names
(``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, ...) plus what the inspector shows:
``grad`` (the gradient after weight decay), ``update`` (w_new - w, the effective step) and,
for Adam, the bias-corrected ``m_hat`` and ``v_hat``. Arrays are never modified in place.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..errors import shown


class Optimizer:
    """Base: hyperparameters are dataclass fields; subclasses define ``_update``.

    Construction refuses, with a ValueError naming the field, what torch.optim refuses
    (negative rates, betas outside [0, 1), ...) and non-finite numbers, which would only
    fill the weights with NaN."""

    non_negative: ClassVar[tuple[str, ...]] = ("lr", "weight_decay")
    # every optimizer's fields include these; each subclass is a @dataclass, which sets
    # __dataclass_fields__ (declared so that a type checker lets ``fields(self)`` through)
    lr: float
    weight_decay: float
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field]]

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            for v in value if isinstance(value, (tuple, list)) else (value,):
                if not isinstance(v, bool) and not _finite(v):
                    raise ValueError(f"{f.name} must be a finite number, got {shown(v)}")
        for name in self.non_negative:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)!r} "
                                 f"(torch refuses it too)")

    def init(self, w: np.ndarray) -> dict:
        return {"step": 0}

    def step(self, w: np.ndarray, g: np.ndarray, state: dict) -> tuple[np.ndarray, dict]:
        t = state["step"] + 1
        g = g + self.weight_decay * w if self.weight_decay else g
        new = {"step": t, "grad": g}
        delta = self._update(w, g, state, new, t)
        new["update"] = delta
        return w + delta, new

    def init_all(self, params: dict) -> dict:
        return {k: self.init(w) for k, w in params.items()}

    def step_all(self, params: dict, grads: dict, states: dict) -> tuple[dict, dict]:
        """``step`` over dicts of parameters, e.g. {("fc", "weight"): W}."""
        out_w, out_s = {}, {}
        for key, w in params.items():
            out_w[key], out_s[key] = self.step(w, grads[key], states[key])
        return out_w, out_s

    def _update(self, w, g, old: dict, new: dict, t: int) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define _update")


@dataclass
class SGD(Optimizer):
    """w <- w - lr * g; with momentum: buf = momentum * buf + (1 - dampening) g.

    At a constant lr this is the lecture's v = gamma v + eta grad, theta = theta - v, with
    v = lr * buf."""

    lr: float = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    non_negative: ClassVar[tuple[str, ...]] = ("lr", "momentum", "weight_decay")

    def __post_init__(self):
        super().__post_init__()
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def init(self, w):
        return {"step": 0, "momentum_buffer": None}

    def _update(self, w, g, old, new, t):
        if self.momentum:
            buf = old["momentum_buffer"]
            buf = g if buf is None else self.momentum * buf + (1 - self.dampening) * g
            new["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return -self.lr * g


@dataclass
class Adagrad(Optimizer):
    """sum += g^2; w <- w - clr * g / (sqrt(sum) + eps), clr = lr / (1 + (t-1) lr_decay)."""

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10
    non_negative: ClassVar[tuple[str, ...]] = ("lr", "lr_decay", "weight_decay",
                                               "initial_accumulator_value", "eps")

    def init(self, w):
        return {"step": 0, "sum": np.full_like(w, self.initial_accumulator_value)}

    def _update(self, w, g, old, new, t):
        clr = self.lr / (1 + (t - 1) * self.lr_decay)
        total = old["sum"] + g * g
        new["sum"] = total
        new["lr"] = clr
        return -clr * g / (np.sqrt(total) + self.eps)


@dataclass
class RMSprop(Optimizer):
    """square_avg = alpha sa + (1 - alpha) g^2; w <- w - lr g / (sqrt(square_avg) + eps)."""

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False
    non_negative: ClassVar[tuple[str, ...]] = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def __post_init__(self):
        super().__post_init__()
        if self.alpha > 1:             # torch allows it, but 1 - alpha < 0 makes sqrt NaN
            raise ValueError(f"alpha must be at most 1, got {self.alpha!r}")

    def init(self, w):
        state = {"step": 0, "square_avg": np.zeros_like(w)}
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(w)
        if self.centered:
            state["grad_avg"] = np.zeros_like(w)
        return state

    def _update(self, w, g, old, new, t):
        sq = self.alpha * old["square_avg"] + (1 - self.alpha) * g * g
        new["square_avg"] = sq
        if self.centered:
            ga = self.alpha * old["grad_avg"] + (1 - self.alpha) * g
            new["grad_avg"] = ga
            sq = sq - ga * ga
        avg = np.sqrt(sq) + self.eps
        if self.momentum:
            buf = self.momentum * old["momentum_buffer"] + g / avg
            new["momentum_buffer"] = buf
            return -self.lr * buf
        return -self.lr * g / avg


@dataclass
class Adam(Optimizer):
    """m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, m_hat = m / (1-b1^t), v_hat = v / (1-b2^t),
    w <- w - lr m_hat / (sqrt(v_hat) + eps)   (the lecture's Adam, torch's defaults)."""

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    non_negative: ClassVar[tuple[str, ...]] = ("lr", "eps", "weight_decay")

    def __post_init__(self):
        super().__post_init__()
        betas = tuple(self.betas) if isinstance(self.betas, (tuple, list)) else (self.betas,)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r} "
                             f"(torch refuses others too)")

    def init(self, w):
        state = {"step": 0, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(w)
        return state

    def _update(self, w, g, old, new, t):
        b1, b2 = self.betas
        m = b1 * old["exp_avg"] + (1 - b1) * g
        v = b2 * old["exp_avg_sq"] + (1 - b2) * g * g
        new["exp_avg"], new["exp_avg_sq"] = m, v
        if self.amsgrad:
            v = np.maximum(old["max_exp_avg_sq"], v)
            new["max_exp_avg_sq"] = v
        new["m_hat"] = m / (1 - b1 ** t)
        new["v_hat"] = v / (1 - b2 ** t)
        return -self.lr * new["m_hat"] / (np.sqrt(new["v_hat"]) + self.eps)


OPTIMIZERS = {cls.__name__: cls for cls in (SGD, Adagrad, RMSprop, Adam)}

# the optimizers of the lecture, as presets of the classes above
PRESETS = {
    "GD": (SGD, {"lr": 0.1}),
    "SGD": (SGD, {"lr": 0.1}),
    "Momentum": (SGD, {"lr": 0.05, "momentum": 0.9}),
    "Nesterov": (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "Adagrad": (Adagrad, {"lr": 0.1}),
    "RMSprop": (RMSprop, {"lr": 0.01}),
    "Adam": (Adam, {"lr": 0.01}),
}


def build(kind: str, values: dict) -> Optimizer:
    """An optimizer of preset ``kind`` with hyperparameters ``values`` (the preset's fill the
    rest); ValueError naming the kind or the field that is wrong."""
    if kind not in PRESETS:
        raise ValueError(f"no optimizer {kind!r} (optimizers: {', '.join(PRESETS)})")
    cls, preset = PRESETS[kind]
    try:
        return cls(**{**preset, **values})
    except TypeError as err:          # an unknown hyperparameter
        raise ValueError(f"{kind}: {err}") from None


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except (OverflowError, TypeError):       # a 400-digit int; not a number at all
        return False


@dataclass(frozen=True)
class OptimizerSettings:
    """One of the lecture's optimizers (``kind``, a key of ``optim.PRESETS``) and the
    hyperparameters given (the preset's fill the rest). Checked when made: ValueError naming
    the field, e.g. a learning rate that is not a positive finite number."""

    kind: str = "SGD"
    values: dict = field(default_factory=dict)

    def __post_init__(self):
        optimizer = build(self.kind, self.values)        # ValueError naming the field
        lr = getattr(optimizer, "lr", None)
        if lr is not None and not lr > 0:
            raise ValueError(f"lr: the learning rate must be a positive number, got {shown(lr)}")

    def build(self) -> Optimizer:
        return build(self.kind, self.values)

    @property
    def all_values(self) -> dict:
        """Every hyperparameter, the preset's where none was given."""
        return {**PRESETS[self.kind][1], **self.values}
