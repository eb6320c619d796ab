"""Arrays as pictures: image inputs, feature maps, gradients with respect to an image and the
rows of a Linear layer on an image (the class templates), as uint8 pixels.

A ``Picture`` holds either RGB pixels (H, W, 3) or one channel (H, W). One channel is drawn
in grey (``signed`` False: 0 black .. 255 white) or on the diverging colour scale (``signed``
True: 128 is zero, 0 is -limit, 255 is +limit). Scales are shared across the pictures of one
value, so that channels, classes and rows can be compared by eye.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_PICTURES = 64          # a conv layer's 96 or 256 maps: the first ones, and say so
CHANNELS = {3: ("R", "G", "B")}


@dataclass
class Picture:
    pixels: np.ndarray         # uint8: (H, W, 3) RGB, or (H, W)
    caption: str
    signed: bool = False       # (H, W) on the diverging scale instead of grey


def image_shape(shape) -> tuple | None:
    """(C, H, W) when a sample of this shape is an image or a stack of feature maps."""
    shape = tuple(shape)
    if len(shape) == 3 and shape[1] >= 2 and shape[2] >= 2:
        return shape
    return None


def to_uint8(a, lo: float, hi: float) -> np.ndarray:
    """Linear map of [lo, hi] onto 0..255, clipped; NaN counts as 0, ±inf as the ends; a
    flat range gives 128."""
    a = np.nan_to_num(np.asarray(a, dtype=float))
    if not hi > lo:
        return np.full(a.shape, 128, dtype=np.uint8)
    with np.errstate(over="ignore", invalid="ignore"):     # ±inf: the ends of the scale
        fraction = np.clip((a - lo) / (hi - lo), 0.0, 1.0)
    return np.round(fraction * 255).astype(np.uint8)


def _finite_range(a) -> tuple[float, float]:
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        return 0.0, 0.0
    lo, hi = float(a.min()), float(a.max())
    if np.isfinite(lo) and np.isfinite(hi):         # the usual case: no masked copy
        return lo, hi
    finite = a[np.isfinite(a)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def _limit(a) -> float:
    """max |a| over the finite entries: the symmetric scale of a signed picture."""
    lo, hi = _finite_range(a)
    return max(abs(lo), abs(hi))


def signed_uint8(a, limit: float) -> np.ndarray:
    """[-limit, limit] onto 0..255 with zero at 128 (mid grey, or white on the diverging
    scale)."""
    return to_uint8(a, -limit, limit) if limit > 0 else to_uint8(np.zeros(np.shape(a)), -1, 1)


def _rgb(a: np.ndarray) -> np.ndarray:
    """(3, H, W) uint8 -> (H, W, 3), the order QImage's RGB888 reads."""
    return np.ascontiguousarray(np.transpose(a, (1, 2, 0)))


def _channel_names(c: int) -> list[str]:
    return list(CHANNELS.get(c, [f"channel {k}" for k in range(c)]))


def _limited(items: list, what: str) -> tuple[list, str]:
    """The first MAX_PICTURES items and a note when some were left out."""
    if len(items) <= MAX_PICTURES:
        return items, ""
    return items[:MAX_PICTURES], f"the first {MAX_PICTURES} of {len(items)} {what}"


def value_pictures(a) -> tuple[list[Picture], str]:
    """One sample's (C, H, W) value: an RGB picture for 3 channels, a grey one per channel
    otherwise, all scaled from the value's min (black) to its max (white).
    Returns (pictures, note)."""
    a = np.asarray(a, dtype=float)
    lo, hi = _finite_range(a)
    scaled = to_uint8(a, lo, hi)
    if a.shape[0] == 3:
        return [Picture(_rgb(scaled), f"RGB, black = {lo:.3g}, white = {hi:.3g}")], ""
    maps, note = _limited(list(scaled), "channels")
    names = _channel_names(a.shape[0])
    pictures = [Picture(m, names[k]) for k, m in enumerate(maps)]
    return pictures, note or f"black = {lo:.3g}, white = {hi:.3g}"


