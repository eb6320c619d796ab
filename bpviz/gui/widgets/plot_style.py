"""How plots look from the back row, and how their numbers can be read without seeing them.

- Curves are CURVE_PX (3 px) wide at least: 1–2 px lines vanished on a projector.
- Series that share a plot are told apart by dash and marker as well as by colour
  (SeriesStyle, MarkedCurve: markers along the line, not only at its end), and their
  legends show the dash and the marker (series_legend), so a colour-blind student or a
  washed-out projector loses nothing.
- Every plot offers its values as text: "Show values as table" and "Copy values" in its
  right-click menu (add_values_actions), from the plot's own named curves and bars, or
  from a panel's columns where the plot shows something else (a heat map)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QAction, QFontMetricsF, QGuiApplication, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .heatmap import fmt
from .matrix_margins import round_step

CURVE_PX = 3.0                          # the narrowest curve drawn
SHOW_TABLE, COPY_VALUES = "Show values as table", "Copy values"


@dataclass(frozen=True)
class SeriesStyle:
    """A series' look besides its colour: a dash pattern (in pen widths; empty: solid) and
    a marker (a pyqtgraph symbol name)."""
    dashes: tuple[float, ...] = ()
    symbol: str = "o"


# solid, dashed, dotted, dash-dot, sparse dots, dash-dot-dot, long dash (readable at 3 px;
# the seventh is Adam's, raced against the first and the third: no dots, unlike Momentum's)
STYLES = (SeriesStyle((), "o"), SeriesStyle((4, 2), "t"), SeriesStyle((1, 1.5), "s"),
          SeriesStyle((4, 1.5, 1, 1.5), "d"), SeriesStyle((1, 3), "+"),
          SeriesStyle((4, 1.5, 1, 1.5, 1, 1.5), "x"), SeriesStyle((7, 2.5), "star"))
MARKS = 7                               # markers along a curve
MARK_PX = 11                            # their size


def curve_pen(colour, style: SeriesStyle = STYLES[0], width: float = CURVE_PX) -> QPen:
    """A cosmetic pen ``width`` px wide (never under CURVE_PX) with ``style``'s dashes."""
    pen = pg.mkPen(colour, width=max(width, CURVE_PX))
    if style.dashes:
        pen.setDashPattern(list(style.dashes))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)    # dashes stay dashes, not rounded beads
    return pen


class MarkedCurve:
    """A series as a line in its colour and dash, with its marker repeated along it: MARKS
    markers spread over the points, or one every ``every`` points (a race's steps: the
    markers stay where they are as it runs). ``phase`` (0 to 1) shifts them along, so the
    markers of two curves that coincide (smooth L1 and Huber at δ = 1) stand apart; hollow
    markers for a curve's slope, filled for the curve."""

    def __init__(self, plot: pg.PlotWidget, colour, style: SeriesStyle, name: str | None = None,
                 width: float = CURVE_PX, hollow: bool = False, phase: float = 0.0,
                 every: int | None = None):
        self.line = plot.plot(pen=curve_pen(colour, style, width), name=name)
        self.line.series_symbol = style.symbol         # for its legend entry (SeriesSample)
        brush = pg.mkBrush(plot.palette().base().color() if hollow else colour)
        self.marks = plot.plot(pen=None, symbol=style.symbol, symbolSize=MARK_PX,
                               symbolBrush=brush, symbolPen=pg.mkPen(colour, width=2))
        self.phase, self.every = phase, every

    def setData(self, x, y) -> None:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.line.setData(x, y)
        at = self.mark_indices(len(x))
        self.marks.setData(x[at], y[at])

    def mark_indices(self, n: int) -> np.ndarray:
        if n == 0:
            return np.zeros(0, dtype=int)
        if self.every:
            return np.arange(round(self.phase * self.every), n, self.every)
        return np.unique(((np.arange(MARKS) + 0.25 + 0.5 * self.phase) / MARKS * n).astype(int))

    def setVisible(self, visible: bool) -> None:
        self.line.setVisible(visible)
        self.marks.setVisible(visible)

    def isVisible(self) -> bool:
        return self.line.isVisible()

    def setZValue(self, z: float) -> None:
        self.line.setZValue(z)
        self.marks.setZValue(z)

    def getData(self):
        return self.line.getData()


def plot_columns(plot: pg.PlotWidget) -> dict[str, np.ndarray]:
    """The values of a plot's named curves and its bars: one shared x column where the
    curves share their x, else an x and a y column for each."""
    item = plot.getPlotItem()
    curves = [(c.name(), *c.getData()) for c in item.listDataItems()
              if isinstance(c, pg.PlotDataItem) and c.name() and c.getData()[0] is not None]
    columns: dict[str, np.ndarray] = {}
    shared = curves and all(len(x) == len(curves[0][1]) and np.array_equal(x, curves[0][1])
                            for _, x, _ in curves)
    for name, x, y in curves:
        if shared:
            columns.setdefault(item.getAxis("bottom").labelText or "x", x)
            columns[name] = y
        else:
            columns[f"{name}: x"], columns[f"{name}: y"] = x, y
    for k, bars in enumerate(i for i in item.items if isinstance(i, pg.BarGraphItem)):
        opts = bars.opts
        at = opts.get("x") if opts.get("x") is not None else opts.get("y")
        size = opts.get("height") if opts.get("x") is not None else opts.get("width")
        columns[f"bar {k + 1} at"], columns[f"bar {k + 1} value"] = at, size
    return {name: np.asarray(v, dtype=float) for name, v in columns.items()}


