"""JacobianView: a LazyJacobian of any size, panned and zoomed, computing only what is on
screen. Zoomed out, every pixel row is one sampled Jacobian row and every pixel column the
entry of largest magnitude of its columns (a sparse conv row keeps its few entries); zoomed
in, the cells hold their numbers in the application's font (so presentation mode enlarges
them). Rows not yet computed are asked of a worker thread, newest view first, and drawn
hatched until they arrive.

Drag or arrow keys pan, the wheel or + and − zoom, 0 or the Fit button fits. Rows and
columns scale apart, so a 10 × 150,528 Jacobian fits as ten readable bands."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontInfo, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolButton, QToolTip, QWidget

from ...core.stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS
from ..theme import contrast_ratio
from .colormap import DIVERGING, diverging_index, to_image
from .heatmap import fmt
from .row_filler import RowFiller

ZOOM_STEP = 1.25             # per wheel notch, and per + or −
PAN_STEP = 0.2               # of the grid, per arrow key
MAX_CELLS_WITH_NUMBERS = 3000
# the darker or lighter text, whichever reads better on each colour of the scale
TEXT_ON = [max((QColor("#1f2328"), QColor("#ffffff")),
               key=lambda t, c=c: contrast_ratio(t, QColor(*map(int, c[:3]))))
           for c in DIVERGING]


def power_of_two_at_least(x: float) -> int:
    """Sampling steps are powers of two, so zooming and panning reuse computed rows."""
    return 1 if x <= 1 else 2 ** math.ceil(math.log2(x))


def tick_step(min_cells: float) -> int:
    """The smallest 1, 2, 5 × 10^k at least ``min_cells``: the spacing of index labels."""
    k = 10 ** max(0, math.floor(math.log10(max(min_cells, 1))))
    return next(m * k for m in (1, 2, 5, 10) if m * k >= min_cells)


class JacobianView(QWidget):
    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title, self.note = title, ""
        self.lazy = None
        self.sx = self.sy = 1.0          # pixels per column, per row
        self.origin = QPointF(0, 0)      # the (column, row) at the grid's top-left corner
        self.fitted = True
        self.limit = 0.0                 # colour scale ±limit: the largest |J| drawn so far
        self.asked: list[int] = []       # rows the last paint wanted and did not have
        self._drag = None
        # no parent: the filler outlives a deleted page, to hear that its rows are unwanted
        self.filler = RowFiller()
        self.filler.filled.connect(self.update)
        self.buttons = [self._button(text, tip, slot) for text, tip, slot in (
            ("−", "Zoom out (−, wheel)", lambda: self.zoom(1 / ZOOM_STEP)),
            ("+", "Zoom in (+, wheel)", lambda: self.zoom(ZOOM_STEP)),
            ("Fit", "Show the whole Jacobian (0)", self.fit))]
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.destroyed.connect(self.filler.cancel)

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton(self, text=text, toolTip=tip)
        b.setObjectName(f"jacobian_{'fit' if text == 'Fit' else 'zoom'}")
        b.clicked.connect(slot)
        return b

    # --- the Jacobian ---------------------------------------------------------------------
    def set_jacobian(self, lazy, title: str | None = None, note: str = "") -> None:
        """Show ``lazy`` (a LazyJacobian; None or one without a gradient shows ``note``). A
        small one is computed at once, as the inspector always showed it."""
        self.title = self.title if title is None else title
        self.filler.cancel()
        self.filler.failed = ""
        self.lazy = lazy if lazy is not None and lazy.available else None
        self.note = note or (lazy.note if lazy is not None else "")
        self.limit = 0.0
        if self.lazy is not None and self.small():
            self.filler.fill(self.lazy, list(range(self.lazy.shape[0])))
        for b in self.buttons:
            b.setVisible(self.lazy is not None)
        self.updateGeometry()
        self.fit()

    def focus_copy(self) -> "JacobianView | None":
        """The focus view's enlarged copy: the same Jacobian, fitted to the window."""
        if self.lazy is None:
            return None
        copy = JacobianView(self.title)
        copy.set_jacobian(self.lazy, note=self.note)
        return copy

    def small(self) -> bool:
        rows, cols = self.lazy.shape
        return rows * cols <= INTERACTIVE_JACOBIAN_CAP and rows <= INTERACTIVE_JACOBIAN_ROWS

    @property
    def matrix(self) -> np.ndarray | None:
        """The whole Jacobian if it is small (what tests and a copy may read), else None."""
        if self.lazy is None or not self.small():
            return None
        return self.lazy.dense()

    # --- geometry -------------------------------------------------------------------------
    def line(self) -> float:
        return QFontMetricsF(self.font()).height()

    def cell_for_numbers(self) -> QSize:
        """A cell that holds "-0.123" in the widget's font with a margin."""
        m = QFontMetricsF(self.font())
        return QSize(math.ceil(m.horizontalAdvance("-0.000e-00") + 8), math.ceil(m.height() + 6))

    def grid_rect(self) -> QRectF:
        """Below the title and the column indices, right of the row indices, above the
        caption."""
        m = QFontMetricsF(self.font())
        rows = self.lazy.shape[0] if self.lazy is not None else 1
        left = m.horizontalAdvance(f"{rows - 1:,}") + 10
        top = 2 * self.line() + 10
        return QRectF(left, top, max(1.0, self.width() - left - 6),
                      max(1.0, self.height() - top - 2 * self.line() - 10))

    def sizeHint(self) -> QSize:
        line = self.line()
        if self.lazy is None:
            return QSize(240, int(3 * line + 8))
        rows, cols = self.lazy.shape
        cell = self.cell_for_numbers()
        left = QFontMetricsF(self.font()).horizontalAdvance(f"{rows - 1:,}") + 16
        width = min(900, left + cols * cell.width()) if self.small() else 480
        grid = min(rows * cell.height(), 520) if self.small() else 320
        return QSize(int(max(240, width)), int(grid + 4 * line + 20))

    def to_widget(self, c: float, r: float) -> QPointF:
        g = self.grid_rect()
        return QPointF(g.left() + (c - self.origin.x()) * self.sx,
                       g.top() + (r - self.origin.y()) * self.sy)

    def to_cell(self, pos: QPointF) -> tuple[float, float]:
        """(column, row), fractional, under a widget position."""
        g = self.grid_rect()
        return (self.origin.x() + (pos.x() - g.left()) / self.sx,
                self.origin.y() + (pos.y() - g.top()) / self.sy)

    def visible(self) -> tuple[int, int, int, int]:
        """(first row, end row, first column, end column) on screen."""
        g = self.grid_rect()
        rows, cols = self.lazy.shape
        c0, r0 = max(0, math.floor(self.origin.x())), max(0, math.floor(self.origin.y()))
        c1 = min(cols, math.ceil(self.origin.x() + g.width() / self.sx))
        r1 = min(rows, math.ceil(self.origin.y() + g.height() / self.sy))
        return r0, max(r0, r1), c0, max(c0, c1)

    def _limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((smallest, largest) px per column, same per row): from half the fitted size to
        cells four times the size that holds a number."""
        g, cell = self.grid_rect(), self.cell_for_numbers()
        rows, cols = self.lazy.shape
        fit_x, fit_y = g.width() / cols, g.height() / rows
        return ((min(fit_x, cell.width()) / 2, max(fit_x, 4 * cell.width())),
                (min(fit_y, cell.height()) / 2, max(fit_y, 4 * cell.height())))

    # --- moving ---------------------------------------------------------------------------
    def fit(self) -> None:
        """The whole Jacobian in view; cells no bigger than twice a number's."""
        if self.lazy is not None:
            g, cell = self.grid_rect(), self.cell_for_numbers()
            rows, cols = self.lazy.shape
            self.sx = min(g.width() / cols, 2 * cell.width())
            self.sy = min(g.height() / rows, 2 * cell.height())
            self.origin = QPointF(0, 0)
        self.fitted = True
        self.update()

    def zoom(self, factor: float, at: QPointF | None = None) -> None:
        """Scale both ways by ``factor`` (each within its limits), keeping the cell under
        ``at`` (default: the grid's centre) where it is."""
        if self.lazy is None:
            return
        g = self.grid_rect()
        at = g.center() if at is None else at
        c, r = self.to_cell(at)
        (lo_x, hi_x), (lo_y, hi_y) = self._limits()
        self.sx = float(np.clip(self.sx * factor, lo_x, hi_x))
        self.sy = float(np.clip(self.sy * factor, lo_y, hi_y))
        self.origin = QPointF(c - (at.x() - g.left()) / self.sx,
                              r - (at.y() - g.top()) / self.sy)
        self._moved()

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) pixels."""
        self.origin = self.origin - QPointF(dx / self.sx, dy / self.sy)   # a new point
        self._moved()

    def _moved(self) -> None:
        """Keep part of the Jacobian in view."""
        rows, cols = self.lazy.shape
        g = self.grid_rect()
        self.origin = QPointF(
            float(np.clip(self.origin.x(), -g.width() / self.sx / 2, cols - 1)),
            float(np.clip(self.origin.y(), -g.height() / self.sy / 2, rows - 1)))
        self.fitted = False
        self.update()

    # --- what is drawn --------------------------------------------------------------------
    def sampled(self) -> tuple[np.ndarray, int, np.ndarray]:
        """(rows drawn, rows each stands for, column bin edges) of the visible part: at
        most one row per pixel row and one bin per pixel column, on power-of-two grids."""
        r0, r1, c0, c1 = self.visible()
        g = self.grid_rect()
        step = power_of_two_at_least((r1 - r0) / g.height())
        width = power_of_two_at_least((c1 - c0) / g.width())
        edges = np.arange(c0 - c0 % width, c1 + width, width)   # the last one >= c1
        return (np.arange(r0 - r0 % step, r1, step), step,
                np.minimum(edges, self.lazy.shape[1]))

    def shows_numbers(self) -> bool:
        """Every computed visible cell holds its number whole, in the widget's font."""
        return self.numbers() is not None

    def numbers(self) -> tuple[np.ndarray, list[str]] | None:
        """(visible block, its numbers as text) where they fit their cells, else None."""
        if self.lazy is None:
            return None
        r0, r1, c0, c1 = self.visible()
        if not 0 < (r1 - r0) * (c1 - c0) <= MAX_CELLS_WITH_NUMBERS:
            return None
        m = QFontMetricsF(self.font())
        # digits have no descenders: a row as tall as the ascent holds them whole
        if self.sy < m.ascent() + 2 or self.sx < m.horizontalAdvance("0") + 6:
            return None
        block = self.lazy.picture(range(r0, r1), range(c0, c1 + 1))
        texts = ["" if np.isnan(v) else fmt(v) for v in block.flat]
        widest = max(m.horizontalAdvance(t) for t in set(texts))
        return (block, texts) if any(texts) and widest + 6 <= self.sx else None

    def text_px(self) -> float:
        """Pixel height of the text drawn here (numbers, indices, captions): the font's."""
        return float(QFontInfo(self.font()).pixelSize())

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.TextAntialiasing)
        pal = self.palette()
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(4, 0, self.width() - 8, self.line() + 4),
                   Qt.AlignLeft | Qt.AlignVCenter, self.title)
        if self.lazy is None:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(4, self.line() + 6, self.width() - 8, self.height()),
                       Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, self.note or "—")
            return
        rows, step, edges = self.sampled()
        picture = self.lazy.picture(rows, edges)
        self._ask(rows, picture)
        p.save()
        p.setClipRect(self.grid_rect())
        self._draw_picture(p, rows, step, edges, picture)
        numbers = self.numbers()
        if numbers is not None:
            self._draw_numbers(p, *numbers)
        p.restore()
        self._draw_indices(p)
        self._draw_caption(p, numbers is not None)

    def _ask(self, rows: np.ndarray, picture: np.ndarray) -> None:
        self.asked = [int(r) for r, missing in zip(rows, np.isnan(picture).all(axis=1))
                      if missing]
        if self.asked:
            self.filler.request(self.lazy, self.asked)

    def _draw_picture(self, p: QPainter, rows, step: int, edges, picture) -> None:
        if len(rows) == 0 or len(edges) < 2:
            return
        top_left = self.to_widget(edges[0], rows[0])
        bottom_right = self.to_widget(edges[-1], rows[-1] + step)
        target = QRectF(top_left, bottom_right)
        p.fillRect(target, QBrush(self.palette().placeholderText().color(), Qt.BDiagPattern))
        finite = picture[np.isfinite(picture)]
        if finite.size:
            self.limit = max(self.limit, float(np.abs(finite).max()))
        p.drawImage(target, to_image(picture, limit=self.limit or 1.0))

    def _draw_numbers(self, p: QPainter, block: np.ndarray, texts: list[str]) -> None:
        r0, r1, c0, c1 = self.visible()
        idx, _ = diverging_index(block, self.limit or 1.0)
        p.setFont(self.font())
        pens = [TEXT_ON[i] for i in idx.flat]
        for pen in {c.name(): c for c in pens}.values():     # one setPen per colour
            p.setPen(pen)
            for k, text in enumerate(texts):
                if text and pens[k] == pen:
                    i, j = divmod(k, c1 - c0)
                    corner = self.to_widget(c0 + j, r0 + i)
                    p.drawText(QRectF(corner.x(), corner.y(), self.sx, self.sy),
                               Qt.AlignCenter, text)

    def _draw_indices(self, p: QPainter) -> None:
        """Row indices left of the grid, column indices above it, at 1-2-5 spacings."""
        r0, r1, c0, c1 = self.visible()
        g, m, line = self.grid_rect(), QFontMetricsF(self.font()), self.line()
        p.setFont(self.font())
        p.setPen(self.palette().windowText().color())
        step = tick_step(1.4 * line / self.sy)
        for r in range(r0 - r0 % step, r1, step):
            y = self.to_widget(0, r + 0.5).y()
            if g.top() <= y <= g.bottom():
                p.drawText(QRectF(0, y - line / 2, g.left() - 6, line),
                           Qt.AlignRight | Qt.AlignVCenter, f"{r:,}")
        step = tick_step((m.horizontalAdvance(f"{c1:,}") + 12) / self.sx)
        for c in range(c0 - c0 % step, c1, step):
            x = self.to_widget(c + 0.5, 0).x()
            if g.left() <= x <= g.right():
                left = min(x - 60, self.width() - 122)        # the last one stays whole
                p.drawText(QRectF(left, g.top() - line - 4, 120, line),
                           Qt.AlignHCenter | Qt.AlignBottom, f"{c:,}")

    def _draw_caption(self, p: QPainter, numbers: bool) -> None:
        rows, cols = self.lazy.shape
        r0, r1, c0, c1 = self.visible()
        g, line = self.grid_rect(), self.line()
        if self.filler.failed:
            status = self.filler.failed
        elif self.asked:
            status = f"computing {len(self.asked):,} rows…"
        else:
            status = f"colour ±{fmt(self.limit)}" + (
                "" if numbers else " · zoom in (wheel, +) for numbers")
        first = (f"{rows:,}×{cols:,} · rows {r0:,}–{max(r0, r1 - 1):,}, columns "
                 f"{c0:,}–{max(c0, c1 - 1):,} · {status}")
        second = (f"Structure: {self.lazy.structure} · " if self.lazy.structure else "") + \
            f"{self.lazy.passes:,} backward passes so far"
        p.setPen(self.palette().placeholderText().color())
        m = QFontMetricsF(self.font())
        for k, text in enumerate((first, second)):
            p.drawText(QRectF(4, g.bottom() + 4 + k * line, self.width() - 8, line),
                       Qt.AlignLeft | Qt.AlignVCenter,
                       m.elidedText(text, Qt.ElideRight, self.width() - 8))

    # --- the user's hands -----------------------------------------------------------------
    def resizeEvent(self, event):
        super().resizeEvent(event)
        x = self.width() - 4
        for b in reversed(self.buttons):
            x -= b.sizeHint().width()
            b.setGeometry(x, 0, b.sizeHint().width(), b.sizeHint().height())
            x -= 2
        if self.fitted:
            self.fit()

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        if self.lazy is None or not self.grid_rect().contains(pos):
            return None
        c, r = map(math.floor, self.to_cell(pos))
        rows, cols = self.lazy.shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    def wheelEvent(self, event):
        self.zoom(ZOOM_STEP ** (event.angleDelta().y() / 120), event.position())

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton and self.lazy is not None:
            self._drag = event.position()

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
            return
        v = self.lazy.value(*hit)
        QToolTip.showText(event.globalPosition().toPoint(), f"[{hit[0]:,}, {hit[1]:,}] = " + (
            "not computed yet" if v is None else f"{v:.6g}"), self)

    def keyPressEvent(self, event):
        g = self.grid_rect()
        moves = {Qt.Key_Left: (1, 0), Qt.Key_Right: (-1, 0), Qt.Key_Up: (0, 1),
                 Qt.Key_Down: (0, -1)}
        zooms = {Qt.Key_Plus: ZOOM_STEP, Qt.Key_Equal: ZOOM_STEP, Qt.Key_Minus: 1 / ZOOM_STEP}
        if self.lazy is not None and event.key() in moves:
            dx, dy = moves[event.key()]
            self.pan(dx * g.width() * PAN_STEP, dy * g.height() * PAN_STEP)
        elif event.key() in zooms:
            self.zoom(zooms[event.key()])
        elif event.key() == Qt.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)
