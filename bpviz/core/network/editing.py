"""Editing a graph: the model methods that the editor's undo commands call.

Each edit invalidates the analysis and emits ``graph.changed(kind, node id)`` so that views
follow the model; none of them touches a view.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import GraphError, OpError
from ..ops import REGISTRY
from .graph_base import GraphBase
from .node import Node


@dataclass
class NodeParams:
    """A node's stored parameter arrays (None: none made yet) and which of them were set or
    loaded rather than drawn from the seed: what an edit takes away and its undo gives back."""

    arrays: dict | None
    explicit: set


@dataclass
class Removed:
    """What ``remove_node`` took away, so that ``restore_node`` can put it back exactly."""

    node: Node
    index: int
    params: NodeParams
    consumers: list            # (consumer id, slot index) that fed from the node


class Editing(GraphBase):
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
        removed = Removed(node, list(self.nodes).index(nid), self._take_params(nid), consumers)
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
        self._give_params(removed.node.id, removed.params)
        for cid, slot in removed.consumers:
            self.nodes[cid].inputs[slot] = removed.node.id
        self._invalidate()
        self.changed.emit("added", removed.node.id)
        for cid, _ in removed.consumers:
            self.changed.emit("inputs", cid)

    def set_attrs(self, nid: str, attrs: dict,
                  params: NodeParams | None = None) -> NodeParams | None:
        """Replace a node's attributes (problems show in ``analyze``). Stored parameters of
        other shapes than the new attributes call for are taken away and returned (then drawn
        from the seed again when used); ``params``, what the inverse edit returned, takes the
        place of the node's own, which are returned: undo and redo give each other's back."""
        self._require(nid).attrs = dict(attrs)
        taken = None
        if params is not None or not self._params_fit(nid):
            taken = self._take_params(nid)
            if params is not None:
                self._give_params(nid, params)
        self._invalidate()
        self.changed.emit("attrs", nid)
        return taken

    def _params_fit(self, nid: str) -> bool:
        """Whether the node's stored parameters have the shapes that its attributes call for
        (shapes depend on attributes alone; attributes that make no op: no one can tell)."""
        have = self._params.get(nid)
        cls = REGISTRY.get(self.nodes[nid].op)
        if not have or cls is None:
            return True
        try:
            wanted = cls(**self.nodes[nid].attrs).param_shapes()
        except OpError:
            return True
        return all(wanted.get(k) == a.shape for k, a in have.items())

    def _take_params(self, nid: str) -> NodeParams:
        taken = NodeParams(self._params.pop(nid, None), {k for k in self._explicit if k[0] == nid})
        self._explicit -= taken.explicit
        return taken

    def _give_params(self, nid: str, given: NodeParams) -> None:
        if given.arrays is not None:
            self._params[nid] = given.arrays
        self._explicit |= given.explicit

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

    def set_input(self, nid: str, slot: int, src: str | None) -> list:
        """Connect ``src`` to input ``slot`` of ``nid`` (None disconnects); returns the
        node's inputs as they were, for ``restore_inputs`` (a short list grows to the slot)."""
        node = self._require(nid)
        if src is not None:
            problem = self.connection_problem(src, nid, slot)
            if problem:
                raise GraphError(problem, node=nid)
        before = list(node.inputs)
        while len(node.inputs) <= slot:
            node.inputs.append(None)
        node.inputs[slot] = src
        self._invalidate()
        self.changed.emit("inputs", nid)
        return before

    def restore_inputs(self, nid: str, inputs: list) -> None:
        """Undo ``set_input``: the node's inputs exactly as it returned them."""
        self._require(nid).inputs = list(inputs)
        self._invalidate()
        self.changed.emit("inputs", nid)

    def move_node(self, nid: str, pos) -> None:
        """Store the node's position (model data: it is saved with the graph)."""
        self._require(nid).ui["pos"] = [float(pos[0]), float(pos[1])]
        self.changed.emit("moved", nid)

