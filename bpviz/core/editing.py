"""Editing a graph: the model methods that the editor's undo commands call.

Each edit invalidates the analysis and emits ``graph.changed(kind, node id)`` so that views
follow the model; none of them touches a view.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from .errors import GraphError
from .ops import REGISTRY


@dataclass
class Removed:
    """What ``remove_node`` took away, so that ``restore_node`` can put it back exactly."""

    node: object
    index: int
    params: dict | None
    explicit: set
    consumers: list            # (consumer id, slot index) that fed from the node


class Editing:
    @contextmanager
    def batch(self):
        """Several edits as one (a paste, a multiple delete and their undo): views may skip
        the work they do per edit while ``batching`` and do it once at ("batch", None)."""
        self.batching += 1
        try:
            yield
        finally:
            self.batching -= 1
            if not self.batching:
                self.changed.emit("batch", None)

    def new_id(self, op: str) -> str:
        """A fresh id like ``linear3`` for a new node of ``op``."""
        base, k = op.lower(), 1
        while f"{base}{k}" in self.nodes:
            k += 1
        return f"{base}{k}"

    def remove_node(self, nid: str) -> Removed:
        """Delete a node; the slots it fed become unconnected."""
        node = self._require(nid)
        consumers = [(c.id, i) for c in self.nodes.values() for i, src in enumerate(c.inputs)
                     if src == nid and c.id != nid]
        removed = Removed(node, list(self.nodes).index(nid), self._params.pop(nid, None),
                          {k for k in self._explicit if k[0] == nid}, consumers)
        self._explicit -= removed.explicit
        for cid, slot in consumers:
            self.nodes[cid].inputs[slot] = None
        del self.nodes[nid]
        self._invalidate()
        self.changed.emit("removed", nid)
        for cid, _ in consumers:
            self.changed.emit("inputs", cid)
        return removed

    def restore_node(self, removed: Removed) -> None:
        """Undo ``remove_node``: same place in the order, same params, same connections."""
        items = list(self.nodes.items())
        items.insert(removed.index, (removed.node.id, removed.node))
        self.nodes = dict(items)
        if removed.params is not None:
            self._params[removed.node.id] = removed.params
        self._explicit |= removed.explicit
        for cid, slot in removed.consumers:
            self.nodes[cid].inputs[slot] = removed.node.id
        self._invalidate()
        self.changed.emit("added", removed.node.id)
        for cid, _ in removed.consumers:
            self.changed.emit("inputs", cid)

    def set_attrs(self, nid: str, attrs: dict) -> None:
        """Replace a node's attributes (problems show in ``analyze``)."""
        self._require(nid).attrs = dict(attrs)
        self._invalidate()
        self.changed.emit("attrs", nid)

    def connection_problem(self, src: str, dst: str, slot: int) -> str | None:
        """Why ``src -> dst[slot]`` can never be valid, or None if it may be."""
        if src not in self.nodes or dst not in self.nodes:
            return "both ends must be nodes of the graph"
        cls = REGISTRY.get(self.nodes[dst].op)
        slots = cls.inputs if cls else ()
        if not 0 <= slot < len(slots):
            return f"'{dst}' has no input number {slot + 1}"
        if src == dst:
            return "a node cannot feed itself"
        if self._reaches(dst, src):
            return f"'{dst}' already feeds '{src}': this connection would make a cycle"
        return None

    def _reaches(self, start: str, goal: str) -> bool:
        """Whether data flows from ``start`` to ``goal`` (linear: one map of consumers)."""
        users: dict[str, list] = {}
        for node in self.nodes.values():
            for src in dict.fromkeys(node.inputs):
                users.setdefault(src, []).append(node.id)
        seen, stack = {start}, [start]
        while stack:
            for user in users.get(stack.pop(), ()):
                if user == goal:
                    return True
                if user not in seen:
                    seen.add(user)
                    stack.append(user)
        return False

    def set_input(self, nid: str, slot: int, src: str | None) -> None:
        """Connect ``src`` to input ``slot`` of ``nid`` (None disconnects)."""
        node = self._require(nid)
        if src is not None:
            problem = self.connection_problem(src, nid, slot)
            if problem:
                raise GraphError(problem, node=nid)
        while len(node.inputs) <= slot:
            node.inputs.append(None)
        node.inputs[slot] = src
        self._invalidate()
        self.changed.emit("inputs", nid)

    def move_node(self, nid: str, pos) -> None:
        """Store the node's position (model data: it is saved with the graph)."""
        self._require(nid).ui["pos"] = [float(pos[0]), float(pos[1])]
        self.changed.emit("moved", nid)

    def set_meta(self, name: str, description: str) -> None:
        self.name, self.description = name, description
        self.changed.emit("meta", None)

