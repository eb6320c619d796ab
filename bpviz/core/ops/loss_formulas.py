"""The loss formulas, element by element, each written once: the loss ops (losses.py) apply
them to their inputs and the labs (bpviz.core.labs.landscapes) to a whole grid of weights at
once. Given ``out`` they work in place, so that a float32 grid of 256 x 1,000 margins never
leaves the cache."""
from __future__ import annotations

import numpy as np


def _buffer(x, out):
    """``out``, or a new float array shaped like x (the formulas fill it step by step)."""
    return np.empty(np.shape(x), np.result_type(x, 0.0)) if out is None else out


def squared(d, out=None):
    """L2: d^2."""
    return np.multiply(d, d, out=_buffer(d, out))


def squared_slope(d):
    return 2 * d


def absolute(d, out=None):
    """L1: |d|."""
    return np.abs(d, out=_buffer(d, out))


def absolute_slope(d):
    return np.sign(d)


def huber(d, delta: float, out=None):
    """0.5 d^2 where |d| <= delta, delta (|d| - 0.5 delta) beyond.

    With q = min(|d|, delta) both pieces are 0.5 q^2 + delta (|d| - q): no branch."""
    out = np.abs(d, out=_buffer(d, out))
    q = np.minimum(out, delta, out=np.empty_like(out))
    np.subtract(out, q, out=out)
    np.multiply(out, delta, out=out)
    np.multiply(q, q, out=q)
    np.multiply(q, 0.5, out=q)
    return np.add(out, q, out=out)


def huber_slope(d, delta: float):
    """d inside +-delta, delta sign(d) outside: d clipped to +-delta."""
    return np.clip(d, -delta, delta)


def smooth_l1(d: np.ndarray, beta: float) -> np.ndarray:
    """Huber(beta) / beta: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (|d| when
    beta is 0)."""
    return absolute(d) if beta == 0 else huber(d, beta) / beta


def smooth_l1_slope(d: np.ndarray, beta: float) -> np.ndarray:
    return absolute_slope(d) if beta == 0 else huber_slope(d, beta) / beta


def hinge(m, out=None):
    """max(0, 1 - m) of the margin m = t·y."""
    out = np.subtract(1, m, out=_buffer(m, out))
    return np.maximum(out, 0, out=out)


def hinge_slope(m):
    """d hinge / dm: -1 inside the margin (m < 1), 0 beyond."""
    return np.where(m < 1, -1.0, 0.0)


# HingeLoss's twin in an exported torch script, where torch has none
HINGE_TORCH_SOURCE = '''
def hinge_loss(input, target, reduction="mean"):
    """Binary hinge loss max(0, 1 - t*y), t in {-1, +1} (bpviz's HingeLoss)."""
    loss = torch.clamp(1 - target * input, min=0)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss
'''


def logistic(m, out=None):
    """Two-class cross-entropy as a function of the margin m = t·y: log(1 + e^-m), which is
    CrossEntropyLoss of the logits (0, m) for class 1. Written log(1 + e^-|m|) + max(-m, 0)
    so that exp never overflows (and faster than np.logaddexp)."""
    out = _buffer(m, out)
    a = np.abs(m, out=np.empty_like(out))
    np.negative(a, out=a)
    np.exp(a, out=a)
    np.log1p(a, out=a)
    np.minimum(m, 0, out=out)
    return np.subtract(a, out, out=out)


def logistic_slope(m):
    """d/dm log(1 + e^-m) = -1 / (1 + e^m): p - 1 of the true class (clipped: no overflow)."""
    return -1.0 / (1.0 + np.exp(np.clip(m, -50, 50)))
