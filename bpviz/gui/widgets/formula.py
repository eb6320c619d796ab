"""Formula: LaTeX rendered as mathematics with ziamath (SVG drawn by QSvgRenderer)."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QRectF, QSize
from PySide6.QtGui import QFontInfo, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

# ziamath's time doubles with each level of nesting (14 levels of x^{ took 10-29 s, a
# hundred \sum_{ never ended): a formula costs 2^depth per group, and one over the limit is
# shown as its source (the shipped ones cost at most 24; 256 draws in about 0.25 s here)
MAX_COST = 256
MAX_LENGTH = 2000


def formula_cost(latex: str) -> int:
    """Σ 2^depth over the formula's groups ({...}) and commands (\name), depth counted in
    braces: how much work drawing it takes, roughly."""
    depth = total = 0
    for ch in latex:
        if ch == "{":
            depth += 1
            total += 2 ** min(depth, 62)
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == "\\":
            total += 2 ** min(depth, 62)
    return total


@lru_cache(maxsize=256)
def render_svg(latex: str, size: float, color: str) -> bytes:
    """SVG of ``latex``; ValueError for a formula too long or too deeply nested to draw."""
    if len(latex) > MAX_LENGTH or formula_cost(latex) > MAX_COST:
        raise ValueError("too long or too deeply nested to draw")
    import ziamath  # imported on first use: the app starts without it

    ziamath.config.svg2 = False           # SVG 2 features make Qt's renderer draw garbage
    return ziamath.Math.fromlatex(latex, size=size, color=color).svg().encode("utf-8")


FORMULA_SCALE = 1.4     # mathematics looks smaller than text of the same size


def formula_size(widget) -> float:
    """The size (pixels) formulas take beside ``widget``'s text: larger in presentation."""
    return QFontInfo(widget.font()).pixelSize() * FORMULA_SCALE


def warm(formulas, size: float, color: str) -> None:
    """Render formulas ahead of need (ziamath takes tens of ms for a new one)."""
    for latex in formulas:
        if latex:
            try:
                render_svg(latex, size, color)
            except Exception:                     # shown as text later, by Formula
                pass


class Formula(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._renderer: QSvgRenderer | None = None
        self.latex = ""
        self.error = ""
        self.fixed_size = None        # None: follow the font (formula_size)
        self.size_pt = formula_size(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def renderer(self) -> QSvgRenderer:
        """Made with the first formula: QtSvg is imported then, not before the window's first
        paint (issue 24), which shows no formula."""
        if self._renderer is None:
            from PySide6.QtSvg import QSvgRenderer

            self._renderer = QSvgRenderer(self)
        return self._renderer

    def set_latex(self, latex: str, size: float | None = None) -> None:
        """Show ``latex`` at ``size`` pixels (by default, at the size of the text around)."""
        self.latex = latex
        if size:
            self.fixed_size = size
        self.size_pt = self.fixed_size or formula_size(self)
        self.error = ""
        color = self.palette().windowText().color().name()
        if latex:
            try:
                self.renderer.load(QByteArray(render_svg(latex, self.size_pt, color)))
            except ValueError as err:               # a formula must never break the view
                self.error = f"{latex}  ({err})"
            except Exception as err:
                self.error = f"{latex}  ({type(err).__name__})"
        self.updateGeometry()
        self.update()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.fixed_size is None and self.latex:
            self.set_latex(self.latex)          # presentation mode: formulas grow with text

    def _scale(self) -> float:
        """Shrunk to the widget's width when it is narrower than the formula."""
        width = self.renderer.defaultSize().width()
        return min(1.0, (self.width() - 8) / max(width, 1))

    def text_px(self) -> float | None:
        """The formula's size on screen in pixels, for the readability measurements."""
        if not self.latex or self.error or not self.renderer.isValid():
            return None
        return self.size_pt * self._scale()

    def sizeHint(self) -> QSize:
        if not self.latex or self.error or not self.renderer.isValid():
            return QSize(200, 24 if self.error else 0)
        return self.renderer.defaultSize() + QSize(8, 8)

    def paintEvent(self, event):
        if not self.latex:
            return
        p = QPainter(self)
        if self.error or not self.renderer.isValid():
            p.drawText(self.rect(), 0, self.error or self.latex)
            return
        size = self.renderer.defaultSize()
        scale = self._scale()
        self.renderer.render(p, QRectF(4, 4, size.width() * scale, size.height() * scale))