def gradient_magnitude(g) -> np.ndarray:
    """Per-pixel size of a gradient with respect to an image: sqrt(sum_c g_c^2), (H, W)."""
    g = np.asarray(g, dtype=float)
    return np.sqrt(np.square(g).sum(axis=0))


def gradient_pictures(g) -> tuple[list[Picture], str]:
    """dL/dx for one (C, H, W) sample: the per-pixel magnitude sqrt(sum_c g_c^2) in grey
    (black = 0, white = the largest), then each channel signed on the diverging scale
    (blue < 0 < red, white = 0) with one limit max |g| for all channels."""
    g = np.asarray(g, dtype=float)
    size = gradient_magnitude(g)
    limit = _limit(g)
    top = float(size.max()) if size.size else 0.0
    pictures = [Picture(to_uint8(size, 0.0, top or 1.0), "|∂L/∂x| per pixel")]   # 0: black
    names = _channel_names(g.shape[0])
    channels, note = _limited(list(g), "channels")
    pictures += [Picture(signed_uint8(m, limit), f"∂L/∂x {names[k]}", signed=True)
                 for k, m in enumerate(channels)]
    if not limit:
        return pictures, note or "∂L/∂x is 0 everywhere (e.g. W = 0 in y = Wx: ∂L/∂x = Wᵀδ)"
    return pictures, note or f"white = 0, red = +{limit:.3g}, blue = −{limit:.3g}"


def row_images(w, shape) -> np.ndarray | None:
    """The rows of a Linear weight (out, C*H*W) seen as images: (out, C, H, W), or None if
    the row length does not match the image shape. Rows are laid out as Flatten writes a
    (C, H, W) sample: channel after channel, each row by row."""
    w = np.asarray(w)
    shape = image_shape(shape or ())
    if shape is None or w.ndim != 2 or w.shape[1] != math.prod(shape):
        return None
    return w.reshape((w.shape[0],) + shape)


def template_pictures(w, shape, names=()) -> tuple[list[Picture], str]:
    """Each row of a weight (or of its gradient) on an image input, as an image: RGB for 3
    channels, else its first channel on the diverging scale. One symmetric scale for all
    rows (zero is mid grey or white), so a row with larger weights looks stronger.
    Empty when the rows are not images of ``shape``."""
    rows = row_images(w, shape)
    if rows is None or rows.shape[1] not in (1, 3):
        return [], ""
    limit = _limit(rows)
    kept, note = _limited(list(rows), "rows")
    names = list(names)
    pictures = []
    for k, row in enumerate(kept):
        caption = names[k] if k < len(names) else f"row {k}"
        scaled = signed_uint8(row, limit)
        pictures.append(Picture(_rgb(scaled), caption) if row.shape[0] == 3 else
                        Picture(scaled[0], caption, signed=True))
    grey = "mid grey" if rows[0].shape[0] == 3 else "white"
    return pictures, note or f"one scale for all rows: {grey} = 0, extremes = ±{limit:.3g}"


@dataclass
class MaskPatch:
    """One sample's dropout mask in numbers and its first units up close."""
    dropped: int               # units set to 0
    total: int
    pixels: np.ndarray         # (side, side) uint8: 0 dropped (black), 255 kept (white),
    shown: int                 # 128 past the last unit; units in the patch


def mask_patch(mask, side: int = 32) -> MaskPatch:
    """A sample's mask m/(1-p) flattened: how many units are 0, and its first side×side
    units row by row as a picture whose cells can be told apart (AlexNet's 4,096 would be
    dots)."""
    flat = np.asarray(mask).ravel()
    shown = min(flat.size, side * side)
    pixels = np.full(side * side, 128, dtype=np.uint8)
    pixels[:shown] = np.where(flat[:shown] == 0, 0, 255)
    return MaskPatch(int(np.count_nonzero(flat == 0)), int(flat.size),
                     pixels.reshape(side, side), shown)
