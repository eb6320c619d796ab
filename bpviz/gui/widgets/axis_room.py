"""AxisRoom: a plot's left axis as wide as the labels it will write, in the plot's font.

pyqtgraph widens a left axis only from the labels it has drawn, and leaves out every label
wider than the axis is now: an axis sized before presentation mode's larger font (or while
its page was hidden) kept about 30 px and wrote no number at all (the Training tab's loss
and accuracy plots, the multiclass page's class names before 4.7's reveal)."""
from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject


class AxisRoom(QObject):
    """Keeps ``plot``'s left axis as wide as the widest of ``labels()``, measured again
    when the plot is shown and when its font changes."""

    def __init__(self, plot: pg.PlotWidget, labels: Callable[[], list[str]]):
        super().__init__(plot)
        self.plot, self.labels = plot, labels
        plot.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        axis = self.plot.getAxis("left")
        metrics = self.plot.fontMetrics()
        widest = max((metrics.horizontalAdvance(text) for text in self.labels()), default=0)
        title = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0
        axis.setWidth(widest + axis.style["tickTextOffset"][0]
                      + max(0, axis.style["tickLength"]) + 4 + title)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.FontChange):
            self.fit()
        return False
