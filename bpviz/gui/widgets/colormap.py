"""Arrays to pictures: a diverging colour scale (blue < 0 < red, white at 0) and a
sequential one, as QImages. Rendering only: values are taken as they are.

Two sets of scales (MAPS): the standard ones, and a colour-blind-safe set (View menu):
purple < 0 < orange, whose two signs also differ in lightness (the largest of each sign by
15 L* or more, for every simulated deficiency too: tests/core/display/test_colour_vision.py), and a
gradient scale whose lightness falls steadily with the
magnitude (the standard one goes dark at purple, light again at orange). ``use_maps``
changes the tables in place, so every module that imported them draws with the new ones."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from ...core.display.colour_vision import contrast


def _lut(stops) -> np.ndarray:
    """256 RGBA colours interpolated between (position, (r, g, b)) stops."""
    pos = np.array([p for p, _ in stops])
    rgb = np.array([c for _, c in stops], dtype=float)
    t = np.linspace(0, 1, 256)
    out = np.stack([np.interp(t, pos, rgb[:, k]) for k in range(3)] + [np.full(256, 255.0)], 1)
    return out.round().astype(np.uint8)


# (position, (r, g, b)) stops of each scale; the diverging ones after ColorBrewer's RdBu
# and PuOr (colorbrewer2.org), the standard gradient scale runs pale grey (vanishing) to
# deep red (large) on a log scale
# white to blue: its lightness falls steadily, under every simulated colour-vision deficiency
# too (tests/gui/test_accessibility.py), so the safe set keeps it
WHITE_TO_BLUE = [(0.0, (255, 255, 255)), (0.5, (120, 160, 220)), (1.0, (20, 40, 120))]
MAPS = {
    "standard": {
        "diverging": [(0.0, (33, 102, 172)), (0.25, (103, 169, 207)), (0.5, (247, 247, 247)),
                      (0.75, (239, 138, 98)), (1.0, (178, 24, 43))],
        "sequential": WHITE_TO_BLUE,
        "gradient": [(0.0, (205, 210, 218)), (0.35, (150, 120, 200)), (0.7, (230, 120, 40)),
                     (1.0, (190, 20, 30))]},
    "colour-blind safe": {
        "diverging": [(0.0, (94, 60, 153)), (0.25, (178, 171, 210)), (0.5, (247, 247, 247)),
                      (0.75, (253, 184, 99)), (1.0, (230, 97, 1))],
        "sequential": WHITE_TO_BLUE,
        "gradient": [(0.0, (205, 210, 218)), (0.45, (230, 150, 50)), (1.0, (84, 39, 136))]},
}
DIVERGING = _lut(MAPS["standard"]["diverging"])
SEQUENTIAL = _lut(MAPS["standard"]["sequential"])
GRADIENT_LUT = _lut(MAPS["standard"]["gradient"])
NAN = np.array([0, 0, 0, 0], dtype=np.uint8)             # transparent: tiling gaps
GRADIENT_DECADES = (-8, 0)                                 # 1e-8 .. 1 spans the scale


def gradient_level(magnitude: float) -> float:
    """Where an RMS gradient sits on the log scale, 0 (<= 1e-8) to 1 (>= 1)."""
    lo, hi = GRADIENT_DECADES
    if not magnitude or not np.isfinite(magnitude):
        return 1.0 if magnitude and not np.isfinite(magnitude) else 0.0
    return float(np.clip((np.log10(magnitude) - lo) / (hi - lo), 0.0, 1.0))


def diverging_index(m: np.ndarray, limit: float | None = None) -> tuple[np.ndarray, float]:
    """LUT indices for ``m`` on a symmetric scale [-limit, limit] (max |m| by default)."""
    finite = np.isfinite(m)
    if limit is None:
        limit = float(np.abs(m[finite]).max()) if finite.any() else 1.0
    limit = limit or 1.0
    idx = np.clip((np.nan_to_num(m) / limit + 1) / 2 * 255, 0, 255).round().astype(np.intp)
    return idx, limit


def to_image(m: np.ndarray, lut: np.ndarray = DIVERGING, limit: float | None = None) -> QImage:
    """A QImage of the 2-D array ``m`` (one pixel per cell)."""
    m = np.asarray(m, dtype=float)
    if lut is DIVERGING:
        idx, _ = diverging_index(m, limit)
    else:
        finite = np.isfinite(m)
        lo = float(m[finite].min()) if finite.any() else 0.0
        hi = float(m[finite].max()) if finite.any() else 1.0
        idx = np.clip((np.nan_to_num(m) - lo) / ((hi - lo) or 1.0) * 255, 0, 255).astype(np.intp)
    rgba = lut[idx]
    rgba[~np.isfinite(m)] = NAN
    rgba = np.ascontiguousarray(rgba)
    h, w = m.shape
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def text_on(lut: np.ndarray) -> list[QColor]:
    """Black or white for each colour of ``lut``: whichever has the higher contrast on it."""
    rgb = np.asarray(lut, dtype=float)[:, :3]
    on_black = contrast(np.zeros(3), rgb) >= contrast(np.full(3, 255.0), rgb)
    return [QColor("#000000") if black else QColor("#ffffff") for black in on_black]


def lut_color(lut: np.ndarray, t: float) -> QColor:
    """The colour at position t in [0, 1] of a LUT."""
    r, g, b, a = lut[int(np.clip(t, 0, 1) * 255)]
    return QColor(int(r), int(g), int(b), int(a))


OUTLINE_CONTRAST = 3.0     # WCAG 2.1 1.4.11: a graphical object against what is around it


def outline_for(colour: QColor, background, outline) -> QColor | None:
    """The outline a line of ``colour`` needs on ``background`` to stand out 3:1: where the
    colour alone has less (the gradient scales' pale end on a light canvas, their dark end
    on a dark one), ``outline`` (a theme's edge colour, itself 3:1 or more); else None."""
    rgb = [(q.red(), q.green(), q.blue()) for q in (QColor(colour), QColor(background))]
    if contrast(np.array(rgb[0]), np.array(rgb[1])) >= OUTLINE_CONTRAST:
        return None
    return QColor(outline)


def use_maps(name: str) -> None:
    """Draw with the scales MAPS[name] from now on (ValueError for an unknown name)."""
    if name not in MAPS:
        raise ValueError(f"no colour maps called {name!r} (known: {', '.join(MAPS)})")
    for lut, kind in ((DIVERGING, "diverging"), (SEQUENTIAL, "sequential"),
                      (GRADIENT_LUT, "gradient")):
        lut[:] = _lut(MAPS[name][kind])


def maps_in_use() -> str:
    """The name of the scales drawn with now."""
    return next((name for name, stops in MAPS.items()
                 if np.array_equal(DIVERGING, _lut(stops["diverging"]))
                 and np.array_equal(GRADIENT_LUT, _lut(stops["gradient"]))), "standard")
