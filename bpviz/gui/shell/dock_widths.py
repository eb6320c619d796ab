"""DockWidths: the side docks get their width back when the window grows again.

QMainWindow narrows the side docks when the window shrinks, but when it grows it gives all
the new space to the centre: after a small window was made large again the Inspector stayed
a sliver titled "Inspe…". Each side remembers the width the user (or the app) last gave
it, not the window; once the window has grown, a side narrower than that is widened
again, to at most MAX_SHARE of the window. A side the first start narrowed for a small
window (``wanted``) gets its first-start width back when the window has room, until the
user gives it a width of their own."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

MAX_SHARE = 0.35
SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def on_screen(dock) -> bool:
    """Shown in the window: not floating, closed, or behind another dock's tab."""
    return dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty()


def dragging() -> bool:
    """Whether the user is dragging with the mouse (a dock's edge, when a dock resizes
    while the window keeps its width)."""
    return bool(QApplication.mouseButtons() & Qt.MouseButton.LeftButton)


class DockWidths(QObject):
    def __init__(self, window, docks, parent=None):
        super().__init__(parent or window)
        self.window, self.docks = window, list(docks)
        self.preferred = {side: 0 for side in SIDES}      # px; 0 until a width is seen
        # the window's width when each side was last seen: a dock that changes width while
        # the window keeps its own was resized by the user (or the app), not by the window
        self.seen_at = {side: None for side in SIDES}
        # a side the first start had to narrow: its first-start width, the narrowed width,
        # and the window's width then (only a wider window gives the side its width back);
        # forgotten once the user drags the side's edge
        self.wanted: dict = {}
        window.installEventFilter(self)
        for dock in self.docks:
            dock.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() != QEvent.Type.Resize:
            return False
        if obj is self.window:
            QTimer.singleShot(0, self, self.widen)        # once the window has its size
        elif on_screen(obj):
            side = self.window.dockWidgetArea(obj)
            if side in self.preferred:
                if self.seen_at[side] in (None, self.window.width()):
                    self.preferred[side] = obj.width()
                    if dragging():                # the user's own width: kept
                        self.wanted.pop(side, None)
                self.seen_at[side] = self.window.width()
        return False

    def want(self, dock, first: int, narrowed: int) -> None:
        """``dock`` was given ``narrowed`` px at the first start for want of room; it gets
        ``first`` px back once the window has room, unless the user resizes it first."""
        side = self.window.dockWidgetArea(dock)
        if side in self.preferred and narrowed < first:
            self.wanted[side] = (first, narrowed, self.window.width())

    def side_docks(self, side) -> list:
        return [d for d in self.docks if on_screen(d) and self.window.dockWidgetArea(d) == side]

    def widen(self) -> None:
        """Give each side at least its remembered width (within MAX_SHARE of the window)."""
        docks, widths = [], []
        for side, width in self.preferred.items():
            shown = self.side_docks(side)
            first, _, narrowed_at = self.wanted.get(side, (0, 0, 0))
            if self.window.width() > narrowed_at:
                width = max(width, first)
            target = min(width, int(self.window.width() * MAX_SHARE))
            if shown and max(d.width() for d in shown) < target:
                docks.append(shown[0])
                widths.append(target)
        if docks:
            self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
