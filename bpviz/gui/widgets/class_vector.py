"""ClassVector: a vector with one value per class (the one-hot target, logits, softmax
probabilities, a gradient over classes, each class's loss term), one line per class: the
class name, the number and a bar (red > 0, blue < 0, from a common zero). The true class,
where known, is bold and marked with ▶."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from .colormap import DIVERGING
from .heatmap import fmt
from .image_grid import bold, wrapped_height

POSITIVE = QColor(*DIVERGING[230][:3])
NEGATIVE = QColor(*DIVERGING[25][:3])
TRUE_MARK = "▶ "             # before the true class's name


class ClassVector(QWidget):
    def __init__(self, title: str = "", values=(), names=(), true_class: int | None = None,
                 parent=None):
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.title, self.values = "", np.zeros(0)
        self.names: list[str] = []
        self.true_class: int | None = None
        self.set_values(title, values, names, true_class)

    def set_values(self, title: str, values, names, true_class: int | None = None) -> None:
        """Show ``values``, one per class in ``names``; ``true_class`` marked."""
        relayout = (title, list(names)) != (self.title, self.names)
        self.title = title
        self.values = np.asarray(values, dtype=float).ravel()
        self.names = list(names)
        self.true_class = true_class
        if relayout:                           # the same lines: the page keeps its layout
            self.updateGeometry()
        self.setAccessibleName(title or "one value per class")
        self.setAccessibleDescription(self.read_aloud())
        self.update()

    def read_aloud(self, limit: int = 20) -> str:
        """What a screen reader says: each line as text, the true class marked, the first
        ``limit`` lines and then how many more."""
        shown = min(len(self.values), len(self.names), limit)
        lines = [self.text_of(k) for k in range(shown)]
        more = min(len(self.values), len(self.names)) - shown
        return "; ".join(lines) + (f"; and {more:,} more classes" if more > 0 else "")

    def focus_copy(self):
        """Enlarged (the enlarged view): the same classes in type half as large again."""
        large = ClassVector(self.title, self.values, self.names, self.true_class)
        font = large.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        large.setFont(font)
        return large

    def text_of(self, k: int) -> str:
        """Line k as read aloud: "kit fox  0.333" ("▶ kit fox  0.333" for the true class)."""
        mark = TRUE_MARK if k == self.true_class else ""
        return f"{mark}{self.names[k]}  {fmt(self.values[k])}"

    def _row(self) -> float:
        return QFontMetricsF(self.font()).lineSpacing() + 4

    def _title_height(self, width: int) -> float:
        return max(wrapped_height(bold(self.font()), self.title, width), self._row())

    def height_for(self, width: int) -> int:
        return int(self._title_height(width) + self._row() * len(self.values) + 4)

    def sizeHint(self) -> QSize:
        metrics = QFontMetricsF(self.font())
        names = max((metrics.horizontalAdvance(n) for n in self.names), default=0)
        width = int(names + metrics.horizontalAdvance(TRUE_MARK + "-0.000e-00") + 120)
        return QSize(width, self.height_for(width))

    def hasHeightForWidth(self) -> bool:
        return True                    # a long title wraps in a narrow dock

    def heightForWidth(self, width: int) -> int:
        return self.height_for(width)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.height_for(max(self.width(), 160)))

    def _columns(self) -> tuple[float, float, float]:
        """x of the number column, of the bar column and the bar's width."""
        metrics = QFontMetricsF(bold(self.font()))
        names = max((metrics.horizontalAdvance(TRUE_MARK + n) for n in self.names), default=0)
        number_x = min(names + 12, self.width() * 0.45)
        bar_x = number_x + metrics.horizontalAdvance("-0.000e-00") + 8
        return number_x, bar_x, max(self.width() - bar_x - 4, 0)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        text = self.palette().windowText().color()
        strong = bold(self.font())
        row = self._row()
        head = self._title_height(self.width())
        p.setFont(strong)
        p.setPen(text)
        p.drawText(QRectF(0, 0, self.width(), head), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                   | Qt.TextFlag.TextWordWrap, self.title)
        number_x, bar_x, bar_w = self._columns()
        limit = float(np.nanmax(np.abs(self.values))) if self.values.size else 0.0
        signed = bool((self.values < 0).any())
        zero = bar_x + (bar_w / 2 if signed else 0)
        scale = (bar_w / 2 if signed else bar_w) / limit if limit > 0 else 0.0
        for k, v in enumerate(self.values):
            top = head + row * k
            marked = k == self.true_class
            p.setFont(strong if marked else self.font())
            p.setPen(text)
            name_rect = QRectF(0, top, number_x - 8, row)
            name = QFontMetricsF(p.font()).elidedText(
                (TRUE_MARK if marked else "") + self.names[k], Qt.TextElideMode.ElideRight, name_rect.width())
            p.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            p.drawText(QRectF(number_x, top, bar_x - number_x - 8, row),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt(float(v)))
            length = float(np.nan_to_num(v)) * scale
            p.fillRect(QRectF(min(zero, zero + length), top + 3, abs(length), row - 6),
                       POSITIVE if v > 0 else NEGATIVE)
        if signed:
            p.setPen(text)
            p.drawLine(int(zero), int(head), int(zero), int(head + row * len(self.values)))
