"""What a MatrixViewport (``view`` below) writes around its grid: the row and column names
along its edges and the caption under it."""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter


def round_step(k: float) -> int:
    """The smallest 1, 2, 5 × 10^n at least ``k``: every how many rows a name is written."""
    k = max(k, 1.0)
    ten = 10 ** math.floor(math.log10(k))
    return next(m * ten for m in (1, 2, 5, 10) if m * ten >= k)


def draw_names(view, p: QPainter) -> None:
    """Row names left of the grid, column names above it; every round k-th where the
    cells are smaller than the names."""
    r0, r1, c0, c1 = view.visible()
    g, t = view.grid_rect(), view.transform()
    metrics = QFontMetricsF(view.font())
    line = metrics.height()
    p.setFont(view.font())
    p.setPen(view.palette().windowText().color())
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    # a name whose row's middle is in view is drawn whole
    p.setClipRect(QRectF(0, g.top() - line / 2, g.left(), g.height() + line))
    k = round_step(1.2 * line / view.sy)
    for r in range(r0 - r0 % k, r1, k):
        y = t.map(QPointF(0, r + 0.5)).y()
        p.drawText(QRectF(0, y - line / 2, g.left() - 6, line), right,
                   metrics.elidedText(view.row_name(r), Qt.TextElideMode.ElideRight,
                                      g.left() - 6))
    if c1 > c0:
        longest = max(view.col_labels[c0:c1], key=len) if view.col_labels \
            else view.col_name(c1 - 1)
        k = round_step((min(metrics.horizontalAdvance(longest), 240) + 12) / view.sx)
        top, width = g.top() - line - 4, k * view.sx - 4
        p.setClipRect(QRectF(g.left() - line, top, view.width() - g.left() + line, line))
        for c in range(c0 - c0 % k, c1, k):
            name = metrics.elidedText(view.col_name(c), Qt.TextElideMode.ElideRight, width)
            half = metrics.horizontalAdvance(name) / 2
            x = min(t.map(QPointF(c + 0.5, 0)).x(), view.width() - 2 - half)  # whole
            p.drawText(QRectF(x - half - 2, top, 2 * half + 4, line),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, name)
    p.setClipping(False)


def draw_caption(view, p: QPainter, lines: list[str]) -> int:
    """The caption under the grid, each line wrapped at the widget's width (never cut);
    the lines it took (the viewport leaves more room when that is more than it had)."""
    g, line = view.grid_rect(), view.line()
    p.setFont(view.font())
    p.setPen(view.palette().placeholderText().color())
    metrics = QFontMetricsF(view.font())
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    width, top = view.width() - 8, g.bottom() + 4
    for text in lines:
        box = metrics.boundingRect(QRectF(0, 0, width, 10 * line), flags, text)
        p.drawText(QRectF(4, top, width, box.height()), flags, text)
        top += box.height()
    return round((top - g.bottom() - 4) / line)
