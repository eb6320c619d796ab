"""JacobianView: a LazyJacobian of any size in a MatrixViewport, computing only what is on
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
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolButton

from ...core.backprop.jacobian import LazyJacobian
from ...core.backprop.stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS
from .colormap import to_image
from .heatmap import fmt
from .matrix_viewport import ZOOM_STEP, MatrixViewport
from .row_filler import RowFiller


def power_of_two_at_least(x: float) -> int:
    """Sampling steps are powers of two, so zooming and panning reuse computed rows."""
    return 1 if x <= 1 else 2 ** math.ceil(math.log2(x))


class JacobianView(MatrixViewport):
    title_lines = 1
    caption_lines = 2
    centred = False                # a small Jacobian sits under its title, at the left
    missing_as_nan = True          # rows not computed yet come as NaN

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.lazy: LazyJacobian | None = None
        self.asked: list[int] = []       # rows the last paint wanted and did not have
        # no parent: the filler outlives a deleted page, to hear that its rows are unwanted
        self.filler = RowFiller()
        self.filler.filled.connect(self.update)
        self.buttons = [self._button(text, tip, slot) for text, tip, slot in (
            ("−", "Zoom out (−, wheel)", lambda: self.zoom(1 / ZOOM_STEP)),
            ("+", "Zoom in (+, wheel)", lambda: self.zoom(ZOOM_STEP)),
            ("Fit", "Show the whole Jacobian (0)", self.fit))]
        # a screen reader says "Zoom out", not "minus" (the symbol is the button's text)
        for button, name in zip(self.buttons, ("Zoom out of the Jacobian",
                                               "Zoom into the Jacobian", "Fit the Jacobian"), strict=False):
            button.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.destroyed.connect(self.filler.cancel)

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
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

    def focus_copy(self) -> JacobianView | None:
        """The enlarged view's enlarged copy: the same Jacobian, fitted to the window."""
        if self.lazy is None:
            return None
        copy = JacobianView(self.title)
        copy.set_jacobian(self.lazy, note=self.note)
        return copy

    def _jacobian(self) -> LazyJacobian:
        """The Jacobian shown, where one is (without, the view draws its note only)."""
        assert self.lazy is not None, "asked for the cells of a JacobianView showing none"
        return self.lazy

    def small(self) -> bool:
        rows, cols = self._jacobian().shape
        return rows * cols <= INTERACTIVE_JACOBIAN_CAP and rows <= INTERACTIVE_JACOBIAN_ROWS

    @property
    def matrix(self) -> np.ndarray | None:
        """The whole Jacobian if it is small (what tests and a copy may read), else None."""
        if self.lazy is None or not self.small():
            return None
        return self.lazy.dense()

    # --- the viewport's cells -------------------------------------------------------------
    def shape(self) -> tuple[int, int] | None:
        return None if self.lazy is None else self.lazy.shape

    def block(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        return self._jacobian().picture(range(r0, r1), range(c0, c1 + 1))

    def readout(self, r: int, c: int) -> str:
        v = self._jacobian().value(r, c)
        return f"[{r:,}, {c:,}] = " + ("not computed yet" if v is None else f"{v:.6g}")

    def fit_scale(self, grid: QRectF, rows: int, cols: int) -> tuple[float, float]:
        """Cells no bigger than twice a number's."""
        cell = self.cell_for_numbers()
        return (min(grid.width() / cols, 2 * cell.width()),
                min(grid.height() / rows, 2 * cell.height()))

    def sizeHint(self) -> QSize:
        """From the Jacobian's shape and the font only: zooming never changes it."""
        line = self.line()
        if self.lazy is None:
            return QSize(240, int(3 * line + 8))
        rows, cols = self.lazy.shape
        cell = self.cell_for_numbers()
        left = QFontMetricsF(self.font()).horizontalAdvance(f"{rows - 1:,}") + 16
        width = min(900, left + cols * cell.width()) if self.small() else 480
        grid = min(rows * cell.height(), 520) if self.small() else 320
        return QSize(int(max(240, width)), int(grid + 4 * line + 20))

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
                np.minimum(edges, self._jacobian().shape[1]))

    def draw_cells(self, p: QPainter) -> None:
        rows, step, edges = self.sampled()
        picture = self._jacobian().picture(rows, edges)
        self._ask(rows, picture)
        if len(rows) == 0 or len(edges) < 2:
            return
        target = self.transform().mapRect(QRectF(edges[0], rows[0], edges[-1] - edges[0],
                                                 rows[-1] + step - rows[0]))
        if np.isnan(picture).any():      # hatched under the rows still to come
            p.fillRect(target, QBrush(self.palette().placeholderText().color(),
                                      Qt.BrushStyle.BDiagPattern))
        finite = picture[np.isfinite(picture)]
        if finite.size:
            self.limit = max(self.limit, float(np.abs(finite).max()))
        p.drawImage(target, to_image(picture, limit=self.limit or 1.0))

    def _ask(self, rows: np.ndarray, picture: np.ndarray) -> None:
        self.asked = [int(r) for r, missing in zip(rows, np.isnan(picture).all(axis=1), strict=False)
                      if missing]
        if self.asked:
            self.filler.request(self._jacobian(), self.asked)

    def caption(self, numbers: bool) -> list[str]:
        lazy = self._jacobian()
        rows, cols = lazy.shape
        r0, r1, c0, c1 = self.visible()
        if self.filler.failed:
            status = self.filler.failed
        elif self.asked:
            status = f"computing {len(self.asked):,} rows…"
        else:
            status = f"colour ±{fmt(self.limit)}"
        # the count on the first line: the structure alone fits one line (03.5's 32 rows
        # then hold their numbers at 1280x720)
        passes = lazy.passes
        hint = "" if numbers else " · zoom in (wheel, +) for numbers"
        return [f"{rows:,}×{cols:,} · rows {r0:,}–{max(r0, r1 - 1):,}, columns "
                f"{c0:,}–{max(c0, c1 - 1):,} · {status} · {passes:,} backward "
                f"pass{'' if passes == 1 else 'es'} so far{hint}",
                f"Structure: {lazy.structure}" if lazy.structure else ""]

    def resizeEvent(self, event):
        x = self.width() - 4
        for b in reversed(self.buttons):
            x -= b.sizeHint().width()
            b.setGeometry(x, 0, b.sizeHint().width(), b.sizeHint().height())
            x -= 2
        super().resizeEvent(event)
