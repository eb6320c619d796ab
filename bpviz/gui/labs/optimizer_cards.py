"""OptimizerCards: beside the race, each optimizer's own state at the step shown — the
step's move Δθ (Run.moved) and the quantities the lecture names (velocity; Adagrad's
G = Σg², RMSprop's s = E[g²]; Adam's m, v, m̂, v̂; Run.named_state), each with its two
components — and under Adam its bias correction m̂/m, v̂/v over the first steps
(Run.bias_correction).

A name stands in the text colour beside a swatch of its series colour: series colours such
as GD's near-black fail the 4.5:1 contrast as text on one theme or the other."""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..widgets.heatmap import fmt
from ..widgets.series_legend import paint_swatch

FIRST_STEPS = 5                 # the bias-correction table's first columns: t = 1..5
WIDEST_NUMBER = "-8.88e-88"     # fmt's widest output: number columns keep this width
WIDEST_RATIO = "8.888"          # ratio_text of 1/(1 − βᵗ) for usual β: 1000, 5.263, 20.49

def swatch_icon(colour: str, side: int = 16) -> QIcon:
    """A square of ``colour`` with a grey edge, for list items."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_swatch(painter, QRect(0, 0, side, side), colour)
    painter.end()
    icon = QIcon(pixmap)
    # the same square when its row is selected: Qt's selected mode tinted Adam's red
    # towards the highlight's blue, a purple that is no series' colour (lesson 7)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


class Swatch(QWidget):
    """A square of a series colour as high as the text beside it (it grows with the font)."""

    def __init__(self, colour: str, parent=None):
        super().__init__(parent)
        self.colour = colour

    def sizeHint(self) -> QSize:
        side = round(self.fontMetrics().height() * 0.8)
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event) -> None:
        side = min(self.width(), self.height())
        painter = QPainter(self)
        paint_swatch(painter, QRect(0, (self.height() - side) // 2, side, side), self.colour)


def italic(symbol: str) -> str:
    """A symbol as rich text in italics, as formulas set it (and upright DejaVu Sans draws
    no hat over m̂)."""
    return f"<i>{symbol}</i>"


def number_label() -> QLabel:
    label = QLabel("–")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def vector_text(value) -> tuple[str, str]:
    """A (2,) vector's components as text; dashes before the optimizer has made it."""
    return ("–", "–") if value is None else (fmt(float(value[0])), fmt(float(value[1])))


def ratio_text(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.4g}"