class ColumnsModel(QAbstractTableModel):
    """Named columns of numbers (of any lengths: the shorter ones end blank) as a table."""

    def __init__(self, columns: dict):
        super().__init__()
        self.names = list(columns)
        self.columns = [np.asarray(columns[n]).ravel() for n in self.names]

    def rowCount(self, parent=None) -> int:
        return max((len(c) for c in self.columns), default=0)

    def columnCount(self, parent=None) -> int:
        return len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = self.columns[index.column()]
        return text_of(column[index.row()]) if index.row() < len(column) else ""

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.names[section]
        return str(section + 1)


def text_of(value) -> str:
    try:
        return fmt(float(value))
    except (TypeError, ValueError):
        return str(value)


def tab_separated(columns: dict) -> str:
    """The columns as text for a spreadsheet: a header row, then one row per index."""
    model = ColumnsModel(columns)
    rows = ["\t".join(model.names)]
    for r in range(model.rowCount()):
        rows.append("\t".join(repr(float(c[r])) if r < len(c) else "" for c in model.columns))
    return "\n".join(rows) + "\n"


class ValuesTable(QDialog):
    """A plot's values as a table (Esc or Close closes it)."""

    def __init__(self, title: str, columns: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Values: {title}")
        self.model = ColumnsModel(columns)
        self.table = QTableView()
        self.table.setModel(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 420)


def add_values_actions(plot: pg.PlotWidget, columns: Callable[[], dict] | None = None,
                       title: str = "") -> None:
    """Put "Show values as table" and "Copy values" into the plot's right-click menu;
    ``columns()`` gives {name: values}, by default the plot's named curves and bars."""
    read = columns or (lambda: plot_columns(plot))
    heading = getattr(plot, "heading", None)
    name = title or (heading.text() if heading else plot.getPlotItem().titleLabel.text) or "plot"
    menu = plot.getPlotItem().vb.menu

    def show_table() -> None:
        plot.values_table = ValuesTable(name, read(), plot.window())
        plot.values_table.show()

    def copy() -> None:
        QGuiApplication.clipboard().setText(tab_separated(read()))

    menu.addSeparator()
    for text, slot in ((SHOW_TABLE, show_table), (COPY_VALUES, copy)):
        action = QAction(text, menu)
        action.triggered.connect(slot)
        menu.addAction(action)


class PlotPair(QSplitter):
    """Two widgets that share a space, side by side or one above the other as
    ``side_by_side(width, height)`` decides at each resize; by default one above the other
    while each still gets MIN_HEIGHT px (beside a lesson strip at 1280x720 the space is wide
    and low, and stacked plots got 150–200 px each)."""

    MIN_HEIGHT = 300

    def __init__(self, first: QWidget, second: QWidget,
                 side_by_side: Callable[[int, int], bool] | None = None,
                 first_share: float = 0.5, parent=None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.side_by_side = side_by_side or self.low
        self.first_share = first_share          # of the width, side by side
        self.addWidget(first)
        self.addWidget(second)
        self.setChildrenCollapsible(False)

    def low(self, width: int, height: int) -> bool:
        return (height - self.handleWidth()) / 2 < self.MIN_HEIGHT and width >= self.MIN_HEIGHT

    def resizeEvent(self, event) -> None:
        size = event.size()
        want = (Qt.Orientation.Horizontal if self.side_by_side(size.width(), size.height())
                else Qt.Orientation.Vertical)
        if want != self.orientation():
            self.setOrientation(want)
        super().resizeEvent(event)
        if want == Qt.Orientation.Horizontal and self.first_share != 0.5:
            total = sum(self.sizes())
            first = round(total * self.first_share)
            self.setSizes([first, total - first])


def titled(plot: pg.PlotWidget, title: str = "") -> QWidget:
    """The plot under its title as a label that wraps and follows the application font
    (pyqtgraph's own title does neither: a long one was cut off in a narrow plot); the
    label is ``plot.heading``, made here unless the plot has one."""
    heading = getattr(plot, "heading", None)
    if heading is None:
        heading = plot.heading = QLabel(title)
    heading.setWordWrap(True)
    heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return stacked(heading, plot)


def stacked(top: QWidget, main: QWidget) -> QWidget:
    """``top`` at its own height over ``main``, which takes the rest, 2 px apart."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(top)
    layout.addWidget(main, 1)
    return box


class LogAxis(pg.AxisItem):
    """A log axis labelled at the decades, and at 2 and 5 times them (shown where they fit).
    pyqtgraph labelled every multiple 1–9 of a decade when the range spanned fewer than
    two, and "0.05" to "0.9" ran into each other."""

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        low, high = math.floor(minVal), math.ceil(maxVal)
        decades = [float(v) for v in range(low, high + 1) if minVal <= v <= maxVal]
        between = [v + math.log10(m) for v in range(low, high) for m in (2, 5)
                   if minVal <= v + math.log10(m) <= maxVal]
        return [(1.0, decades), (None, between)]


class StepAxis(pg.AxisItem):
    """An axis of whole steps (iterations), labelled every 1, 2 or 5 × 10ⁿ steps, each
    label a quarter of a label's width from the next at least: pyqtgraph's own spacing ran "100" into "150" in a
    plot 180 px wide beside the optimizer cards."""

    def tickSpacing(self, minVal, maxVal, size):
        # the widest label within the ends (those at the ends are not drawn)
        widest = str(int(0.9 * max(abs(minVal), abs(maxVal))))
        label = QFontMetricsF(self.style.get("tickFont") or self.font()).horizontalAdvance(widest)
        every = round_step((maxVal - minVal) * 1.25 * label / max(size, 1.0))
        return [(float(every), 0.0)]
