"""Undo commands. Each calls model methods only; the scene follows the model's events."""
from __future__ import annotations

import copy

from PySide6.QtGui import QUndoCommand

from ...core.network.editing import Removed


class AddNodes(QUndoCommand):
    """Add nodes (a new op from the palette, or a paste) with their connections."""

    def __init__(self, graph, nodes: list, text: str):
        super().__init__(text)
        self.graph = graph
        self.nodes = [copy.deepcopy(n) for n in nodes]

    def redo(self):
        with self.graph.batch():
            for node in self.nodes:
                self.graph.add_node(copy.deepcopy(node))

    def undo(self):
        with self.graph.batch():
            for node in reversed(self.nodes):
                self.graph.remove_node(node.id)


class RemoveNodes(QUndoCommand):
    def __init__(self, graph, ids: list):
        super().__init__(f"Delete {', '.join(ids)}" if len(ids) < 4 else f"Delete {len(ids)} nodes")
        self.graph = graph
        self.ids = list(ids)
        self.removed: list[Removed] = []

    def redo(self):
        with self.graph.batch():
            self.removed = [self.graph.remove_node(nid) for nid in self.ids]

    def undo(self):
        with self.graph.batch():
            for removed in reversed(self.removed):
                self.graph.restore_node(removed)


class SetInputs(QUndoCommand):
    """Connect or disconnect input slots: changes = [(node id, slot, source or None)]."""

    def __init__(self, graph, changes: list):
        text = "Disconnect" if all(src is None for _, _, src in changes) else "Connect"
        super().__init__(text)
        self.graph = graph
        self.changes = list(changes)
        self.before: list[tuple[str, list]] = []    # (node id, its inputs before each change)

    def redo(self):
        self.before = [(nid, self.graph.set_input(nid, slot, src))
                       for nid, slot, src in self.changes]

    def undo(self):
        for nid, inputs in reversed(self.before):
            self.graph.restore_inputs(nid, inputs)


class SetAttrs(QUndoCommand):
    """Edit a node's attributes. Parameters that stop fitting them go with the step: what
    redo takes away, undo gives back, and the other way round."""

    def __init__(self, graph, nid: str, attrs: dict):
        super().__init__(f"Edit {nid}")
        self.graph, self.nid = graph, nid
        self.old = dict(graph.nodes[nid].attrs)
        self.new = dict(attrs)
        self.taken = None                   # what the last redo or undo took away

    def redo(self):
        self.taken = self.graph.set_attrs(self.nid, self.new, self.taken)

    def undo(self):
        self.taken = self.graph.set_attrs(self.nid, self.old, self.taken)


class MoveNodes(QUndoCommand):
    """moves = {node id: ((old x, old y), (new x, new y))}."""

    def __init__(self, graph, moves: dict, text: str = "Move"):
        super().__init__(text)
        self.graph = graph
        self.moves = dict(moves)

    def redo(self):
        for nid, (_, new) in self.moves.items():
            self.graph.move_node(nid, new)

    def undo(self):
        for nid, (old, _) in self.moves.items():
            self.graph.move_node(nid, old)
