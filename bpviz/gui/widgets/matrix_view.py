"""MatrixView: a matrix to be read from the back of a lecture hall. It pans (drag, arrow
keys) and zooms (wheel, + and −, 0 fits). Once the cells are big enough, the numbers are
written in them in at least the application's font. The rows and columns carry their
names along the edges (class names where the data has them, else indices).

Only the cells on screen are coloured and written, so a 1×150528 gradient pans as quickly
as a 3×3 Jacobian."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter, QTransform
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..theme import contrast_ratio
from .colormap import DIVERGING, diverging_index, to_image
from .heatmap import fmt

MAX_FIT_CELL = 200.0         # px: a 1×3 matrix fitted to the window stops at this
MAX_CELL = 400.0             # px: the zoom limit
NUMBERS_AT_MOST = 3000       # cells: more on screen than this and they hold colour only
PAN_STEP = 0.2               # of the view, per arrow key
MAX_ASPECT = 2.5             # a fitted cell at most this much wider than high
WHEEL_STEP = 1.25            # zoom factor per wheel notch (and per + or −)
# the text colour with the higher contrast on each colour of the scale
TEXT_ON = [max((QColor("#000000"), QColor("#ffffff")),
               key=lambda t, c=c: contrast_ratio(t, QColor(*map(int, c[:3]))))
           for c in DIVERGING]


def round_step(k: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … at least ``k``: names every k-th row."""
    step = 1
    while step < k:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


