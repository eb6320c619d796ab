"""GraphScene: the canvas view of a Graph. It builds its items from the model, then follows
the model's ``changed`` events; user gestures come out as requests (signals) that the window
turns into undo commands, never as direct model edits."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ...core import Graph
from ...core.network.overview_layout import Cell, overview_layout
from ...core.ops import REGISTRY, Op, shape_label
from ..theme import Theme
from .edge_item import EdgeItem, bezier
from .node_item import (
    COMPACT_HEIGHT,
    COMPACT_SHAPE_POINTS,
    COMPACT_WIDTH,
    SMALLEST_POINTS,
    NodeItem,
)


# the compact style's grid: room between layers for an edge, below a node for its strip
def overview_cell(width: float) -> Cell:
    return Cell(width=width, height=COMPACT_HEIGHT, column=width + 22, row=COMPACT_HEIGHT + 14,
                gap=24)
MAX_ZOOM = 1.5         # a view never fits a small graph larger (GraphView.fit)
FIT_MARGIN = 24.0      # scene units a fit leaves around the graph


class GraphScene(QGraphicsScene):
    # list of (node id, slot, source id or None): one undoable change of connections
    connections_requested = Signal(list)
    # {node id: ((old x, old y), (new x, new y))} after the user dragged nodes
    nodes_moved = Signal(dict)
    refused = Signal(str)                   # why a gesture was not allowed
    analysis_changed = Signal(object)       # the graph's Analysis after each change

    def __init__(self, graph: Graph, theme: Theme, scale: float = 1.0, parent=None):
        super().__init__(parent)
        self.theme, self.scale_ = theme, scale
        # the view's size (scene units at zoom 1), and the zoom past which the overview
        # layout rather keeps the graph on fewer bands than make it larger
        self.canvas = (900.0, 420.0, MAX_ZOOM, 0.0)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple, EdgeItem] = {}
        self.edges_at: dict[str, set] = {}    # node id -> keys of the edges touching it
        # the connection being drawn: (fixed end, temp item, the edge picked up or None)
        self._drag: tuple[tuple, QGraphicsPathItem, tuple[str, int] | None] | None = None
        self._press_positions: dict[str, tuple[float, float]] = {}
        self._build(graph)

    # --- building from the model ---------------------------------------------------------
    def set_graph(self, graph: Graph) -> None:
        self.graph.changed.disconnect(self._on_changed)
        self._build(graph)

    def _build(self, graph: Graph) -> None:
        self.nodes, self.edges = {}, {}       # before clear(): it emits selectionChanged
        self.edges_at = {}
        self._overview: dict = {}
        self.cell = overview_cell(COMPACT_WIDTH[1])
        self.values: dict = {}                # node id -> (value, sample) shown in its strip
        self.clear()
        self.graph = graph
        for nid in graph.nodes:
            self._add_node_item(nid)
        for nid in graph.nodes:
            self._sync_edges(nid)
        graph.changed.connect(self._on_changed)
        self.relayout()
        self.refresh()

    @property
    def compact(self) -> bool:
        """Presentation mode (scaled up) shows the compact style in the overview layout:
        the whole of a lecture-sized network on a projector's canvas."""
        return self.scale_ > 1

    def smallest_points(self) -> float:
        """The smallest text the canvas draws, in points at zoom 1 (times the scale)."""
        return COMPACT_SHAPE_POINTS if self.compact else SMALLEST_POINTS

    def set_canvas(self, width: float, height: float, enough: float = MAX_ZOOM,
                   least: float = 0.0) -> None:
        """The view's size (in pixels, at zoom 1) changed: the overview layout wraps its
        bands to fill it, at a zoom up to ``enough``; where the whole graph cannot be shown
        at ``least``, its bands fit the width at ``least`` (overview_layout)."""
        if (width, height, enough, least) != self.canvas:
            self.canvas = (width, height, enough, least)
            self.relayout()

    def relayout(self) -> None:
        """Compact: every node where the overview layout puts it (derived from the graph's
        structure, not its saved positions, which stay as they are)."""
        if not self.compact:
            # the items' rect (Qt's default) holds each edge's room for a label anywhere
            # along it: the edge wrapping back scrolled 58 px past a fit at 1280x724
            m = FIT_MARGIN
            self.setSceneRect(self.content_rect().adjusted(-m, -m, m, m))
            return
        s = self.scale_
        least, most = COMPACT_WIDTH           # one width for all: the widest text's
        width = min(most, max([least] + [i.needed_width() for i in self.nodes.values()]))
        for item in self.nodes.values():
            item.set_compact_width(width)
        self.cell = overview_cell(width)
        self._overview = overview_layout({nid: n.inputs for nid, n in self.graph.nodes.items()},
                                         self.cell, (self.canvas[0] / s, self.canvas[1] / s),
                                         largest=self.canvas[2], least=self.canvas[3])
        for item in self.nodes.values():
            self._place(item)
        # scroll no further than a fit shows: the nodes drawn before the layout (or in the
        # desk's layout) left the scene's default rect far larger, with scroll bars (and a
        # rect larger than a fit's would bring scroll bars that change the fit: a loop)
        m = FIT_MARGIN
        self.setSceneRect(self.content_rect().adjusted(-m, -m, m, m))

    def content_rect(self) -> QRectF:
        """What a fitted view must show: the nodes (with their slot names and thumbnails)
        and the edges' lines; an edge's bounding rect also reserves room for its label
        anywhere along it, which would make a fit smaller than it needs to be."""
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        for edge in self.edges.values():
            rect = rect.united(edge.path().boundingRect().adjusted(-4, -4, 4, 4))
        return rect

    def set_theme(self, theme: Theme, scale: float) -> None:
        self.theme, self.scale_ = theme, scale
        self.set_graph(self.graph)           # sizes depend on the scale: rebuild
        for view in self.views():            # its background's colours, cached
            view.resetCachedContent()

    def _add_node_item(self, nid: str) -> NodeItem:
        node = self.graph.nodes[nid]
        item = NodeItem(nid, node.op, self.scale_, self.compact, self.theme)
        item.moved.connect(self.node_geometry_changed)
        self.addItem(item)
        self.nodes[nid] = item
        self._place(item)
        return item

    def _place(self, item: NodeItem) -> None:
        if self.compact:
            pos = self._overview.get(item.nid, (0, 0, 0))
        else:
            pos = self.graph.nodes[item.nid].ui.get("pos", [0, 0])
        item.setPos(QPointF(pos[0] * self.scale_, pos[1] * self.scale_))

    def _sync_edges(self, nid: str) -> None:
        """Make the edges into ``nid`` match the model."""
        for key in [k for k in self.edges_at.get(nid, ()) if k[0] == nid]:
            self._drop_edge(key)
        node = self.graph.nodes.get(nid)
        if node is None:
            return
        for slot, src in enumerate(node.inputs):
            if src in self.nodes and slot < len(self.nodes[nid].slots):
                edge = EdgeItem(src, nid, slot, self.scale_, self.compact, self.theme)
                self.addItem(edge)
                self.edges[(nid, slot)] = edge
                self.edges_at.setdefault(src, set()).add((nid, slot))
                self.edges_at.setdefault(nid, set()).add((nid, slot))
                self._route(edge)

    def _drop_edge(self, key) -> None:
        edge = self.edges.pop(key)
        for end in (edge.src, edge.dst):
            self.edges_at.get(end, set()).discard(key)
        self.removeItem(edge)

    def _route(self, edge: EdgeItem) -> None:
        a, b = self.nodes[edge.src], self.nodes[edge.dst]
        via = None                      # an edge wrapping to the next band runs back in the
        if self.compact and edge.dst in self._overview:     # gap above that band
            via = (self._overview[edge.dst][2] - self.cell.gap / 2) * self.scale_
        edge.set_ends(a.mapToScene(a.output_port()), b.mapToScene(b.input_port(edge.slot)),
                      via)

    def node_geometry_changed(self, item: NodeItem) -> None:
        if item.scene() is not self:             # taken out of the scene already
            return
        for key in self.edges_at.get(item.nid, ()):
            self._route(self.edges[key])
        if not self.compact:                     # a node dragged further: scroll there
            m = FIT_MARGIN
            self.setSceneRect(self.sceneRect().united(
                item.sceneBoundingRect().adjusted(-m, -m, m, m)))

    # --- following the model --------------------------------------------------------------
    def _on_changed(self, kind: str, nid) -> None:
        if kind == "batch":
            self.relayout()
            self.refresh()
            return
        if kind in ("added", "removed", "inputs"):
            self.relayout()              # the overview's layers follow the structure
        if kind == "added":
            self._add_node_item(nid)
            self._sync_edges(nid)
            for user in self.graph.consumers(nid):
                self._sync_edges(user)
        elif kind == "removed":
            item = self.nodes.pop(nid, None)
            if item is not None:
                self.removeItem(item)
            for key in list(self.edges_at.pop(nid, ())):
                self._drop_edge(key)
        elif kind == "inputs":
            self._sync_edges(nid)
        elif kind == "moved" and not self.compact:
            self._place(self.nodes[nid])
        if kind != "moved" and not self.graph.batching:    # a batch: once, at its end
            self.refresh()

    def refresh(self) -> None:
        """Show the current analysis: every node's summary, shape or problem; edge shapes."""
        analysis = self.graph.analyze()
        problems: dict[str, list[str]] = {}
        for p in analysis.problems:
            if p.node is not None:
                problems.setdefault(p.node, []).append(p.problem)
        for nid, item in self.nodes.items():
            node = self.graph.nodes[nid]
            op = REGISTRY.get(node.op, Op)          # an unknown op: every attribute
            item.set_state(op.summary(node.attrs), analysis.shapes.get(nid),
                           problems.get(nid, ()))
        for edge in self.edges.values():
            edge.set_label(shape_label(analysis.shapes.get(edge.src)))
        self.relayout()                       # compact: the boxes fit the new shapes
        self.analysis_changed.emit(analysis)

    # --- stepping overlays ------------------------------------------------------------------
    def show_step(self, current: str | None, phase: str | None, thumbnails: dict,
                  gradients: dict, values: dict | None = None) -> None:
        """Highlight the node being stepped and its edges, show value thumbnails
        {node id: QImage} and gradient magnitudes {(node id, slot): RMS} on edges;
        ``values`` {node id: (value, sample)} are what a double-click on a thumbnail
        enlarges."""
        self.values = dict(values or {})
        for nid, item in self.nodes.items():
            item.set_highlight(phase if nid == current else None)
            if nid in thumbnails or item.thumbnail.isVisible():
                item.set_thumbnail(thumbnails.get(nid))
        for key, edge in self.edges.items():
            edge.set_overlay(gradients.get(key), phase if edge.dst == current else None)
        if not self.compact:
            self.relayout()                   # the desk's scroll range takes the thumbnails

    def clear_overlays(self) -> None:
        self.show_step(None, None, {}, {})

    # --- gestures -------------------------------------------------------------------------
    def port_under(self, scene_pos: QPointF):
        """(node id, "in"/"out", slot) of a port at ``scene_pos``, or None."""
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                port = item.port_at(item.mapFromScene(scene_pos))
                if port:
                    return (item.nid,) + port
        for item in self.nodes.values():          # forgiving: a few pixels off still counts
            port = item.port_at(item.mapFromScene(scene_pos))
            if port:
                return (item.nid,) + port
        return None

    def mousePressEvent(self, event):
        port = self.port_under(event.scenePos()) if event.button() == Qt.MouseButton.LeftButton else None
        if port is not None:
            self._begin_connection(port, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)
        self._press_positions = {nid: (i.pos().x(), i.pos().y())
                                 for nid, i in self.nodes.items() if i.isSelected()}

    def _begin_connection(self, port, pos: QPointF) -> None:
        nid, side, slot = port
        detached = None
        if side == "in" and (nid, slot) in self.edges:
            # pick up the edge drawn there by its input end (a file's node may list fewer
            # inputs than its op has, or a source that does not exist: no edge then)
            detached, edge = (nid, slot), self.edges[(nid, slot)]
            item = self.nodes[edge.src]
            fixed = ("out", edge.src, 0, item.mapToScene(item.output_port()))
            edge.setVisible(False)
        elif side == "in":
            item = self.nodes[nid]
            fixed = ("in", nid, slot, item.mapToScene(item.input_port(slot)))
        else:
            item = self.nodes[nid]
            fixed = ("out", nid, 0, item.mapToScene(item.output_port()))
        temp = QGraphicsPathItem()
        pen = QPen(self.theme.color("selection"), 2 * self.scale_, Qt.PenStyle.DashLine)
        temp.setPen(pen)
        temp.setZValue(3)
        self.addItem(temp)
        self._drag = (fixed, temp, detached)
        self._update_drag(pos)

    def _update_drag(self, pos: QPointF) -> None:
        assert self._drag is not None, "called while a connection is drawn"
        fixed, temp, _ = self._drag
        a, b = (fixed[3], pos) if fixed[0] == "out" else (pos, fixed[3])
        temp.setPath(bezier(a, b))

    def mouseMoveEvent(self, event):
        if self._drag is not None:
            self._update_drag(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._drag is not None:
            self._end_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moved = {}
        for nid, old in self._press_positions.items():
            item = self.nodes.get(nid)
            if item is not None and (item.pos().x(), item.pos().y()) != old:
                new = (item.pos().x() / self.scale_, item.pos().y() / self.scale_)
                # the model's own position, not the item's divided by the scale: at 1.6 that
                # is often off in the last bit, and undo would not give the node back
                moved[nid] = (tuple(self.graph.nodes[nid].ui.get("pos", (0, 0))), new)
        self._press_positions = {}
        if moved:
            self.nodes_moved.emit(moved)

    def _end_connection(self, pos: QPointF) -> None:
        assert self._drag is not None, "called while a connection is drawn"
        fixed, temp, detached = self._drag
        self._drag = None
        self.removeItem(temp)
        if detached and detached in self.edges:
            self.edges[detached].setVisible(True)
        target = self.port_under(pos)
        changes = [(detached[0], detached[1], None)] if detached else []
        if target is None or target[1] == fixed[0]:
            if target is not None:
                self.refused.emit("connect an output to an input")
            elif changes:
                self.connections_requested.emit(changes)      # dropped in empty space
            return
        if fixed[0] == "out":
            src, (dst, _, slot) = fixed[1], target
        else:
            src, dst, slot = target[0], fixed[1], fixed[2]
        if detached == (dst, slot):
            return                                            # put back where it was
        problem = self.graph.connection_problem(src, dst, slot)
        if problem:
            self.refused.emit(problem)
            return
        self.connections_requested.emit(changes + [(dst, slot, src)])
