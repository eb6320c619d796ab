"""RaceArea: the Optimizers tab's plots and the optimizers' state cards. Beside a lesson strip
at 1280x720 the tab is about 930 px wide, and plots, cards and controls side by side left the
plots 130 px (the cards cut their titles and legend): there the cards go under the plots,
which keep PlotPair.MIN_HEIGHT; where the width allows, the cards stand beside them."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..widgets.plot_style import PlotPair
from ..widgets.scrolling import Scrolling

PLOTS_BESIDE_CARDS = 400            # px the plots need beside the cards


class RaceArea(PlotPair):
    """``plots`` and ``cards``; ``heading``: the label above the plots, whose height they
    also need."""

    def __init__(self, plots: QWidget, cards: QWidget, heading: QLabel):
        self.cards, self.heading = cards, heading
        super().__init__(plots, Scrolling(cards, horizontal=True), self.cards_beside)
        self.setStretchFactor(0, 1)                  # the cards keep the size they need

    def cards_beside(self, width: int, height: int) -> bool:
        return width - self.cards.sizeHint().width() >= PLOTS_BESIDE_CARDS

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """The cards as large as they need, as long as the plots keep MIN_HEIGHT."""
        total = sum(self.sizes())
        if total <= 0:
            return
        if self.orientation() == Qt.Orientation.Horizontal:
            cards = self.cards.sizeHint().width() + 20
        else:
            room = (total - self.handleWidth() - self.MIN_HEIGHT
                    - self.heading.sizeHint().height())
            cards = max(min(self.cards.sizeHint().height() + 4, room), 60)
        self.setSizes([total - cards, cards])