class MatrixView(QWidget):
    """``matrix``: (rows, cols); ``row_labels``/``col_labels``: one name per row/column."""

    def __init__(self, matrix, row_labels=None, col_labels=None, parent=None):
        super().__init__(parent)
        self.matrix = np.asarray(matrix, dtype=float)
        rows, cols = self.matrix.shape
        self.row_labels = [str(x) for x in row_labels] if row_labels is not None else None
        self.col_labels = [str(x) for x in col_labels] if col_labels is not None else None
        self.limit = diverging_index(self.matrix)[1]     # one colour scale however it pans
        self.cw = self.ch = 1.0         # a cell's width and height in pixels
        self.origin = QPointF(0, 0)     # the (column, row) at the grid's top-left corner
        self.fitted = True              # until the user pans or zooms: refit on each resize
        self._drag = None
        self._widths = {}               # font -> widest row name
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(200, 150)

    # --- geometry ----------------------------------------------------------------------------
    def row_name(self, r: int) -> str:
        return self.row_labels[r] if self.row_labels else str(r)

    def col_name(self, c: int) -> str:
        return self.col_labels[c] if self.col_labels else str(c)

    def grid_rect(self) -> QRectF:
        """The widget less the margins for the row names, column names and the caption."""
        line = QFontMetricsF(self.font()).height() + 8
        left = min(self._names_width() + 12, self.width() * 0.3)
        return QRectF(left, line, self.width() - left - 4, self.height() - 2 * line)

    def _names_width(self) -> float:
        """The widest row name in the current font (measured once per font)."""
        key = self.font().key()
        if key not in self._widths:
            metrics = QFontMetricsF(self.font())
            names = self.row_labels or [str(self.matrix.shape[0] - 1)]
            self._widths[key] = max(metrics.horizontalAdvance(n) for n in names)
        return self._widths[key]

    def transform(self) -> QTransform:
        """Cell coordinates (column, row) to widget pixels."""
        g = self.grid_rect()
        return QTransform(self.cw, 0, 0, self.ch, g.left() - self.origin.x() * self.cw,
                          g.top() - self.origin.y() * self.ch)

    def fit(self) -> None:
        """The whole matrix in view, centred: a long row becomes a band, not a hairline,
        and short rows get cells wider than high (room for the numbers)."""
        rows, cols = self.matrix.shape
        g = self.grid_rect()
        self.ch = max(1e-3, min(g.height() / rows, MAX_FIT_CELL))
        self.cw = max(1e-3, min(g.width() / cols, MAX_FIT_CELL, self.ch * MAX_ASPECT))
        self.origin = QPointF(-(g.width() / self.cw - cols) / 2,
                              -(g.height() / self.ch - rows) / 2)
        self.fitted = True
        self.update()

    def zoom(self, factor: float, at: QPointF | None = None) -> None:
        """Scale by ``factor`` keeping the cell under ``at`` (default: the centre) in place.
        Each side stops at MAX_CELL on its own, so a tall thin cell can still grow wide."""
        g = self.grid_rect()
        at = at if at is not None else g.center()
        rows, cols = self.matrix.shape
        under = self.transform().inverted()[0].map(at)
        self.cw = float(np.clip(self.cw * factor, min(1.0, g.width() / cols) / 2, MAX_CELL))
        self.ch = float(np.clip(self.ch * factor, min(1.0, g.height() / rows) / 2, MAX_CELL))
        self.origin = QPointF(under.x() - (at.x() - g.left()) / self.cw,
                              under.y() - (at.y() - g.top()) / self.ch)
        self.fitted = False
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) pixels."""
        # a new point, not -=: whoever read the old origin keeps it
        self.origin = self.origin - QPointF(dx / self.cw, dy / self.ch)
        self.fitted = False
        self.update()

    def visible(self) -> tuple[int, int, int, int]:
        """(first row, end row, first column, end column) of the cells on screen."""
        g = self.grid_rect()
        rows, cols = self.matrix.shape
        r0 = max(0, math.floor(self.origin.y()))
        c0 = max(0, math.floor(self.origin.x()))
        r1 = min(rows, math.ceil(self.origin.y() + g.height() / self.ch))
        c1 = min(cols, math.ceil(self.origin.x() + g.width() / self.cw))
        return r0, max(r0, r1), c0, max(c0, c1)

    # --- numbers -----------------------------------------------------------------------------
    def number_font(self) -> QFont:
        """The application's font, larger in big cells (as large as the widest number on
        screen still fits its cell's width), never smaller."""
        font = QFont(self.font())
        base = QFontInfo(font).pixelSize()
        size = min(max(base, self.ch * 0.28), base * 2.5)
        r0, r1, c0, c1 = self.visible()
        if r1 > r0 and c1 > c0 and (r1 - r0) * (c1 - c0) <= NUMBERS_AT_MOST:
            texts = [fmt(v) for v in self.matrix[r0:r1, c0:c1].flat]
            font.setPixelSize(base)
            widest = max(QFontMetricsF(font).horizontalAdvance(t) for t in texts)
            size = min(size, base * (self.cw - 6) / max(widest, 1))   # a wide 1x10 row
        font.setPixelSize(max(base, round(size)))
        return font

    def text_px(self) -> int:
        """The smallest text drawn, in pixels: the names (the numbers are never smaller)."""
        return QFontInfo(self.font()).pixelSize()

    def shows_numbers(self) -> bool:
        """True when every number on screen fits its cell whole, at a readable size."""
        r0, r1, c0, c1 = self.visible()
        if (r1 - r0) * (c1 - c0) > NUMBERS_AT_MOST or r1 == r0 or c1 == c0:
            return False
        metrics = QFontMetricsF(self.number_font())
        if metrics.height() + 4 > self.ch:
            return False
        widest = max(metrics.horizontalAdvance(fmt(v)) for v in self.matrix[r0:r1, c0:c1].flat)
        return widest + 6 <= self.cw

    # --- drawing -----------------------------------------------------------------------------
    def resizeEvent(self, event):
        if self.fitted:
            self.fit()
        super().resizeEvent(event)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.TextAntialiasing)
        r0, r1, c0, c1 = self.visible()
        p.save()
        p.setClipRect(self.grid_rect())
        if r1 > r0 and c1 > c0:
            self._draw_colours(p, r0, r1, c0, c1)
            if self.shows_numbers():
                self._draw_numbers(p, r0, r1, c0, c1)
        p.restore()
        self._draw_names(p, r0, r1, c0, c1)
        self._draw_caption(p)

    def _draw_colours(self, p: QPainter, r0: int, r1: int, c0: int, c1: int) -> None:
        # no more colours than there are pixels: every k-th row or column when zoomed out
        kr, kc = math.ceil(1 / self.ch), math.ceil(1 / self.cw)
        image = to_image(self.matrix[r0:r1:kr, c0:c1:kc], limit=self.limit)
        rows, cols = -(-(r1 - r0) // kr) * kr, -(-(c1 - c0) // kc) * kc
        p.drawImage(self.transform().mapRect(QRectF(c0, r0, cols, rows)), image)

    def _draw_numbers(self, p: QPainter, r0: int, r1: int, c0: int, c1: int) -> None:
        p.setFont(self.number_font())
        idx, _ = diverging_index(self.matrix[r0:r1, c0:c1], self.limit)
        t = self.transform()
        for r in range(r0, r1):
            for c in range(c0, c1):
                p.setPen(TEXT_ON[idx[r - r0, c - c0]])
                p.drawText(t.mapRect(QRectF(c, r, 1, 1)), Qt.AlignCenter,
                           fmt(self.matrix[r, c]))

    def _draw_names(self, p: QPainter, r0: int, r1: int, c0: int, c1: int) -> None:
        """Row names left of the grid, column names above it; every k-th (a round k) where
        the cells are smaller than the names."""
        g, t = self.grid_rect(), self.transform()
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        p.setFont(self.font())
        p.setPen(self.palette().windowText().color())
        # a name whose row's middle is in view is drawn whole
        p.setClipRect(QRectF(0, g.top() - line / 2, g.left(), g.height() + line))
        k = round_step(line / self.ch)
        for r in range(r0 - r0 % k, r1, k):
            y = t.map(QPointF(0, r + 0.5)).y()
            p.drawText(QRectF(0, y - line / 2, g.left() - 6, line),
                       Qt.AlignRight | Qt.AlignVCenter,
                       metrics.elidedText(self.row_name(r), Qt.ElideRight, g.left() - 6))
        if c1 == c0:
            return
        longest = max(self.col_labels[c0:c1], key=len) if self.col_labels else str(c1 - 1)
        k = round_step((min(metrics.horizontalAdvance(longest), 240) + 12) / self.cw)
        p.setClipRect(QRectF(g.left() - line, 0, g.width() + line, g.top()))
        for c in range(c0 - c0 % k, c1, k):
            x, width = t.map(QPointF(c + 0.5, 0)).x(), k * self.cw - 4
            p.drawText(QRectF(x - width / 2, 0, width, g.top() - 4),
                       Qt.AlignHCenter | Qt.AlignBottom,
                       metrics.elidedText(self.col_name(c), Qt.ElideRight, width))
        p.setClipping(False)

    def _draw_caption(self, p: QPainter) -> None:
        rows, cols = self.matrix.shape
        g = self.grid_rect()
        hint = "" if self.shows_numbers() else "   zoom in (wheel or +) for the numbers"
        p.setPen(self.palette().placeholderText().color())
        p.drawText(QRectF(4, g.bottom() + 4, self.width() - 8, self.height() - g.bottom() - 4),
                   Qt.AlignLeft | Qt.AlignVCenter,
                   f"{rows}×{cols}   drag to pan · wheel or +/− to zoom · 0 fits{hint}")

    # --- the user's hands --------------------------------------------------------------------
    def cell_at(self, pos: QPointF):
        """(row, column) under a widget position, or None."""
        if not self.grid_rect().contains(pos):
            return None
        cell = self.transform().inverted()[0].map(pos)
        r, c = math.floor(cell.y()), math.floor(cell.x())
        rows, cols = self.matrix.shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    def wheelEvent(self, event):
        self.zoom(WHEEL_STEP ** (event.angleDelta().y() / 120), event.position())

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self._drag = event.position()

    def mouseMoveEvent(self, event):
        if self._drag is not None:
            delta = event.position() - self._drag
            self._drag = event.position()
            self.pan(delta.x(), delta.y())
            return
        hit = self.ch_at(event.position())
        if hit:
            r, c = hit
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"row {self.row_name(r)}, column {self.col_name(c)}: "
                              f"{self.matrix[r, c]:.6g}", self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event):
        self._drag = None

    def keyPressEvent(self, event):
        g = self.grid_rect()
        moves = {Qt.Key_Left: (1, 0), Qt.Key_Right: (-1, 0), Qt.Key_Up: (0, 1),
                 Qt.Key_Down: (0, -1)}
        key = event.key()
        if key in moves:
            dx, dy = moves[key]
            self.pan(dx * g.width() * PAN_STEP, dy * g.height() * PAN_STEP)
        elif key in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom(WHEEL_STEP)
        elif key == Qt.Key_Minus:
            self.zoom(1 / WHEEL_STEP)
        elif key == Qt.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)
