"""Sliding windows for convolution and pooling, without Python loops over pixels.

``windows`` is im2col as a strided view; ``fold`` is its adjoint (col2im), looping only
over the kernel offsets (kh * kw iterations of whole-array adds).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .base import OpError


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int, what: str) -> int:
    """torch's output size: floor((size + 2p - d(k-1) - 1) / s) + 1."""
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise OpError(f"{what} {span} is larger than the padded input ({size} + 2*{padding})")
    return (size + 2 * padding - span) // stride + 1


def pad2d(x: np.ndarray, ph: int, pw: int, value: float = 0.0) -> np.ndarray:
    """x: (N, C, H, W) -> (N, C, H + 2ph, W + 2pw)."""
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def windows(xp: np.ndarray, kernel, stride, dilation, out_hw) -> np.ndarray:
    """A read-only view (N, C, OH, OW, KH, KW) of the windows of padded ``xp`` (N, C, H, W)."""
    n, c, _, _ = xp.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, shape=(n, c, oh, ow, kh, kw),
                      strides=(s0, s1, s2 * sh, s3 * sw, s2 * dh, s3 * dw), writeable=False)


def fold(dwin: np.ndarray, padded_hw, kernel, stride, dilation) -> np.ndarray:
    """Adjoint of ``windows``: add each window's gradient back where it came from.

    dwin: (N, C, OH, OW, KH, KW) -> (N, C, Hp, Wp).
    """
    n, c, oh, ow, kh, kw = dwin.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((n, c) + tuple(padded_hw), dtype=dwin.dtype)
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):
        # windows tile the input without overlap: folding is a transpose
        tiles = dwin.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * kh, ow * kw)
        out[:, :, :oh * kh, :ow * kw] = tiles
        return out
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh,
                j * dw: j * dw + sw * (ow - 1) + 1: sw] += dwin[:, :, :, :, i, j]
    return out


def unpad2d(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    return x[:, :, ph: x.shape[2] - ph, pw: x.shape[3] - pw]
