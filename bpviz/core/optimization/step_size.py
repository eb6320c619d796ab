"""How one optimizer step compares with plain SGD's at the same learning rate.

    ratio = ‖W_after − W_before‖ / ‖η ∂L/∂W‖

Momentum's first step is SGD's (v₁ = η ∂L/∂W: ratio 1); with γ = 0.9 the ratio grows
towards 1 / (1 − γ) = 10 while the gradient keeps its direction. Update & Train shows it
beside the step it took.
"""
from __future__ import annotations

import numpy as np


def times_sgd(before, after, grad, lr: float) -> float | None:
    """How many times plain SGD's step (W ← W − η ∂L/∂W, with ``lr`` as η) the change from
    ``before`` to ``after`` is, in L2 norm; None where SGD's step is zero or not finite."""
    sgd = float(lr) * float(np.linalg.norm(np.asarray(grad, dtype=float)))
    if not np.isfinite(sgd) or sgd == 0:
        return None
    step = float(np.linalg.norm(np.asarray(after, dtype=float) - np.asarray(before, dtype=float)))
    return step / sgd if np.isfinite(step) else None
