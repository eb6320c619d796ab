"""OverlayPlacer: keeps a widget drawn over the canvas (the gradient legend) off the nodes.
It takes the first corner of the canvas where it covers no node (bottom left, bottom
right, top right, top left); when each corner holds one, the view keeps a band below its
viewport free and the widget sits in it, until it is hidden again."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect

MARGIN = 10                 # pixels between the widget and the canvas's edges


class OverlayPlacer(QObject):
    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.widgets: list = []
        self.band = 0           # pixels kept free below the viewport (0: none)

    def place(self, widget=None) -> None:
        """Place ``widget`` (and the others placed before); with none, place them all again
        (the view scrolled, zoomed or changed size)."""
        if widget is not None and widget not in self.widgets:
            self.widgets.append(widget)
            widget.installEventFilter(self)
        if widget is not None and self.band and not self.view.fitted():
            self._release_band()       # a step scrolled: a corner may be free again (a
            #                            fitted view would refit larger and cover it)
        if self.view.scene() is None:        # the window is closing
            return
        for w in self.widgets:
            if not w.isHidden():
                self._place(w)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Hide and self.band and \
                all(w.isHidden() for w in self.widgets):
            self._release_band()                       # the graph gets its room back
        elif event.type() == QEvent.Type.Resize and not obj.isHidden():
            self._place(obj)                 # taller in presentation's type: placed again
        return False

    def _release_band(self) -> None:
        self.band = 0
        self.view.setViewportMargins(0, 0, 0, 0)

    def corners(self, width: int, height: int) -> list[QRect]:
        """Where the widget may stand, in the view's coordinates, in order of preference."""
        area = self.view.viewport().geometry()
        left, right = area.left() + MARGIN, area.right() - MARGIN - width
        top, bottom = area.top() + MARGIN, area.bottom() - MARGIN - height
        return [QRect(x, y, width, height) for x, y in
                ((left, bottom), (right, bottom), (right, top), (left, top))]

    def covers_a_node(self, rect: QRect) -> bool:
        viewport = self.view.viewport().geometry()
        on_canvas = rect.translated(-viewport.topLeft())
        shown = self.view.mapToScene(on_canvas).boundingRect()
        for item in self.view.scene().nodes.values():
            bounds = item.sceneBoundingRect()
            if item.thumbnail.isVisible():
                bounds = bounds.united(item.thumbnail.sceneBoundingRect())
            if shown.intersects(bounds):
                return True
        return False

    def _place(self, widget) -> None:
        area = self.view.viewport().geometry()
        if self.band and self.band != widget.height() + MARGIN:
            self.band = widget.height() + MARGIN      # the band made for it no longer fits
            self.view.setViewportMargins(0, 0, 0, self.band)
            area = self.view.viewport().geometry()
        if self.band:
            widget.move(QPoint(area.left() + MARGIN, area.bottom() + 1
                               + (self.band - widget.height()) // 2))
            return
        for rect in self.corners(widget.width(), widget.height()):
            if not self.covers_a_node(rect):
                widget.move(rect.topLeft())
                return
        self.band = widget.height() + MARGIN
        self.view.setViewportMargins(0, 0, 0, self.band)     # a resize: placed again then
        self._place(widget)
