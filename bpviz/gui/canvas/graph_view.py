"""GraphView: the canvas widget — zoom, pan, rubber-band selection, a grid, drops from the
palette, an overlay (the gradient legend) kept off the nodes, and node heat maps enlarged
by a double-click."""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from ..theme import readable_px
from .graph_scene import FIT_MARGIN, MAX_ZOOM, GraphScene
from .overlay import OverlayPlacer
from .value_focus import ValueFocus

OP_MIME = "application/x-bpviz-op"
GRID = 24.0


def framed(rect: QRectF) -> QRectF:
    """What a fit shows of the graph's ``rect``: a margin around it."""
    return rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)


class GraphView(QGraphicsView):
    op_dropped = Signal(str, QPointF)          # op name, scene position

    def __init__(self, scene: GraphScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # the grid is drawn once, not under every node a step repaints (the scene's
        # set_theme resets it)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan = None
        self.overlays = OverlayPlacer(self)
        self.values = ValueFocus(self)
        self.title = ""                     # of what the enlarged view enlarges (a node value)
        # keep the graph fitted through resizes until the user moves: "readable" (fit) or
        # "whole" (show_whole, the overview), or "" once the user zoomed or panned
        self._set_fitted("")
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self._user_moved)     # user scrolls only, not ours

    def graph_scene(self) -> GraphScene:
        """The scene the view was made with. Only a closing window's view has none, and
        only the overlays are placed then (overlay.py checks ``scene()`` first)."""
        scene = self.scene()
        assert isinstance(scene, GraphScene), "a GraphView shows a GraphScene"
        return scene

    # --- zoom and pan ---------------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        self._user_moved()
        self._scale_by(factor)

    def _scale_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.1 / current, min(factor, 4.0 / current))
        self.scale(factor, factor)
        self.overlays.place()

    def zoom_level(self) -> float:
        return self.transform().m11()

    def text_px(self, points: float | None = None, zoom: float | None = None) -> float:
        """Pixels on screen of canvas text of ``points`` (times the presentation scale; the
        smallest text the canvas draws by default) at ``zoom`` (the current one by
        default)."""
        zoom = self.zoom_level() if zoom is None else zoom
        points = self.graph_scene().smallest_points() if points is None else points
        return points * self.graph_scene().scale_ * self.logicalDpiY() / 72 * zoom

    def readable_zoom(self) -> float:
        """The zoom at which the canvas's smallest text is as large as a student needs:
        11 px at a desk, 16 px on a projector (presentation mode)."""
        presentation = self.graph_scene().scale_ > 1
        return readable_px(presentation) / self.text_px(zoom=1.0)

    def keep_fitted(self) -> None:
        """Fit now and again on each resize until the user zooms or pans: a graph opened
        before its window has its final size (docks laid out, maximised) must open fitted."""
        self._set_fitted("readable")
        self.fit()

    def _set_fitted(self, mode: str) -> None:
        """Keep the graph fitted ("readable", "whole") or not (""). The overview has no
        scroll bars: it shows everything, and a scroll bar coming and going with each fit
        resized the viewport, which refitted, which brought it back (an endless resize
        loop that hung the window)."""
        self._fitted = mode
        policy = (Qt.ScrollBarPolicy.ScrollBarAlwaysOff if mode == "whole"
                  else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def fitted(self) -> bool:
        """Whether the view refits the graph when it changes size."""
        return bool(self._fitted)

    def _user_moved(self, *_) -> None:
        self._set_fitted("")

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._lay_out()
        if self._fitted:
            self.fit()
        self.overlays.place()

    def _lay_out(self) -> None:
        """The overview layout for the view's size. It fills the view; text a quarter
        larger than readable is enough (a six-layer chain then stays on one or two bands
        instead of three huge ones). A view too short to show the graph whole at the
        readable zoom (under the Gradient Flow plot) gets bands as wide as it is: it
        scrolls down only; the overview (``show_whole``) keeps the largest whole layout.
        The view's inside less the legend's band, not its viewport: scroll bars coming and
        going would change the layout, the scene's rect, and the scroll bars again."""
        enough = min(MAX_ZOOM, 1.25 * self.readable_zoom())
        least = 0.0 if self._fitted == "whole" else self.readable_zoom()
        inside, band = self.contentsRect(), self.viewportMargins()
        # room for the vertical scroll bar a readable layout may need
        scroll = self.verticalScrollBar().sizeHint().width() if least else 0
        margin = 2 * FIT_MARGIN * enough
        self.graph_scene().set_canvas(
            max(inside.width() - band.left() - band.right() - margin - scroll, 1.0),
            max(inside.height() - band.top() - band.bottom() - margin, 1.0), enough, least)

    # --- the gradient legend, and enlarged heat maps ---------------------------------------
    def place_overlay(self, widget) -> None:
        """Put ``widget`` (a child of this view) in a corner of the canvas where it covers
        no node; when every corner has one, in a band kept free below the graph."""
        self.overlays.place(widget)

    def mouseDoubleClickEvent(self, event):
        if self.values.pick(event.position().toPoint()):
            event.ignore()              # up to the window, whose enlarged view enlarges it
            return
        super().mouseDoubleClickEvent(event)

    def focus_copy(self):
        """The enlarged heat map of the node value picked by a double-click, or under the
        mouse (F); None when there is none."""
        return self.values.copy()

    def fit(self) -> None:
        """Show the whole graph, unless its text would become unreadable: then show the
        stepped node, or the graph's start (its inputs), at the readable zoom (stepping then
        follows the stepped node). In the overview (``show_whole``), the whole graph."""
        if self._fitted == "whole":
            self._fit_whole()
            return
        rect = self.graph_scene().content_rect()
        if rect.isEmpty():
            return
        self.fitInView(framed(rect), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom_level() > MAX_ZOOM:            # a tiny graph should not look huge
            self._scale_by(MAX_ZOOM / self.zoom_level())
        elif self.zoom_level() < self.readable_zoom():
            zoom = self.readable_zoom()
            self.resetTransform()
            self.scale(zoom, zoom)
            stepped = [item for item in self.graph_scene().nodes.values() if item.highlight]
            if stepped:                            # a step is shown: keep it in view
                self.centerOn(stepped[0])
            else:
                view = self.mapToScene(self.viewport().rect()).boundingRect()
                self.centerOn(rect.left() + view.width() / 2 - 40,     # the first band's start
                              rect.top() + min(view.height(), rect.height()) / 2 - 40)
        self.overlays.place()

    def follow(self, item) -> None:
        """Bring the stepped node into view, at a readable zoom if the view was zoomed out
        below it (an overview, or a user's zoom): stepping is read, not glimpsed."""
        if self.zoom_level() < self.readable_zoom() - 1e-9:
            self._set_fitted("")  # the overview ends: reading begins
            self._lay_out()
            zoom = self.readable_zoom()
            self.resetTransform()
            self.scale(zoom, zoom)
            self.centerOn(item)
        else:
            self.ensureVisible(item, 60, 60)
        self.overlays.place()

    def show_whole(self) -> None:
        """The whole graph on screen whatever its text size: the overview a lecturer shows
        before stepping (View ▸ Whole Graph); a later step zooms back in to read."""
        self._set_fitted("whole")  # kept through the window's resizes
        self._lay_out()
        self._fit_whole()

    def _fit_whole(self) -> None:
        rect = self.graph_scene().content_rect()
        if rect.isEmpty():
            return
        self.fitInView(framed(rect), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom_level() > MAX_ZOOM:
            self._scale_by(MAX_ZOOM / self.zoom_level())
        self.overlays.place()

    def wheelEvent(self, event):
        self.zoom(1.0015 ** event.angleDelta().y())

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.overlays.place()              # the nodes moved under the legend

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self._pan = event.position()
            self._user_moved()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan is not None:
            delta = event.position() - self._pan
            self._pan = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan is not None:
            self._pan = None
            self.unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- drops from the palette ------------------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            op = bytes(event.mimeData().data(OP_MIME)).decode("utf-8")
            self.op_dropped.emit(op, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def drawBackground(self, painter, rect: QRectF | QRect):
        theme = self.graph_scene().theme
        painter.fillRect(rect, theme.color("base"))
        painter.setPen(QPen(theme.color("grid"), 0))
        step = GRID
        while step * self.zoom_level() < 12:         # never denser than 12 px on screen
            step *= 4
        lines = []
        x = int(rect.left() // step) * step
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = int(rect.top() // step) * step
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.drawLines(lines)
