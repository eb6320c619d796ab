"""HelpPageView: one "what is on screen" page (bpviz.core.teaching.help_pages.HelpPage) laid out for
reading from a projector — Markdown paragraphs in the application's font, display formulas
drawn by ziamath at the size of the text around them, in a column of readable width."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from .formula import Formula

LINE_CHARS = 80          # a text column wider than this is hard to follow across a room


class HelpPageView(QScrollArea):
    def __init__(self, page, parent=None):
        super().__init__(parent)
        self.page = page
        self.setObjectName(f"help_{page.key}")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.column = QWidget()
        self.column.setMaximumWidth(int(QFontMetricsF(self.font()).averageCharWidth()
                                        * LINE_CHARS))
        rows = QVBoxLayout(self.column)
        self.formulas: list[Formula] = []
        for block in page.blocks:
            rows.addWidget(self._text(block.source) if block.kind == "text"
                           else self._formula(block.source))
        rows.addStretch(1)
        body = QWidget()
        centred = QHBoxLayout(body)
        centred.addStretch(1)
        centred.addWidget(self.column, 100)
        centred.addStretch(1)
        self.setWidget(body)

    def _text(self, markdown: str) -> QLabel:
        label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.MarkdownText)
        label.setText(markdown)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _formula(self, latex: str) -> Formula:
        formula = Formula()
        formula.set_latex(latex)
        self.formulas.append(formula)
        return formula

    def text(self) -> str:
        """Everything the page says, formulas as their LaTeX (for tests and search)."""
        return "\n".join(b.source for b in self.page.blocks)
