"""What the inspector shows about an array: per-sample views, statistics, magnitudes."""
from __future__ import annotations

import math

import numpy as np


def brief(a: np.ndarray) -> tuple[float, float, float]:
    """(min, max, mean) ignoring NaN (tiling gaps) — cheap enough for every step."""
    a = np.asarray(a, dtype=float).ravel()
    if a.size == 0:
        return math.nan, math.nan, math.nan
    total = a.sum()
    if np.isnan(total):                              # NaN: tiling gaps, or a diverged value
        finite = a[~np.isnan(a)]
        mean = finite.mean() if finite.size else math.nan
    else:
        mean = total / a.size
    return float(np.fmin.reduce(a)), float(np.fmax.reduce(a)), float(mean)


def magnitude(g: np.ndarray | None) -> float | None:
    """Root mean square of a gradient: how much signal flows along an edge."""
    if g is None or np.size(g) == 0:
        return None
    return float(np.sqrt(np.mean(np.square(np.asarray(g, dtype=float)))))


LONG_VECTOR = 256


def as_matrix(a: np.ndarray, max_side: int = 4096) -> np.ndarray:
    """A 2-D picture of one sample's array: scalars and short vectors become one row, long
    vectors (e.g. a flattened image) wrap into a near-square block (NaN-padded), (C, H, W)
    maps are tiled side by side with a blank (NaN) column between channels."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1 and a.size <= LONG_VECTOR:
        return a.reshape(1, -1)
    if a.ndim == 1:
        side = int(math.ceil(math.sqrt(a.size)))
        out = np.full(side * side, np.nan)
        out[:a.size] = a
        return out.reshape(side, side)
    if a.ndim == 2:
        return a
    maps = a.reshape((-1,) + a.shape[-2:])
    c, h, w = maps.shape
    cols = max(1, min(c, int(math.ceil(math.sqrt(c * h / max(w, 1))))))
    rows = int(math.ceil(c / cols))
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for k in range(c):
        r, q = divmod(k, cols)
        out[r * (h + 1): r * (h + 1) + h, q * (w + 1): q * (w + 1) + w] = maps[k]
    return out[:max_side, :max_side]


def sample_label(a: np.ndarray, sample: int) -> str:
    """Whose value ``sample_of`` shows: ``sample``'s, or the whole batch's for a scalar (a
    loss reduced over the batch)."""
    return "the whole batch" if np.ndim(a) == 0 else f"sample {sample}"


def sample_of(a: np.ndarray, sample: int) -> np.ndarray:
    """Sample ``sample`` of a batched value (a scalar loss is returned as it is)."""
    a = np.asarray(a)
    return a if a.ndim == 0 else a[sample]
