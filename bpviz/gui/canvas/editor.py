"""Editor: the Backprop tab's controller — turns gestures into undo commands.

It owns no graph state: the Document holds the graph and its undo stack, the scene and the
panels show the model, and every edit here is a command pushed on the stack.
"""
from __future__ import annotations

import json

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtWidgets import QApplication

from ...core import Graph, GraphError, Node
from ...core.network.fileformat import FORMAT, VERSION
from ...core.network.layout import layered_layout
from ...core.ops import REGISTRY
from .commands import AddNodes, MoveNodes, RemoveNodes, SetAttrs, SetInputs
from .node_item import NodeItem


def copied_nodes(text: str) -> list[Node]:
    """The nodes in text written by ``Editor.copy``, checked as the file format checks a
    graph's nodes; ValueError saying why for anything else on the clipboard."""
    try:
        raw = json.loads(text)["bpviz_nodes"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ValueError("the clipboard holds no bpviz nodes") from None
    if not isinstance(raw, list) or not raw:
        raise ValueError("the clipboard holds no bpviz nodes")
    entries = [{k: v for k, v in e.items() if k != "ui"} if isinstance(e, dict) else e
               for e in raw]
    ui = {e["id"]: e["ui"] for e in raw
          if isinstance(e, dict) and isinstance(e.get("id"), str) and "ui" in e}
    try:
        graph = Graph.from_dict({"format": FORMAT, "version": VERSION, "nodes": entries,
                                 "ui": ui}, check=False)
    except (GraphError, RecursionError) as err:
        raise ValueError(f"the copied nodes are damaged: {err}") from None
    return list(graph.nodes.values())


class Editor(QObject):
    message = Signal(str)                 # something the status bar should say

    def __init__(self, document, scene, view, parent=None):
        super().__init__(parent)
        self.document, self.scene, self.view = document, scene, view
        scene.connections_requested.connect(self.set_inputs)
        scene.nodes_moved.connect(self.move)
        scene.refused.connect(lambda why: self.message.emit(f"Not connected: {why}"))
        view.op_dropped.connect(lambda op, pos: self.add_op(op, pos))

    @property
    def graph(self):
        return self.document.graph

    def push(self, command) -> None:
        self.document.undo_stack.push(command)

    def selected_ids(self) -> list[str]:
        """Selected node ids, in the graph's order."""
        chosen = {item.nid for item in self.scene.selectedItems() if isinstance(item, NodeItem)}
        return [nid for nid in self.graph.nodes if nid in chosen]

    # --- edits ----------------------------------------------------------------------------
    def add_op(self, op: str, pos: QPointF | None = None) -> str:
        """Add a node of ``op``; with one node selected, the new one follows it, connected."""
        cls = REGISTRY[op]
        selected = self.selected_ids()
        after = selected[0] if len(selected) == 1 and cls.inputs else None
        attrs = dict(cls.starter_attrs)
        inputs: list[str | None] = [None] * len(cls.inputs)
        if after is not None:
            inputs[0] = after
            attrs = cls.fit_to_input(attrs, self.graph.analyze().shapes.get(after))
        if pos is None:
            if after is not None:
                x, y = self.graph.nodes[after].ui.get("pos", [0, 0])
                pos = QPointF(x + 310, y)
            else:
                centre = self.view.mapToScene(self.view.viewport().rect().center())
                pos = QPointF(centre.x() / self.scene.scale_ - 98, centre.y() / self.scene.scale_ - 40)
        else:
            pos = QPointF(pos.x() / self.scene.scale_ - 98, pos.y() / self.scene.scale_ - 20)
        pos = self._free_spot(pos)
        nid = self.graph.new_id(op)
        node = Node(nid, op, attrs, inputs, {"pos": [pos.x(), pos.y()]})
        self.push(AddNodes(self.graph, [node], f"Add {op}"))
        self.select([nid])
        self.scene.sceneRect()              # grows the scene now, so the view can scroll there
        self.view.ensureVisible(self.scene.nodes[nid], 40, 40)
        return nid

    def _free_spot(self, pos: QPointF) -> QPointF:
        """``pos``, moved down until no node sits there (new nodes must not hide others)."""
        taken = [n.ui.get("pos", [0, 0]) for n in self.graph.nodes.values()]
        x, y = pos.x(), pos.y()
        while any(abs(x - tx) < 200 and abs(y - ty) < 90 for tx, ty in taken):
            y += 110
        return QPointF(x, y)

    def set_inputs(self, changes: list) -> None:
        self.push(SetInputs(self.graph, changes))

    def set_attrs(self, nid: str, attrs: dict) -> None:
        self.push(SetAttrs(self.graph, nid, attrs))

    def move(self, moves: dict) -> None:
        self.push(MoveNodes(self.graph, moves))

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.push(RemoveNodes(self.graph, ids))

    def auto_layout(self) -> None:
        positions = layered_layout({nid: n.inputs for nid, n in self.graph.nodes.items()})
        moves = {nid: (tuple(self.graph.nodes[nid].ui.get("pos", (0, 0))), positions[nid])
                 for nid in self.graph.nodes}
        moves = {k: v for k, v in moves.items() if tuple(v[0]) != tuple(v[1])}
        if moves:
            self.push(MoveNodes(self.graph, moves, "Automatic layout"))
        self.view.fit()

    def select(self, ids) -> None:
        """Select exactly ``ids``; the scene reports it once (not once per node)."""
        blocked = self.scene.blockSignals(True)
        self.scene.clearSelection()
        for nid in ids:
            if nid in self.scene.nodes:
                self.scene.nodes[nid].setSelected(True)
        self.scene.blockSignals(blocked)
        self.scene.selectionChanged.emit()

    # --- clipboard --------------------------------------------------------------------------
    def copy(self) -> int:
        """Copy the selected nodes (their connections among themselves kept)."""
        ids = set(self.selected_ids())
        if not ids:
            return 0
        nodes = []
        for nid in self.graph.nodes:
            if nid in ids:
                node = self.graph.nodes[nid]
                nodes.append({"id": nid, "op": node.op, "attrs": node.attrs,
                              "inputs": [s if s in ids else None for s in node.inputs],
                              "ui": node.ui})
        # plain JSON text (a QMimeData made in Python and left in the clipboard crashes the
        # interpreter at exit with PySide6 6.11); it pastes into a text editor too
        QApplication.clipboard().setText(json.dumps({"bpviz_nodes": nodes}))
        return len(nodes)

    def paste(self) -> list[str]:
        """Paste copied nodes with fresh ids, offset from the originals."""
        try:
            copied = copied_nodes(QApplication.clipboard().text())
        except ValueError as err:
            self.message.emit(f"Nothing pasted: {err}")
            return []
        taken = set(self.graph.nodes)
        rename = {}
        for node in copied:
            base, k = node.id, 2
            new = f"{base}_copy"
            while new in taken:
                new, k = f"{base}_copy{k}", k + 1
            taken.add(new)
            rename[node.id] = new
        nodes = []
        for node in copied:
            x, y = node.ui.get("pos", [0, 0])
            nodes.append(Node(rename[node.id], node.op, node.attrs,
                              [rename.get(s) for s in node.inputs],
                              {"pos": [x + 40, y + 40]}))
        self.push(AddNodes(self.graph, nodes, f"Paste {len(nodes)} node(s)"))
        self.select([n.id for n in nodes])
        return [n.id for n in nodes]
