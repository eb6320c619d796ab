"""Losses: classification (cross-entropy, NLL, hinge) and regression (L1, L2, smooth L1, Huber).

All take ``(input, target)`` and reduce like torch (``reduction`` = mean | sum | none).
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from .activations import log_softmax
from .base import Attr, Op, OpError, register, shape_text
from .loss_formulas import (
    HINGE_TORCH_SOURCE,
    absolute,
    absolute_slope,
    hinge,
    hinge_slope,
    huber,
    huber_slope,
    smooth_l1,
    smooth_l1_slope,
    squared,
    squared_slope,
)

_REDUCTION = Attr("reduction", "choice", "mean", choices=("mean", "sum", "none"))


class _Loss(Op):
    group = "losses"
    inputs = ("input", "target")
    attrs: ClassVar[tuple[Attr, ...]] = (_REDUCTION,)
    reduction: str

    def out_shape(self, per_item_shape):
        return per_item_shape if self.reduction == "none" else ()

    def reduce(self, per_item: np.ndarray, count=None) -> np.ndarray:
        """Reduce per-item losses; ``count`` is the mean's denominator (default: all items)."""
        if self.reduction == "none":
            return per_item
        total = per_item.sum()
        if self.reduction == "sum":
            return total
        return total / (per_item.size if count is None else count)

    def per_item_grad(self, dout: np.ndarray, shape, count=None) -> np.ndarray:
        """dL/d(per-item loss) for the reduction, broadcast to ``shape``.

        A mean over no items (every target equal to ignore_index) is 0/0 = nan, as in
        torch, but no item contributes to it: its gradient is zero, as torch's is."""
        if self.reduction == "none":
            return dout
        if self.reduction == "mean":
            count = int(np.prod(shape)) if count is None else count
            dout = dout / count if count else np.zeros_like(dout)
        return np.broadcast_to(dout, shape)

    def target_kind(self, shapes) -> str:
        """What the target input must hold: "int" (class indices), "float" or "either"."""
        return "float"

    def batch_note(self, n: int) -> str:
        """How the reduction scales the lecture's per-sample gradient over a batch of n
        ("" where it does not: the lecture's loss is one sample's)."""
        if self.reduction == "mean" and n > 1:
            return (f"averages the loss over the batch, so each sample's gradient is "
                    f"1/N = 1/{n} of the lecture's")
        return ""


