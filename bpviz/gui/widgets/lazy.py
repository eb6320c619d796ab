"""LazyPanel: a panel built the first time it can be seen (the labs and the training panel
import pyqtgraph, which the app does not load at start-up)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..accessibility import name_controls
from ..theme import style_plots


def in_scroll_area(panel: QWidget) -> QScrollArea:
    """``panel`` scrolls when the window is smaller than it needs, instead of making the
    window taller than the screen: a tab widget is as tall as its tallest page (the
    Training tab needs 777 px in presentation mode, more than a 1280x720 projector has)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    return area


class LazyPanel(QWidget):
    """Builds its panel the first time it is shown (or asked for): the Training panel
    imports pyqtgraph, which the app does not load at start-up."""

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self._panel = None
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.loading = QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.column.addWidget(self.loading)

    @property
    def built(self) -> bool:
        return self._panel is not None

    @property
    def panel(self):
        if self._panel is None:
            # building can take seconds (the Training tab imports torch): say so
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._panel = self.factory()
                style_plots([self._panel])     # its plots in the theme's text colour
                name_controls(self._panel)     # any control left unnamed (accessibility)
            finally:
                QApplication.restoreOverrideCursor()
            self.loading.hide()
            self.column.addWidget(in_scroll_area(self._panel))
        return self._panel

    def showEvent(self, event):
        super().showEvent(event)
        # a dock behind another's tab still counts as visible: build only when it can be
        # seen, once the window has laid itself out
        # (after 50 ms: the "Loading…" label is painted first)
        QTimer.singleShot(50, self, lambda: not self.visibleRegion().isEmpty() and self.panel)
