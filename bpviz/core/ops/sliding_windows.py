"""Sliding windows for convolution and pooling, without Python loops over pixels.

Everything is laid out tap by tap: for each kernel offset (u, v) the map of what that tap
sees at every output pixel, ``taps[n, c, u, v, i, j] = xp[n, c, s*i + d*u, s*j + d*v]``.
``taps`` is that as a strided view (copied contiguous, it is im2col) and ``fold`` is its
adjoint (col2im), looping only over the kernel offsets (kh * kw whole-array adds); where
windows do not overlap (pools whose stride is their size) it is one strided write.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .base import OpError, pair


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


def taps(xp: np.ndarray, kernel, stride, dilation, out_hw, writeable=False) -> np.ndarray:
    """A view (N, C, KH, KW, OH, OW) of padded ``xp`` (N, C, H, W): one map of output pixels
    per kernel offset. Read-only unless ``writeable`` (only where windows do not overlap)."""
    n, c, _, _ = xp.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, shape=(n, c, kh, kw, oh, ow),
                      strides=(s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=writeable)


def disjoint(kernel, stride, dilation) -> bool:
    """True where no input pixel lies in two windows: stride >= window span, both ways."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation, strict=True))


def fold(dtaps: np.ndarray, padded_hw, kernel, stride, dilation) -> np.ndarray:
    """Adjoint of ``taps``: add each tap's gradient back where it came from.

    dtaps: (N, C, KH, KW, OH, OW) -> (N, C, Hp, Wp).
    """
    n, c, kh, kw, oh, ow = dtaps.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((n, c) + tuple(padded_hw), dtype=dtaps.dtype)
    if disjoint((kh, kw), stride, dilation):   # each pixel gets at most one tap: write
        taps(out, (kh, kw), stride, dilation, (oh, ow), writeable=True)[...] = dtaps
        return out
    for u in range(kh):
        for v in range(kw):
            out[:, :, u * dh: u * dh + sh * (oh - 1) + 1: sh,
                v * dw: v * dw + sw * (ow - 1) + 1: sw] += dtaps[:, :, u, v]
    return out


def unpad2d(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    return x[:, :, ph: x.shape[2] - ph, pw: x.shape[3] - pw]


def window_text(attrs: dict) -> str:
    """A window's attributes as the canvas shows them: "3×3 /2 pad 1" ("?" with no
    kernel_size yet); stride, padding and dilation only where they are not the default."""
    if "kernel_size" not in attrs:
        return "?"
    text = "×".join(str(k) for k in pair(attrs["kernel_size"]))
    for name, prefix, default in (("stride", " /", 1), ("padding", " pad ", 0),
                                  ("dilation", " dil ", 1)):
        value = attrs.get(name)
        if value is not None and pair(value) != (default, default):
            a, b = pair(value)
            text += prefix + (str(a) if a == b else f"{a}×{b}")
    return text

