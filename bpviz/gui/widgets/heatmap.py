"""HeatMap: a matrix on a diverging colour scale; the numbers themselves when it is small."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...core.display.array_views import brief
from ...core.display.notation import short
from .colormap import diverging_index, to_image
from .drawing import Drawing
from .signs import ENLARGE_HINT, draw_signs, fits, signs_shown

NUMBERS_UP_TO = 12            # rows and columns: above this the cells hold colour only
IMAGE_SIDE = 1024             # larger matrices are drawn from every k-th row and column


fmt = short                  # a cell's number, in the axes' and titles' notation


def picture(matrix: np.ndarray) -> tuple:
    """(QImage, caption) of a matrix: its colours, its size and statistics."""
    rows, cols = matrix.shape
    step_r, step_c = -(-rows // IMAGE_SIDE), -(-cols // IMAGE_SIDE)
    # a screen has no room for more pixels than this: no need to colour them all
    image = to_image(matrix[::step_r, ::step_c])
    lo, hi, mean = brief(matrix)
    caption = f"{rows}×{cols}   min {fmt(lo)}   max {fmt(hi)}   mean {fmt(mean)}"
    if step_r > 1 or step_c > 1:
        caption += f"   (drawn from every {max(step_r, step_c)}th entry)"
    return image, caption


class HeatMap(QWidget):
    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.matrix: np.ndarray | None = None
        self.drawing: Drawing | None = None      # makes image and caption
        self.image = None                        # None while a worker thread draws it
        self.caption = ""
        self.note = ""
        self.row_labels = self.col_labels = None     # names (e.g. classes), for the enlarged view
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)   # never squeezed flat

    def set_array(self, matrix, title: str | None = None, note: str = "",
                  row_labels=None, col_labels=None) -> None:
        """Show a 2-D array (None clears it and shows ``note`` instead). ``row_labels`` and
        ``col_labels``, one name per row or column (class names), label it when enlarged.
        A large one's colours and caption are made on a worker thread (``drawing``)."""
        hint = self.sizeHint()
        if title is not None:
            self.title = title
        self.note = note
        matrix = None if matrix is None else np.asarray(matrix, dtype=float)
        if matrix is not None:
            rows, cols = matrix.shape
            for names, n, what in ((row_labels, rows, "rows"), (col_labels, cols, "columns")):
                if names is not None and len(names) != n:
                    raise ValueError(f"{len(names)} names for {n} {what}")
        # the same shape (training, a step back and forth): the last picture stays until
        # the new one comes, rather than a blank that flickers at every update
        keep = matrix is not None and self.matrix is not None and \
            matrix.shape == self.matrix.shape
        self.matrix = matrix
        self.row_labels, self.col_labels = row_labels, col_labels
        self._draw(None if matrix is None else Drawing(lambda: picture(matrix), matrix.size),
                   keep)
        if self.sizeHint() != hint:            # else the page need not be laid out again
            self.updateGeometry()
        self.update()

    def _draw(self, drawing: Drawing | None, keep: bool = False) -> None:
        if self.drawing is not None:
            self.drawing.forget(self)
        self.drawing = drawing
        if not keep:
            self.image, self.caption = None, ""
        if drawing is not None:
            drawing.when_done(self, lambda: self._drawn(drawing))

    def _drawn(self, drawing: Drawing) -> None:
        if drawing is self.drawing:             # not one that an update replaced
            self.image, self.caption = drawing.result()
            self.update()

    def _cells(self) -> np.ndarray:
        """The matrix shown, where one is (without, the widget draws its note only)."""
        assert self.matrix is not None, "asked for the cells of a heat map showing none"
        return self.matrix

    def _cell_size(self) -> QSizeF:
        """The cell that holds the widest number in the widget's own font (the app's,
        enlarged in presentation mode): numbers are never drawn smaller than the text."""
        metrics = QFontMetricsF(self.font())
        texts = [fmt(v) for v in self._cells().ravel()]
        width = max(metrics.horizontalAdvance(t) for t in texts) + 8
        return QSizeF(max(width, metrics.height() + 8), metrics.height() + 6)

    def small_enough(self) -> bool:
        """Few enough rows and columns to write every number."""
        return (self.matrix is not None and self.matrix.shape[0] <= NUMBERS_UP_TO
                and self.matrix.shape[1] <= NUMBERS_UP_TO)

    def shows_numbers(self) -> bool:
        """Every number fits its cell at full size in the width the widget has."""
        if self.matrix is None or not self.small_enough():
            return False
        rows, cols = self.matrix.shape
        return self._cell_size().width() * cols <= self.width() - 8 + 1e-6

    def text_px(self) -> float:
        """The height of the text drawn (title, caption, numbers: all in the widget's font)
        in pixels, for the readability tests."""
        return float(QFontInfo(self.font()).pixelSize())

    def sizeHint(self) -> QSize:
        line = QFontMetricsF(self.font()).height()
        if self.matrix is None:
            return QSize(240, int(2 * line + 16))
        rows, cols = self.matrix.shape
        if self.small_enough():
            cell = self._cell_size()
            width, height = cell.width() * cols, cell.height() * rows
        else:
            cell = max(2, min(14, 320 // max(cols, 1)))
            width, height = min(cols * cell, 640), min(360, rows * max(cell, 16))
        return QSize(math.ceil(max(240, width + 8)), math.ceil(height + 3 * line + 12))   # title, 2 caption lines

    def _grid_rect(self) -> QRectF:
        rows, cols = self._cells().shape
        line = QFontMetricsF(self.font()).height()
        avail = QRectF(4, line + 4, self.width() - 8, self.height() - 3 * line - 10)
        if self.shows_numbers():
            cell = self._cell_size()
            cw, ch = cell.width(), min(cell.height(), avail.height() / rows)
        else:
            cw = min(avail.width() / cols, 24)
            ch = min(max(cw, 16.0), avail.height() / rows)      # short rows stay readable bars
        return QRectF(avail.left(), avail.top(), cw * cols, ch * rows)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        pal = self.palette()
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(pal.windowText().color())
        line = QFontMetricsF(bold).height()
        p.drawText(QRectF(4, 0, self.width() - 8, line + 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.title)
        p.setFont(self.font())
        if self.matrix is None:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(4, line + 4, self.width() - 8, self.height() - line - 4),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self.note or "—")
            return
        rect = self._grid_rect()
        if self.image is None:                  # on its way from the worker thread
            p.fillRect(rect, pal.alternateBase())
        else:
            p.drawImage(rect, self.image)
        if self.shows_numbers():
            self._draw_numbers(p, rect)
        elif signs_shown():
            draw_signs(p, self.matrix, rect, None, self.text_px())
        p.setPen(pal.placeholderText().color())
        caption = self.caption_text()
        p.drawText(QRectF(4, rect.bottom() + 2, self.width() - 8, 2 * line + 2),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, caption)

    def caption_text(self) -> str:
        """What is written under the cells: size and statistics, and what to do to read more
        (the numbers, the signs) where the cells are too small for them."""
        caption = (self.caption or "drawing…") + (f"   {self.note}" if self.note else "")
        if self.small_enough() and not self.shows_numbers():
            caption += "   double-click for the numbers"
        if signs_shown() and not self.shows_numbers() and self.matrix is not None:
            rows, cols = self.matrix.shape
            grid = self._grid_rect()
            if not fits(grid.width() / cols, grid.height() / rows, self.text_px()):
                caption += f"   {ENLARGE_HINT}"
        return caption

    def _draw_numbers(self, p: QPainter, rect: QRectF) -> None:
        matrix = self._cells()
        rows, cols = matrix.shape
        cw, ch = rect.width() / cols, rect.height() / rows
        p.setFont(self.font())
        idx, _ = diverging_index(matrix)
        for r in range(rows):
            for c in range(cols):
                dark = abs(int(idx[r, c]) - 128) > 80          # white text on deep colours
                p.setPen(QColor("#ffffff") if dark else QColor("#1f2328"))
                p.drawText(QRectF(rect.left() + c * cw, rect.top() + r * ch, cw, ch),
                           Qt.AlignmentFlag.AlignCenter, fmt(matrix[r, c]))

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




def named_heatmap(name: str, title: str, matrix, note: str = "") -> HeatMap:
    """A heat map showing ``matrix`` under ``title``, found by tests and lessons by ``name``."""
    heatmap = HeatMap(title)
    heatmap.setObjectName(name)
    heatmap.set_array(matrix, note=note)
    return heatmap