class BiasCorrection(QWidget):
    """Adam's m̂/m and v̂/v at t = 1..FIRST_STEPS and at the step shown: 1/(1 − βᵗ), large
    while m and v, started at 0, are still shrunk toward 0, and going to 1."""

    def __init__(self, parent=None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(0)
        for row, (text, tip) in enumerate((("t", "Adam's step count"),
                                           (f"{italic('m̂')}/{italic('m')}",
                                            "m̂ / m = 1 / (1 − β₁ᵗ)"),
                                           (f"{italic('v̂')}/{italic('v')}",
                                            "v̂ / v = 1 / (1 − β₂ᵗ)"))):
            head = QLabel(text)
            head.setToolTip(tip)
            grid.addWidget(head, row, 0)
        self.grid = grid
        self.columns = []                           # [(t label, m̂/m label, v̂/v label)]
        for c in range(1, FIRST_STEPS + 2):
            column = (number_label(), number_label(), number_label())
            for row, label in enumerate(column):
                grid.addWidget(label, row, c)
            self.columns.append(column)
        self._fit_numbers()

    def _fit_numbers(self) -> None:
        """Columns as wide as ratio_text's widest: the table keeps its width as the last
        column (t > 5) fills, and the cards beside the plots never need a scroll bar."""
        width = self.fontMetrics().horizontalAdvance(WIDEST_RATIO)
        for c in range(1, FIRST_STEPS + 2):
            self.grid.setColumnMinimumWidth(c, width)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_numbers()

    def show_step(self, run, i: int) -> None:
        steps = list(range(1, FIRST_STEPS + 1)) + ([i] if i > FIRST_STEPS else [])
        for c, (t_label, m_label, v_label) in enumerate(self.columns):
            t = steps[c] if c < len(steps) else None
            shown = t is not None and t <= i
            m, v = run.bias_correction(t) if shown else (math.nan, math.nan)
            # the step shown in bold (rich text: a label's own font would not follow
            # presentation mode's larger one)
            t_label.setText("" if t is None else f"<b>{t}</b>" if t == i else str(t))
            m_label.setText(ratio_text(m) if t is not None else "")
            v_label.setText(ratio_text(v) if t is not None else "")


def card_rows(run, i: int) -> list:
    """(symbol, formula, value) of a card's rows: the step's move Δθ (Run.moved), then the
    quantities the optimizer keeps (Run.named_state)."""
    return [run.moved(i), *run.named_state(i)]


class OptimizerCard:
    """One optimizer's rows in the cards' grid: swatch and name, then one row per quantity
    (symbol, x, y): the step's move Δθ and what the optimizer keeps; Adam adds its bias correction below
    unless ``bias`` is False."""

    def __init__(self, grid: QGridLayout, row: int, name: str, colour: str, run,
                 bias: bool = True):
        self.name, self.run = name, run
        title = QWidget()
        line = QHBoxLayout(title)
        line.setContentsMargins(0, 0, 0, 0)
        self.swatch = Swatch(colour)
        self.title = QLabel(f"<b>{name}</b>")
        line.addWidget(self.swatch)
        line.addWidget(self.title, 1)
        grid.addWidget(title, row, 0)
        self.widgets = [title]
        self.values = {}                               # symbol -> (x label, y label)
        for r, (symbol, formula, _) in enumerate(card_rows(run, 0), start=row):
            head = QLabel(italic(symbol))
            head.setToolTip(formula)
            self.values[symbol] = (number_label(), number_label())
            for c, label in enumerate((head, *self.values[symbol]), start=1):
                grid.addWidget(label, r, c)
                self.widgets.append(label)
        self.rows = len(self.values)
        self.bias = None
        if bias and "m̂" in self.values:
            self.bias = BiasCorrection()
            # the caption in the name column's empty cells, not in a row of its own (the
            # cards under the plots must fit at 1280x720)
            caption = QLabel("bias correction below: m and v start at 0", wordWrap=True)
            caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(caption, row + 1, 0, self.rows - 1, 1)
            grid.addWidget(self.bias, row + self.rows, 0, 1, 4)
            self.widgets += [caption, self.bias]
            self.rows += 1

    def show_step(self, i: int) -> None:
        for symbol, _, value in card_rows(self.run, i):
            for label, text in zip(self.values[symbol], vector_text(value), strict=False):
                label.setText(text)
        if self.bias is not None:
            self.bias.show_step(self.run, min(i, len(self.run.states) - 1))


class OptimizerCards(QWidget):
    """A card for each racing optimizer, in one grid so that their columns line up."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cards: dict[str, OptimizerCard] = {}
        self.shape: tuple[list[tuple[str, list[str]]], bool] | None = None   # rows, bias
        self.body = None
        self.bias = True                   # Adam's bias-correction table shown
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(4, 0, 4, 0)
        self.outer.addStretch(1)

    def set_runs(self, runs: dict, colours: dict) -> None:
        """Show ``runs`` {name: Run}; the grid is rebuilt only when its rows change."""
        shape = ([(name, [s for s, _, _ in run.named_state(0)]) for name, run in runs.items()],
                 self.bias)
        if shape != self.shape:
            self._build(runs, colours)
            self.shape = shape
        for name, run in runs.items():
            self.cards[name].run = run

    def _build(self, runs: dict, colours: dict) -> None:
        if self.body is not None:
            self.body.hide()           # at once: deleteLater waits for the event loop, and a
            self.body.deleteLater()    # screenshot taken before it showed both grids
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self.step_label = QLabel()
        for c, text in enumerate(("", "x", "y"), start=1):
            grid.addWidget(QLabel(f"<b>{text}</b>", alignment=Qt.AlignmentFlag.AlignRight), 0, c)
        grid.addWidget(self.step_label, 0, 0)
        self.cards, row = {}, 1
        for name, run in runs.items():
            self.cards[name] = OptimizerCard(grid, row + 1, name, colours[name], run, self.bias)
            grid.setRowMinimumHeight(row, 6)           # a gap between cards
            row += 1 + self.cards[name].rows
        self.grid = grid
        self._fit_numbers()
        self.outer.insertWidget(0, self.body)

    def show_bias(self, shown: bool) -> None:
        """Show Adam's bias-correction table or not (the next set_runs builds it)."""
        self.bias = shown

    def show_step(self, i: int) -> None:
        """Step ``i``, or the last step any run reached where all of them stopped before it
        (diverged): the label says the step the numbers are from."""
        last = max((len(card.run.points) - 1 for card in self.cards.values()), default=i)
        shown = f"after step {min(i, last)}" + (" (diverged)" if last < i else "")
        self.step_label.setText(f"<b>{shown}</b>")
        for card in self.cards.values():
            card.show_step(i)

    def _fit_numbers(self) -> None:
        """Number columns as wide as the widest number, so they do not jitter as it runs."""
        width = self.fontMetrics().horizontalAdvance(WIDEST_NUMBER)
        for c in (2, 3):
            self.grid.setColumnMinimumWidth(c, width)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.body is not None:
            self._fit_numbers()                   # presentation mode: larger numbers
