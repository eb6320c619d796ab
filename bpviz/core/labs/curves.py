"""Loss curves for the Losses tab: each loss and its derivative along one axis, computed by
the engine's own loss ops (so the lab shows exactly what the graph computes)."""
from __future__ import annotations

import numpy as np

from ..ops import REGISTRY
from ..ops.loss_formulas import hinge, hinge_slope


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
    """hinge(m)^2 = max(0, 1 - m)^2 and its derivative 2 hinge(m) hinge'(m) (torch has no
    binary op for it: the hinge's formula squared)."""
    m = np.asarray(margin, dtype=float)
    gap = hinge(m)
    return gap ** 2, 2 * gap * hinge_slope(m)


def multiclass(logits, target: int, margin: float = 1.0) -> dict:
    """Softmax probabilities, cross-entropy and multiclass hinge of one logit vector, with
    each loss's gradient per class (from the engine's ops), and how the hinge's numbers
    relate to the lecture's."""
    y = np.asarray(logits, dtype=float)[None, :]
    t = np.array([target])
    ce = REGISTRY["CrossEntropyLoss"]()
    ce_value = float(ce.forward(y, t))
    ce_grad = ce.backward(np.array(1.0))[0][0][0]
    hinge_op = REGISTRY["MultiMarginLoss"](margin=margin)
    hinge_value = float(hinge_op.forward(y, t))
    hinge_grad = hinge_op.backward(np.array(1.0))[0][0][0]
    return {"probabilities": ce.cache["p"][0], "ce": ce_value, "ce_grad": ce_grad,
            "hinge": hinge_value, "hinge_grad": hinge_grad,
            "hinge_note": hinge_op.lecture_note(y.shape)}
