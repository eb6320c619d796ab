"""RaceArea: the Optimizers tab's plots and the optimizers' state cards. Beside a lesson strip
at 1280x720 the tab is about 930 px wide, and plots, cards and controls side by side left the
plots 130 px (the cards cut their titles and legend): there the cards go under the plots,
which keep PlotPair.MIN_HEIGHT; where the width allows, the cards stand beside them."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ..widgets.plot_style import PlotPair, stacked
from ..widgets.scrolling import Scrolling

PLOTS_BESIDE_CARDS = 400            # px the plots need beside the cards


class RaceArea(PlotPair):
    """``plots`` under ``legend`` (a row), and ``cards``; ``heading``: the label above the
    plots, whose height they also need."""

    def __init__(self, plots: QWidget, cards: QWidget, legend: QWidget, heading: QLabel):
        self.cards, self.heading, self.legend = cards, heading, legend
        super().__init__(stacked(legend, plots), Scrolling(cards, horizontal=True), self.cards_beside)
        # the cards' size changes with their rows and their font (presentation mode): fit
        # again then, not only on a resize
        cards.installEventFilter(self)
        self.setStretchFactor(0, 1)                  # the cards keep the size they need

    def cards_beside(self, width: int, height: int) -> bool:
        return width - self.cards.sizeHint().width() >= PLOTS_BESIDE_CARDS

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def above_plot(self) -> int:
        """The height over the surface plot in its half: the legend row, the heading as it
        wraps and the gaps between them (measured once laid out)."""
        plot, half = self._titled_plot(), self.widget(0)
        if plot is not None and half is not None and 0 < plot.height() < half.height():
            return half.height() - plot.height()
        heading = self.heading.heightForWidth(max(self.heading.width(), 1))
        return self.legend.sizeHint().height() + max(heading, 0) + 8

    def _titled_plot(self) -> QWidget | None:
        """The plot under ``heading`` in the box titled() made of them."""
        box = self.heading.parentWidget()
        layout = box.layout() if box is not None else None
        item = layout.itemAt(1) if layout is not None else None
        return item.widget() if item is not None else None

    def eventFilter(self, watched, event) -> bool:
        if watched is self.cards and event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, self.fit)
        return False

    def refit(self) -> None:
        """fit() now and once more when the cards just rebuilt have their new size."""
        self.fit()
        QTimer.singleShot(0, self.fit)

    def fit(self) -> None:
        """Beside or under as the cards' size now allows (they grow and shrink with a race's
        optimizers and the bias table while the tab keeps its size: deciding only at a resize
        kept what an earlier lesson left, and crushed the plots), then the cards as large as
        they need, as long as the plots keep MIN_HEIGHT."""
        beside = self.cards_beside(self.width(), self.height())
        want = Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical
        if want != self.orientation():
            self.setOrientation(want)
        total = (self.width() if beside else self.height()) - self.handleWidth()
        if total <= 0:
            return
        if beside:
            cards = self.cards.sizeHint().width() + 20
        else:
            room = total - self.handleWidth() - self.MIN_HEIGHT - self.above_plot()
            cards = max(min(self.cards.sizeHint().height() + 4, room), 60)
        self.setSizes([total - cards, cards])
