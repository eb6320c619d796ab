"""MatrixViewport: a window onto the cells of a matrix of any size. It fits (0), zooms
about the mouse (wheel, + and −) and pans (drag, arrow keys); it names the cell under the
mouse, writes the numbers once every one on screen fits its cell whole (in the application's
font, or down to 16 px), and names rows and columns along the edges, every round k-th where
the cells are smaller than the names. Only the cells on screen are asked for.

Where the cells come from is a subclass's: a dense array (MatrixView, the enlarged view's
enlarged heat map) or rows computed on demand by a worker (JacobianView). Rows and
columns scale apart (``sx``, ``sy``: pixels per column, per row), so a 1×150,528 row is a
band, not a hairline.

Zooming and panning change the picture only, never the widget's size or size hint, and
the viewport has no scroll bars: a view in a scroll area cannot make that area's scroll
bars come and go (issue 25)."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QPainter, QTransform
from PySide6.QtWidgets import QToolTip, QWidget

from ..theme import PROJECTOR_READABLE_PX
from .colormap import DIVERGING, diverging_index, text_on
from .heatmap import fmt
from .matrix_margins import draw_caption, draw_names
from .signs import ZOOM_HINT, draw_signs, fits, signs_shown

ZOOM_STEP = 1.25             # per wheel notch, and per + or −
PAN_STEP = 0.2               # of the grid, per arrow key
MAX_CELL = 400.0             # px: zoomed in no further (unless the fitted cells are bigger)
NUMBERS_AT_MOST = 3000       # cells on screen: more than this and they hold colour only
# the text colour with the higher contrast on each colour of the scale
TEXT_ON = text_on(DIVERGING)
PANS = {Qt.Key.Key_Left: (1, 0), Qt.Key.Key_Right: (-1, 0), Qt.Key.Key_Up: (0, 1),
        Qt.Key.Key_Down: (0, -1)}
ZOOMS = {Qt.Key.Key_Plus: ZOOM_STEP, Qt.Key.Key_Equal: ZOOM_STEP,
         Qt.Key.Key_Minus: 1 / ZOOM_STEP}


class MatrixViewport(QWidget):
    """Cells (rows, cols) under a zoom (``sx``, ``sy``) and a pan (``origin``: the
    fractional (column, row) at the grid's top-left corner). A subclass says what it
    shows: ``shape()``, ``block()``, ``readout()``, ``fit_scale()`` and ``draw_cells()``."""

    title_lines = 0        # lines of title above the column names
    caption_lines = 1      # lines of caption below the grid
    centred = True         # a fitted matrix sits in the middle (else at the top left)
    missing_as_nan = False  # block() gives NaN for cells not known yet: no number written

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title, self.note = "", ""         # the note shows when there is no matrix
        self.row_labels: list[str] | None = None
        self.col_labels: list[str] | None = None
        self.sx, self.sy, self.origin = 1.0, 1.0, QPointF(0, 0)
        self.fitted = True          # until the user pans or zooms: refit on each resize
        # set by the enlarged view: where the fit has less than a pixel per row or column (a
        # 4096×4096 Jacobian), open on the top-left corner with its numbers instead, until
        # the user pans, zooms or fits
        self.corner_if_dense = False
        self.caption_rows = 0       # lines the caption wraps into (at least caption_lines)
        self.limit = 0.0            # the colour scale is ±limit
        self._drag: QPointF | None = None
        self._widths: dict[tuple, float] = {}          # (font, shape) -> widest row name
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)

    # --- what a subclass shows --------------------------------------------------------------
    def shape(self) -> tuple[int, int] | None:
        """(rows, columns), or None when there is nothing to show."""
        raise NotImplementedError

    def block(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """(r1 - r0, c1 - c0): the values of those rows and columns."""
        raise NotImplementedError

    def readout(self, r: int, c: int) -> str:
        """What the tooltip says of cell (r, c)."""
        raise NotImplementedError

    def fit_scale(self, grid: QRectF, rows: int, cols: int) -> tuple[float, float]:
        """(sx, sy) that show the whole matrix in ``grid``."""
        raise NotImplementedError

    def draw_cells(self, p: QPainter) -> None:
        """The colours of the visible cells (clipped to the grid)."""
        raise NotImplementedError

    def caption(self, numbers: bool) -> list[str]:
        """``caption_lines`` lines under the grid; ``numbers``: the numbers are shown."""
        raise NotImplementedError

    # --- geometry ---------------------------------------------------------------------------
    def line(self) -> float:
        return QFontMetricsF(self.font()).height()

    def text_px(self) -> float:
        """The smallest text drawn, in pixels: the font's (numbers are never smaller)."""
        return float(QFontInfo(self.font()).pixelSize())

    def row_name(self, r: int) -> str:
        return self.row_labels[r] if self.row_labels else f"{r:,}"

    def col_name(self, c: int) -> str:
        return self.col_labels[c] if self.col_labels else f"{c:,}"

    def names_width(self) -> float:
        """The widest row name in the current font (measured once per font and shape)."""
        shape = self.shape()
        key = (self.font().key(), shape)
        if key not in self._widths:
            metrics = QFontMetricsF(self.font())
            names = self.row_labels or ([self.row_name(shape[0] - 1)] if shape else [""])
            self._widths[key] = max(metrics.horizontalAdvance(n) for n in names)
        return self._widths[key]

    def cell_for_numbers(self) -> QSizeF:
        """A cell that holds "-0.000e-00" in the widget's font with a margin."""
        m = QFontMetricsF(self.font())
        return QSizeF(math.ceil(m.horizontalAdvance("-0.000e-00") + 8), math.ceil(m.height() + 6))

    def grid_rect(self) -> QRectF:
        """The widget less the title and the column names above, the row names left and
        the caption below."""
        line = self.line()
        left = min(self.names_width() + 12, self.width() * 0.3)
        top = (self.title_lines + 1) * line + 8
        bottom = max(self.caption_lines, self.caption_rows) * line + 8
        return QRectF(left, top, max(1.0, self.width() - left - 6),
                      max(1.0, self.height() - top - bottom))

    def transform(self) -> QTransform:
        """Cell coordinates (column, row) to widget pixels."""
        g = self.grid_rect()
        return QTransform(self.sx, 0, 0, self.sy, g.left() - self.origin.x() * self.sx,
                          g.top() - self.origin.y() * self.sy)

    def to_widget(self, c: float, r: float) -> QPointF:
        return self.transform().map(QPointF(c, r))

    def to_cell(self, pos: QPointF) -> tuple[float, float]:
        """(column, row), fractional, under a widget position."""
        cell = self.transform().inverted()[0].map(QPointF(pos))
        return cell.x(), cell.y()

    def visible(self) -> tuple[int, int, int, int]:
        """(first row, end row, first column, end column) of the cells on screen."""
        shape = self.shape()
        if shape is None:
            return 0, 0, 0, 0
        g, (rows, cols) = self.grid_rect(), shape
        r0, c0 = max(0, math.floor(self.origin.y())), max(0, math.floor(self.origin.x()))
        r1 = min(rows, math.ceil(self.origin.y() + g.height() / self.sy))
        c1 = min(cols, math.ceil(self.origin.x() + g.width() / self.sx))
        return r0, max(r0, r1), c0, max(c0, c1)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(row, column) under a widget position, or None."""
        shape = self.shape()
        if shape is None or not self.grid_rect().contains(QPointF(pos)):
            return None
        c, r = map(math.floor, self.to_cell(pos))
        return (r, c) if 0 <= r < shape[0] and 0 <= c < shape[1] else None

    def zoom_limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((least, most) px per column, the same per row): from half the fitted size (or
        of a cell that holds a number, if smaller) to MAX_CELL (or the fitted size)."""
        g, cell, shape = self.grid_rect(), self.cell_for_numbers(), self.shape()
        assert shape is not None, "zoomed only while a matrix is shown"
        rows, cols = shape
        fit_x, fit_y = g.width() / cols, g.height() / rows
        return ((min(fit_x, cell.width()) / 2, max(fit_x, MAX_CELL)),
                (min(fit_y, cell.height()) / 2, max(fit_y, MAX_CELL)))

    # --- moving -----------------------------------------------------------------------------
    def fit(self) -> None:
        """The whole matrix in view."""
        self.corner_if_dense = False
        self._fit()

    def dense(self) -> bool:
        """Fitted, a row or a column would be less than a pixel."""
        return self.sx < 1 or self.sy < 1

    def show_corner(self) -> None:
        """The top-left cells, each at least the size of a cell that holds a number, as
        many whole rows and columns as fill the grid (08.6 cut its last row and column)."""
        cell, g = self.cell_for_numbers(), self.grid_rect()
        self.sx = g.width() / max(1, math.floor(g.width() / cell.width()))
        self.sy = g.height() / max(1, math.floor(g.height() / cell.height()))
        self.origin, self.fitted = QPointF(0, 0), False
        self.update()

    def _fit(self) -> None:
        shape = self.shape()
        if shape is not None:
            g, (rows, cols) = self.grid_rect(), shape
            self.sx, self.sy = (max(1e-3, s) for s in self.fit_scale(g, rows, cols))
            self.origin = QPointF(-(g.width() / self.sx - cols) / 2,
                                  -(g.height() / self.sy - rows) / 2) \
                if self.centred else QPointF(0, 0)
        self.fitted = True
        self.update()

    def zoom(self, factor: float, at: QPointF | None = None) -> None:
        """Scale both ways by ``factor`` (each within its limits), keeping the cell under
        ``at`` (default: the grid's centre) where it is."""
        if (shape := self.shape()) is None:
            return
        g = self.grid_rect()
        at = g.center() if at is None else QPointF(at)
        c, r = self.to_cell(at)
        (lo_x, hi_x), (lo_y, hi_y) = self.zoom_limits()
        self.sx = float(np.clip(self.sx * factor, lo_x, hi_x))
        self.sy = float(np.clip(self.sy * factor, lo_y, hi_y))
        self.origin = QPointF(c - (at.x() - g.left()) / self.sx,
                              r - (at.y() - g.top()) / self.sy)
        self._moved(shape)

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) pixels."""
        if (shape := self.shape()) is None:
            return
        # a new point, not -=: whoever read the old origin keeps it
        self.origin = self.origin - QPointF(dx / self.sx, dy / self.sy)
        self._moved(shape)

    def _moved(self, shape: tuple[int, int]) -> None:
        """Keep part of the matrix in view; only the picture changes (no geometry)."""
        rows, cols = shape
        g = self.grid_rect()
        self.origin = QPointF(
            float(np.clip(self.origin.x(), -g.width() / self.sx / 2, cols - 1)),
            float(np.clip(self.origin.y(), -g.height() / self.sy / 2, rows - 1)))
        self.fitted = self.corner_if_dense = False
        self.update()

    # --- numbers ----------------------------------------------------------------------------
    def number_font(self, texts: list[str] | None = None) -> QFont:
        """The font of the numbers ``texts`` (default: those on screen)."""
        return self.fitted_font(self.text_px(), texts)

    def fitted_font(self, px: float, texts: list[str] | None = None) -> QFont:
        """The font at ``px`` pixels, smaller (down to a projector's readable 16 px, never
        below the application's font) until the widest of ``texts`` fits a cell."""
        if texts is None:
            texts = (self.visible_numbers() or (None, []))[1]
        font, least = QFont(self.font()), min(self.text_px(), PROJECTOR_READABLE_PX)
        size = int(max(least, math.floor(px)))
        font.setPixelSize(size)
        while size > least and any(texts) and (not self.row_holds_digits(QFontMetricsF(font))
                                               or max(QFontMetricsF(font).horizontalAdvance(t)
                                                      for t in set(texts)) + 6 > self.sx):
            size -= 1
            font.setPixelSize(size)
        return font

    def visible_numbers(self) -> tuple[np.ndarray, list[str]] | None:
        """(visible block, its numbers as text), None when too many are on screen."""
        r0, r1, c0, c1 = self.visible()
        if not 0 < (r1 - r0) * (c1 - c0) <= NUMBERS_AT_MOST:
            return None
        block = self.block(r0, r1, c0, c1)
        return block, ["" if self.missing_as_nan and np.isnan(v) else fmt(v)
                       for v in block.flat]

    def numbers(self) -> tuple[np.ndarray, list[str]] | None:
        """(visible block, its numbers as text) when each fits its cell whole, else None."""
        m = QFontMetricsF(self.fitted_font(0, []))       # the least size
        small = not self.row_holds_digits(m) or self.sx < m.horizontalAdvance("0") + 6
        shown = None if small else self.visible_numbers()
        if shown is None or not any(shown[1]):
            return None
        block, texts = shown
        m = QFontMetricsF(self.number_font(texts))
        widest = max(m.horizontalAdvance(t) for t in set(texts))
        return (block, texts) if widest + 6 <= self.sx and self.row_holds_digits(m) else None

    def row_holds_digits(self, m: QFontMetricsF) -> bool:
        """A row holds numbers in font ``m``, 2 px clear above and below the digits (no
        descenders, no accents: 03.5's 32 rows at 1280x720 hold 16 px digits, 12 px tall)."""
        return m.tightBoundingRect("0123456789.-+e").height() + 4 <= self.sy

    def shows_numbers(self) -> bool:
        """True when every number on screen fits its cell whole, at a readable size."""
        return self.numbers() is not None

    # --- drawing ----------------------------------------------------------------------------
    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if self.title_lines:
            p.setPen(self.palette().windowText().color())
            p.drawText(QRectF(4, 0, self.width() - 8, self.line() + 4),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        if self.shape() is None:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(QRectF(4, self.title_lines * (self.line() + 6), self.width() - 8,
                              self.height()), Qt.AlignmentFlag.AlignLeft
                       | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self.note or "—")
            return
        p.save()
        p.setClipRect(self.grid_rect())
        self.draw_cells(p)
        numbers, hint = self.numbers(), []
        if numbers is not None:
            self._draw_numbers(p, *numbers)
        elif signs_shown() and not self._draw_signs(p):
            hint = [ZOOM_HINT]
        p.restore()
        draw_names(self, p)
        rows = draw_caption(self, p, self.caption(numbers is not None) + hint)
        if rows > max(self.caption_lines, self.caption_rows):
            self.caption_rows = rows            # the next paint's grid makes room
            self._room_changed()

    def _draw_signs(self, p: QPainter) -> bool:
        """+ and − in the visible cells (View ▸ Signs in Heat Maps); False when too small."""
        if not fits(self.sx, self.sy, self.text_px()):
            return False
        r0, r1, c0, c1 = self.visible()
        rect = self.transform().mapRect(QRectF(c0, r0, c1 - c0, r1 - r0))
        return draw_signs(p, self.block(r0, r1, c0, c1), rect, self.limit or None,
                          self.text_px())

    def _draw_numbers(self, p: QPainter, block: np.ndarray, texts: list[str]) -> None:
        r0, r1, c0, c1 = self.visible()
        idx, _ = diverging_index(block, self.limit or 1.0)
        p.setFont(self.number_font(texts))
        t = self.transform()
        pens = [TEXT_ON[i] for i in idx.flat]
        for pen in {c.name(): c for c in pens}.values():     # one setPen per colour
            p.setPen(pen)
            for k, text in enumerate(texts):
                if text and pens[k] == pen:
                    i, j = divmod(k, c1 - c0)
                    p.drawText(t.mapRect(QRectF(c0 + j, r0 + i, 1, 1)),
                               Qt.AlignmentFlag.AlignCenter, text)

    def _room_changed(self) -> None:
        if self.fitted:
            self._fit()
        elif self.corner_if_dense:
            self.show_corner()
        else:
            self.update()

    # --- the user's hands -------------------------------------------------------------------
    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.caption_rows = 0                  # wrapped again at the new width
        if self.fitted or self.corner_if_dense:
            self._fit()
            if self.corner_if_dense and self.dense():
                self.show_corner()

    def wheelEvent(self, event):
        if self.shape() is None:
            event.ignore()
            return
        self.zoom(ZOOM_STEP ** (event.angleDelta().y() / 120), event.position())

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self.shape() is not None:
            self._drag = event.position()
        else:
            event.ignore()

    def mouseDoubleClickEvent(self, event):
        # not a press: the double-click goes up to the window, which enlarges this view
        event.ignore()

    def mouseReleaseEvent(self, event):
        self._drag = None

    def mouseMoveEvent(self, event):
        if self._drag is not None:
            delta, self._drag = event.position() - self._drag, event.position()
            self.pan(delta.x(), delta.y())
            return
        hit = self.cell_at(event.position())
        if hit is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.readout(*hit), self)

    def keyPressEvent(self, event):
        key = event.key()
        if self.shape() is not None and key in PANS:
            g, (dx, dy) = self.grid_rect(), PANS[key]
            self.pan(dx * g.width() * PAN_STEP, dy * g.height() * PAN_STEP)
        elif key in ZOOMS:
            self.zoom(ZOOMS[key])
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)       # F, Esc: the window's
