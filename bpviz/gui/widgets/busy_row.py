"""BusyRow: what a view is computing off the GUI thread, while it computes — a moving bar,
the seconds so far and a Cancel button; once cancelled, the same button computes again."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

TICK_MS = 200            # the seconds shown are this fresh


class BusyRow(QWidget):
    """Hidden until ``start``; ``cancel_asked`` from its button while busy, ``again_asked``
    once ``cancelled`` showed why nothing is computing."""

    cancel_asked = Signal()
    again_asked = Signal()

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}_bar")
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 0)                   # no fraction is known: it moves
        self.bar.setAccessibleName("Computing")
        self.label = QLabel()
        self.label.setObjectName(f"{name}_label")
        self.label.setWordWrap(True)
        self.button = QPushButton("Cancel")
        self.button.setObjectName(f"{name}_button")
        self.button.clicked.connect(self._clicked)
        row.addWidget(self.bar, 1)
        row.addWidget(self.label, 3)
        row.addWidget(self.button)
        self.text, self.started = "", 0.0
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.hide()

    @property
    def busy(self) -> bool:
        return self.timer.isActive()

    def start(self, text: str) -> None:
        self.text, self.started = text, time.perf_counter()
        self.bar.show()
        self.button.setText("Cancel")
        self.timer.start()
        self._tick()
        self.show()

    def stop(self) -> None:
        self.timer.stop()
        self.hide()

    def cancelled(self, text: str) -> None:
        """Not computing any more: say so, and offer to compute again."""
        self.timer.stop()
        self.bar.hide()
        self.label.setText(text)
        self.button.setText("Compute again")
        self.show()

    def _tick(self) -> None:
        self.label.setText(f"{self.text} {time.perf_counter() - self.started:.1f} s")

    def _clicked(self) -> None:
        (self.cancel_asked if self.busy else self.again_asked).emit()
