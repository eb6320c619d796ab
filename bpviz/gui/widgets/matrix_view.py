"""MatrixView: a dense matrix (a heat map enlarged in the enlarged view) to be read from the
back of a lecture hall: a MatrixViewport over an array. Fitted, a long row becomes a band
and short rows get cells wider than high (room for the numbers); once the cells are big
enough the numbers are written in them, larger in big cells, smaller (down to 16 px, a
projector's readable size) in narrow ones. Rows and columns carry their names (class names where the data has
them, else indices).

Only the cells on screen are coloured and written, so a 1×150528 gradient pans as quickly
as a 3×3 Jacobian."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy

from .colormap import diverging_index, to_image
from .matrix_viewport import MatrixViewport

MAX_FIT_CELL = 200.0         # px: a 1×3 matrix fitted to the window stops at this
MAX_ASPECT = 2.5             # a fitted cell at most this much wider than high


class MatrixView(MatrixViewport):
    """``matrix``: (rows, cols); ``row_labels``/``col_labels``: one name per row/column."""

    def __init__(self, matrix, row_labels=None, col_labels=None, parent=None):
        super().__init__(parent)
        self.matrix = np.asarray(matrix, dtype=float)
        self.row_labels = [str(x) for x in row_labels] if row_labels is not None else None
        self.col_labels = [str(x) for x in col_labels] if col_labels is not None else None
        self.limit = diverging_index(self.matrix)[1]     # one colour scale however it pans
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)

    def shape(self) -> tuple[int, int]:
        rows, cols = self.matrix.shape
        return rows, cols

    def block(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        return self.matrix[r0:r1, c0:c1]

    def readout(self, r: int, c: int) -> str:
        return f"row {self.row_name(r)}, column {self.col_name(c)}: {self.matrix[r, c]:.6g}"

    def fit_scale(self, grid: QRectF, rows: int, cols: int) -> tuple[float, float]:
        sy = min(grid.height() / rows, MAX_FIT_CELL)
        return min(grid.width() / cols, MAX_FIT_CELL, sy * MAX_ASPECT), sy

    def number_font(self, texts: list[str] | None = None) -> QFont:
        """The application's font, larger in big cells (as large as the widest number on
        screen still fits its cell's width), smaller (to 16 px) in narrow ones."""
        font = QFont(self.font())
        base = QFontInfo(font).pixelSize()
        size = min(max(base, self.sy * 0.28), base * 2.5)
        if texts is None:
            shown = self.visible_numbers()
            texts = shown[1] if shown is not None else []
        if any(texts):
            font.setPixelSize(base)
            widest = max(QFontMetricsF(font).horizontalAdvance(t) for t in set(texts))
            # a wide 1x10 row; a number grown past the base keeps an eighth of its cell clear
            grown, fit = (base * w / max(widest, 1) for w in (self.sx * 7 / 8, self.sx - 6))
            size = min(size, max(base, grown), fit)
        return self.fitted_font(size, texts)

    def draw_cells(self, p: QPainter) -> None:
        r0, r1, c0, c1 = self.visible()
        if r1 == r0 or c1 == c0:
            return
        # no more colours than there are pixels: every k-th row or column when zoomed out
        kr, kc = math.ceil(1 / self.sy), math.ceil(1 / self.sx)
        image = to_image(self.matrix[r0:r1:kr, c0:c1:kc], limit=self.limit)
        rows, cols = -(-(r1 - r0) // kr) * kr, -(-(c1 - c0) // kc) * kc
        p.drawImage(self.transform().mapRect(QRectF(c0, r0, cols, rows)), image)

    def caption(self, numbers: bool) -> list[str]:
        rows, cols = self.shape()
        r0, r1, c0, c1 = self.visible()
        part = "" if (r1 - r0, c1 - c0) == (rows, cols) else \
            f"   rows {r0:,}–{r1 - 1:,}, columns {c0:,}–{c1 - 1:,}"
        hint = "" if numbers else "   zoom in (wheel or +) for the numbers"
        return [f"{rows:,}×{cols:,}{part}   drag to pan · wheel or +/− to zoom · 0 fits{hint}"]