class _Pointwise(_Loss):
    """Regression losses of the residual d = input - target, element by element."""

    def value(self, d: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def slope(self, d: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def infer(self, shapes):
        x, t = shapes
        if x != t:
            raise OpError(f"input {shape_text(x)} and target {shape_text(t)} must have the "
                          f"same shape")
        return self.out_shape(x)

    def forward(self, x, t):
        d = x - t
        self.cache = {"diff": d}
        return self.reduce(self.value(d))

    def backward(self, dout):
        d = self.cache["diff"]
        dx = self.per_item_grad(dout, d.shape) * self.slope(d)
        return (dx, -dx), {}


@register
class MSELoss(_Pointwise):
    """(input - target)^2, reduced.

    Shapes: input (N, *), target (N, *) -> () (reduction 'none': (N, *))
    """

    doc = "Mean squared error (L2): (input - target)^2."
    jacobian_doc = {"input": "2(x - y)/n", "target": "-2(x - y)/n"}
    grad_formula = r"\frac{\partial L}{\partial x} = 2x"
    formula = r"L_2(x) = x^2"

    def value(self, d):
        return squared(d)

    def slope(self, d):
        return squared_slope(d)


@register
class L1Loss(_Pointwise):
    """|input - target|, reduced.

    Shapes: input (N, *), target (N, *) -> () (reduction 'none': (N, *))
    """

    doc = "Mean absolute error (L1): |input - target|."
    jacobian_doc = {"input": "sign(x - y)/n", "target": "-sign(x - y)/n"}
    grad_formula = r"\frac{\partial L}{\partial x} = \mathrm{sign}(x)"
    formula = r"L_1(x) = |x|"

    def value(self, d):
        return absolute(d)

    def slope(self, d):
        return absolute_slope(d)


@register
class SmoothL1Loss(_Pointwise):
    """0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta beyond; d = input - target.

    Shapes: input (N, *), target (N, *) -> () (reduction 'none': (N, *))
    """

    doc = "Quadratic for |d| < beta, linear beyond: 0.5 d^2 / beta or |d| - 0.5 beta."
    jacobian_doc = {"input": "(x - y)/β inside ±β, sign(x - y) outside, over n", "target": "the negative of the input's"}
    grad_formula = r"\frac{\partial L}{\partial x} = \begin{cases} x/\beta & |x| < \beta \\ \mathrm{sign}(x) & \text{otherwise} \end{cases}"
    attrs = (_REDUCTION, Attr("beta", "float", 1.0, low=0.0))
    beta: float
    formula = (r"\mathrm{smooth}L_1(x) = \begin{cases} 0.5x^2/\beta & |x| < \beta \\ "
               r"|x| - 0.5\beta & \text{otherwise} \end{cases}")

    def value(self, d):
        return smooth_l1(d, self.beta)

    def slope(self, d):
        return smooth_l1_slope(d, self.beta)


@register
class HuberLoss(_Pointwise):
    """Huber(delta) = delta * SmoothL1(beta=delta): the same curve, scaled.

    Shapes: input (N, *), target (N, *) -> () (reduction 'none': (N, *))
    """

    doc = "Huber: 0.5 d^2 for |d| <= delta, delta (|d| - 0.5 delta) beyond (smooth L1 at delta 1)."
    jacobian_doc = {"input": "(x - y) inside ±δ, δ·sign(x - y) outside, over n", "target": "the negative of the input's"}
    grad_formula = r"\frac{\partial L_\delta}{\partial a} = \begin{cases} a & |a| \le \delta \\ \delta\,\mathrm{sign}(a) & \text{otherwise} \end{cases}"
    attrs = (_REDUCTION, Attr("delta", "float", 1.0, low=0.0, low_open=True))
    delta: float
    formula = (r"L_\delta(a) = \begin{cases} \frac{1}{2}a^2 & |a| \le \delta \\ "
               r"\delta\left(|a| - \frac{1}{2}\delta\right) & \text{otherwise} \end{cases}")

    def value(self, d):
        return huber(d, self.delta)

    def slope(self, d):
        return huber_slope(d, self.delta)


class _Classification(_Loss):
    """Scores (N, C) against class indices (N,)."""

    classifies = "multiclass"

    @staticmethod
    def predict(scores):
        return scores.argmax(axis=1)

    def infer(self, shapes):
        x, t = shapes
        if len(x) != 2:
            raise OpError(f"needs scores of shape (N, classes), got {shape_text(x)}")
        if t != x[:1]:
            raise OpError(f"target {shape_text(t)} must hold one class index per sample, "
                          f"shape {shape_text(x[:1])}")
        return self.out_shape(x[:1])

    def target_kind(self, shapes):
        return "int"

    def check_targets(self, t: np.ndarray, classes: int, ignore=None) -> np.ndarray:
        """Raise OpError naming the first class index out of range; return the valid mask."""
        valid = np.ones(t.shape, bool) if ignore is None else t != ignore
        bad = np.flatnonzero(valid & ((t < 0) | (t >= classes)))
        if bad.size:
            i = int(bad[0])
            raise OpError(f"target {int(t[i])} of sample {i} is out of range for {classes} "
                          f"classes (0..{classes - 1})")
        return valid


@register
class CrossEntropyLoss(_Classification):
    """-sum_c q_c log softmax(x)_c, q the one-hot (or given) target, optionally smoothed.

    Shapes: input (N, C), target (N,) class indices or (N, C) probabilities -> ()
    (reduction 'none': (N,))
    """

    attrs = (Attr("ignore_index", "int", -100), _REDUCTION,
             Attr("label_smoothing", "float", 0.0, low=0.0, high=1.0))
    ignore_index: int
    label_smoothing: float
    doc = "Cross-entropy of softmax probabilities against the true class (logits in)."
    jacobian_doc = {"input": "(p - t)/N: softmax probabilities minus the one-hot target"}
    grad_formula = r"\frac{\partial L_{CE}}{\partial \mathbf{y}} = \sigma(\mathbf{y}) - \mathbf{t}"
    formula = r"L_{CE} = -\sum_i t_i \log \sigma(\mathbf{y})_i"

    def lecture_note(self, shape):
        batch = self.batch_note(shape[0])
        return f"bpviz (like torch) {batch}: ∂L/∂y = (σ(y) − t)/N instead of σ(y) − t." \
            if batch else ""

    def infer(self, shapes):
        x, t = shapes
        if len(x) == 2 and t == x:          # class probabilities as targets
            return self.out_shape(x[:1])
        return super().infer(shapes)

    def target_kind(self, shapes):
        return "float" if shapes[1] == shapes[0] else "int"

    def forward(self, x, t):
        n, classes = x.shape
        logp = log_softmax(x, 1)
        eps = self.label_smoothing
        if t.shape == x.shape:
            q, count = t * (1 - eps) + eps / classes, None
        else:
            valid = self.check_targets(t, classes, self.ignore_index)
            rows = np.flatnonzero(valid)
            q = np.zeros_like(x)
            q[rows] = eps / classes
            q[rows, t[rows]] += 1 - eps
            count = int(valid.sum())
        self.cache = {"logp": logp, "p": np.exp(logp), "q": q, "count": count,
                      "soft": t.shape == x.shape}
        return self.reduce(-(q * logp).sum(axis=1), count)

    def backward(self, dout):
        p, q, count = self.cache["p"], self.cache["q"], self.cache["count"]
        g = self.per_item_grad(dout, p.shape[:1], count)[:, None]
        # d/dy of -sum q log softmax(y) = p * sum(q) - q   (= p - t for a one-hot t)
        dx = (p * q.sum(axis=1, keepdims=True) - q) * g
        # class probabilities as targets are differentiable too (as in torch)
        dt = -(1 - self.label_smoothing) * self.cache["logp"] * g if self.cache["soft"] else None
        return (dx, dt), {}


@register
class NLLLoss(_Classification):
    """-x[n, t_n]: the negative log-likelihood of log-probabilities x (after LogSoftmax).

    Shapes: input (N, C), target (N,) -> () (reduction 'none': (N,))
    """

    attrs = (Attr("ignore_index", "int", -100), _REDUCTION)
    ignore_index: int
    doc = "Negative log-likelihood: picks -log p of the true class from log-probabilities."
    jacobian_doc = {"input": "-1/N at the target class, 0 elsewhere"}
    grad_formula = r"\frac{\partial L}{\partial \log\sigma(\mathbf{y})} = -\mathbf{t}"
    formula = r"L = -\log p_{t}"

    def lecture_note(self, shape):
        batch = self.batch_note(shape[0])
        three = ("Softmax → Log → NLLLoss is the lecture's one cross-entropy loss written as "
                 "three nodes, so that each chain-rule factor is a step of its own.")
        return (f"bpviz (like torch) {batch}: −1/{shape[0]} at the true class instead of −1. "
                if batch else "") + three

    def forward(self, x, t):
        valid = self.check_targets(t, x.shape[1], self.ignore_index)
        rows = np.flatnonzero(valid)
        picked = np.zeros(x.shape[0], x.dtype)
        picked[rows] = x[rows, t[rows]]
        self.cache = {"rows": rows, "t": t, "x_shape": x.shape, "count": int(valid.sum())}
        return self.reduce(-picked, self.cache["count"])

    def backward(self, dout):
        rows, t, shape = self.cache["rows"], self.cache["t"], self.cache["x_shape"]
        g = self.per_item_grad(dout, shape[:1], self.cache["count"])
        dx = np.zeros(shape, dtype=np.result_type(g, np.float32))
        dx[rows, t[rows]] = -g[rows]
        return (dx, None), {}


@register
class MultiMarginLoss(_Classification):
    """Multiclass hinge: sum_{j != t} max(0, margin - x_t + x_j)^p / C.

    Shapes: input (N, C), target (N,) -> () (reduction 'none': (N,))
    """

    attrs = (Attr("p", "choice", 1, choices=(1, 2)), Attr("margin", "float", 1.0), _REDUCTION)
    p: int
    margin: float
    doc = "Multiclass hinge (SVM) loss: only classes within the margin of the true one get gradient."
    jacobian_doc = {"input": "+1/C for each class inside the margin, minus their count/C at the target"}
    grad_formula = r"\frac{\partial L}{\partial y_j} = \frac{1}{C}\,[\Delta - y_t + y_j > 0],\quad \frac{\partial L}{\partial y_t} = -\sum_{j \ne t} \frac{\partial L}{\partial y_j}"
    formula = r"L = \frac{1}{C}\sum_{j \ne t} \max(0,\ \Delta - y_t + y_j)^p"

    def lecture_note(self, shape):
        n, classes = shape
        note = (f"The lecture sums the hinge over the classes j ≠ t; bpviz (like torch's "
                f"MultiMarginLoss) divides that sum by C = {classes}, so every gradient "
                f"entry is 1/C = 1/{classes} of the lecture's")
        batch = self.batch_note(n)
        return note + (f", and {batch}." if batch else ".")

    def forward(self, x, t):
        n, classes = x.shape
        self.check_targets(t, classes)
        rows = np.arange(n)
        m = self.margin - x[rows, t][:, None] + x
        m[rows, t] = 0.0
        active = m > 0
        per_class = np.where(active, m, 0.0) ** self.p
        self.cache = {"m": m, "active": active, "t": t}
        return self.reduce(per_class.sum(axis=1) / classes)

    def backward(self, dout):
        m, active, t = self.cache["m"], self.cache["active"], self.cache["t"]
        n, classes = m.shape
        coef = np.where(active, self.p * m ** (self.p - 1), 0.0) / classes
        coef *= self.per_item_grad(dout, (n,))[:, None]
        dx = coef.copy()
        dx[np.arange(n), t] = -coef.sum(axis=1)
        return (dx.astype(m.dtype, copy=False), None), {}


@register
class HingeLoss(_Loss):
    """Binary hinge, max(0, 1 - t*y) with t in {-1, +1} (bpviz's own: torch has no twin).

    Shapes: input (N, *), target (N, *) -> () (reduction 'none': (N, *))
    """

    classifies = "binary"
    torch_function = "hinge_loss"          # written into the exported source: torch has none
    torch_source = HINGE_TORCH_SOURCE
    doc = "Binary hinge (max-margin) loss: max(0, 1 - t*y), labels t = -1 or +1."
    jacobian_doc = {"input": "-t/N where the margin 1 - t·y is positive, 0 elsewhere"}
    grad_formula = r"\frac{\partial L}{\partial y} = \begin{cases} -t & t \cdot y < 1 \\ 0 & \text{otherwise} \end{cases}"
    formula = r"L = \max(0,\ 1 - t \cdot y)"

    def infer(self, shapes):
        x, t = shapes
        if x != t:
            raise OpError(f"scores {shape_text(x)} and labels {shape_text(t)} must have the "
                          f"same shape")
        return self.out_shape(x)

    def target_kind(self, shapes):
        return "either"

    def torch_kwargs(self, shapes):
        return {"reduction": self.reduction}

    @staticmethod
    def predict(scores):
        return np.where(scores >= 0, 1, -1)

    def forward(self, y, t):
        bad = np.flatnonzero((t != 1) & (t != -1))
        if bad.size:
            i = int(bad[0])
            raise OpError(f"labels must be -1 or +1, got {t.flat[i].item()!r} at position {i}")
        self.cache = {"y": y, "t": t, "margin": t * y}
        return self.reduce(hinge(self.cache["margin"]))

    def backward(self, dout):
        y, t, margin = self.cache["y"], self.cache["t"], self.cache["margin"]
        g = self.per_item_grad(dout, t.shape) * hinge_slope(margin)     # dL/d(t*y)
        g = g.astype(y.dtype, copy=False)
        # float labels receive a gradient too, as in torch's clamp(1 - t*y, min=0)
        return (t * g, y * g if t.dtype.kind == "f" else None), {}
