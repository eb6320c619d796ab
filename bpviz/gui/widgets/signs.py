"""Signs over a heat map's cells (View ▸ Signs in Heat Maps, S): a cross for a positive value,
a bar for a negative one, nothing for zero, in black or white, whichever stands out more
from the cell's colour. + and − are then told apart without colour, in any colour map and
by a colour-blind student (issue 21: colour is never the only carrier of meaning).

A cell smaller than ``SIGN_MIN_PX``, or than the text's pixel size (larger in presentation
mode: a sign is then at least as large as the text's own + and −), holds no sign one could
read: the view says to zoom in
(``ZOOM_HINT``) or, for an Inspector heat map, to enlarge it first (``ENLARGE_HINT``)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from ...core.display.colour_vision import contrast
from .colormap import DIVERGING, diverging_index

SIGN_MIN_PX = 12.0            # a cell's smaller side: below this, no sign is drawn
SIGN_MAX_ARM = 24.0           # px: half a sign's stroke, however big the cell
ZOOM_HINT = "signs: zoom in (wheel or +) to see + and −"
ENLARGE_HINT = "signs: double-click to enlarge, then zoom in"
SHOWN = [False]               # the View menu's choice (accessibility.ColourMapChoice)


def signs_shown() -> bool:
    return SHOWN[0]


def show_signs(on: bool) -> None:
    SHOWN[0] = bool(on)


def black_reads_better(lut: np.ndarray) -> np.ndarray:
    """(256,) bool: on each colour of ``lut``, black text has more contrast than white
    (WCAG contrast from relative luminance)."""
    cells = lut[:, :3].astype(float)
    return contrast(cells, np.zeros(3)) > contrast(cells, np.full(3, 255.0))


def fits(cw: float, ch: float, text_px: float = 0.0) -> bool:
    """A cell of ``cw`` × ``ch`` pixels holds a sign as large as text of ``text_px``."""
    return min(cw, ch) >= max(SIGN_MIN_PX, text_px)


def draw_signs(p: QPainter, block: np.ndarray, rect: QRectF, limit: float | None,
               text_px: float = 0.0) -> bool:
    """A sign in each cell of ``block`` (rows, cols), drawn over ``rect`` (the block's cells
    on screen) with the colour scale ±``limit``; False (nothing drawn) when the cells are
    too small for one (``fits``)."""
    rows, cols = block.shape
    cw, ch = rect.width() / max(cols, 1), rect.height() / max(rows, 1)
    if not fits(cw, ch, text_px):
        return False
    idx, _ = diverging_index(block, limit)
    black = black_reads_better(DIVERGING)[idx]
    arm = min(0.35 * min(cw, ch), SIGN_MAX_ARM)
    lines: dict[bool, list[QLineF]] = {True: [], False: []}
    for r, c in zip(*np.nonzero(np.isfinite(block) & (block != 0)), strict=True):
        x, y = rect.left() + (c + 0.5) * cw, rect.top() + (r + 0.5) * ch
        group = lines[bool(black[r, c])]
        group.append(QLineF(x - arm, y, x + arm, y))
        if block[r, c] > 0:
            group.append(QLineF(x, y - arm, x, y + arm))
    for is_black, group in lines.items():
        if group:
            pen = QPen(QColor("#000000" if is_black else "#ffffff"), max(2.0, arm / 4))
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            p.setPen(pen)
            p.drawLines(group)
    return True
