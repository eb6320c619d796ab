"""HeatMap: a matrix on a diverging colour scale; the numbers themselves when it is small."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...core.array_views import brief
from .colormap import diverging_index, to_image

NUMBERS_UP_TO = 12            # rows and columns: above this the cells hold colour only
IMAGE_SIDE = 1024             # larger matrices are drawn from every k-th row and column


def fmt(v: float) -> str:
    if not np.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    return f"{v:.1e}"


class HeatMap(QWidget):
    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.matrix: np.ndarray | None = None
        self.image = None
        self.caption = ""
        self.note = ""
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def set_array(self, matrix, title: str | None = None, note: str = "") -> None:
        """Show a 2-D array (None clears it and shows ``note`` instead)."""
        if title is not None:
            self.title = title
        self.note = note
        if matrix is None:
            self.matrix, self.image, self.caption = None, None, ""
        else:
            self.matrix = np.asarray(matrix, dtype=float)
            rows, cols = self.matrix.shape
            step_r, step_c = -(-rows // IMAGE_SIDE), -(-cols // IMAGE_SIDE)
            # a screen has no room for more pixels than this: no need to colour them all
            self.image = to_image(self.matrix[::step_r, ::step_c])
            lo, hi, mean = brief(self.matrix)
            self.caption = f"{rows}×{cols}   min {fmt(lo)}   max {fmt(hi)}   mean {fmt(mean)}"
            if step_r > 1 or step_c > 1:
                self.caption += f"   (drawn from every {max(step_r, step_c)}th entry)"
        self.updateGeometry()
        self.update()

    def shows_numbers(self) -> bool:
        return (self.matrix is not None and self.matrix.shape[0] <= NUMBERS_UP_TO
                and self.matrix.shape[1] <= NUMBERS_UP_TO)

    def sizeHint(self) -> QSize:
        if self.matrix is None:
            return QSize(240, 48)
        rows, cols = self.matrix.shape
        cell = 34 if self.shows_numbers() else max(2, min(14, 320 // max(cols, 1)))
        return QSize(max(240, cols * cell), min(360, rows * max(cell, 16)) + 44)

    def _grid_rect(self) -> QRectF:
        rows, cols = self.matrix.shape
        avail = QRectF(4, 20, self.width() - 8, self.height() - 42)
        cw = min(avail.width() / cols, 34 if self.shows_numbers() else 24)
        ch = min(max(cw, 16.0), avail.height() / rows)      # short rows stay readable bars
        return QRectF(avail.left(), avail.top(), cw * cols, ch * rows)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.TextAntialiasing)
        pal = self.palette()
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(4, 0, self.width() - 8, 18), Qt.AlignLeft | Qt.AlignVCenter, self.title)
        p.setFont(self.font())
        if self.matrix is None:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(4, 20, self.width() - 8, self.height() - 20),
                       Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, self.note or "—")
            return
        rect = self._grid_rect()
        p.drawImage(rect, self.image)
        if self.shows_numbers():
            self._draw_numbers(p, rect)
        p.setPen(pal.placeholderText().color())
        p.drawText(QRectF(4, rect.bottom() + 2, self.width() - 8, 18),
                   Qt.AlignLeft | Qt.AlignVCenter, self.caption + (f"   {self.note}" if self.note else ""))

    def _draw_numbers(self, p: QPainter, rect: QRectF) -> None:
        rows, cols = self.matrix.shape
        cw, ch = rect.width() / cols, rect.height() / rows
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(9.0, cw / 5)))
        p.setFont(font)
        idx, _ = diverging_index(self.matrix)
        metrics = QFontMetricsF(font)
        for r in range(rows):
            for c in range(cols):
                dark = abs(int(idx[r, c]) - 128) > 80          # white text on deep colours
                p.setPen(QColor("#ffffff") if dark else QColor("#1f2328"))
                text = metrics.elidedText(fmt(self.matrix[r, c]), Qt.ElideRight, cw - 2)
                p.drawText(QRectF(rect.left() + c * cw, rect.top() + r * ch, cw, ch),
                           Qt.AlignCenter, text)

    def value_at(self, pos):
        """(row, col, value) under a widget position, or None."""
        if self.matrix is None:
            return None
        rect = self._grid_rect()
        if not rect.contains(pos):
            return None
        rows, cols = self.matrix.shape
        r = min(rows - 1, int((pos.y() - rect.top()) / rect.height() * rows))
        c = min(cols - 1, int((pos.x() - rect.left()) / rect.width() * cols))
        return r, c, float(self.matrix[r, c])

    def mouseMoveEvent(self, event):
        hit = self.value_at(event.position())
        if hit:
            r, c, v = hit
            QToolTip.showText(event.globalPosition().toPoint(), f"[{r}, {c}] = {v:.6g}", self)
        else:
            QToolTip.hideText()


