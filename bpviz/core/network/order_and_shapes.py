"""Analysis of a graph before it runs: each node's op from its attributes, a topological
order, every cycle, and the shapes; every problem of every node is collected, not raised,
so that an editor can mark them all while the rest of the graph stays usable."""
from __future__ import annotations

import math
from collections import deque

from ..errors import GraphError, OpError, amount, shown
from ..ops import BATCH, MAX_ELEMENTS, REGISTRY, Op, shape_text
from .graph_base import GraphBase
from .node import Node


class OrderAndShapes(GraphBase):
    """The steps of ``Graph.analyze`` (a mixin of Graph: it reads ``nodes`` and fills
    ``_ops``)."""

    def _build_ops(self, problems) -> None:
        """Make each node's op; a node with any problem gets none, and every problem of
        every node is listed (a file can have several, and the user should see them all)."""
        self._ops = {}
        for node in self.nodes.values():
            op, found = self._make_op(node)
            problems.extend(found)
            if op is not None and not found:
                self._ops[node.id] = op

    def _make_op(self, node: Node) -> tuple[Op | None, list[GraphError]]:
        """The node's op (None if it cannot be made) and every problem of the node:
        unknown op, bad attributes, wrong input count, open slots, missing inputs."""
        missing = [GraphError(f"input {shown(src)} does not exist", node=node.id, op=node.op)
                   for src in dict.fromkeys(node.inputs) if src is not None
                   and src not in self.nodes]
        cls = REGISTRY.get(node.op)
        if cls is None:
            return None, [GraphError(f"unknown op {shown(node.op)}", node=node.id)] + missing
        op, found = None, []
        try:
            op = cls(**node.attrs)
        except OpError as err:              # list them all (setup's own checks: just one)
            found = [self._fail(node.id, p) for p in cls.attr_problems(node.attrs) or [str(err)]]
        if len(node.inputs) != len(cls.inputs):
            names = ", ".join(cls.inputs) or "none"
            found.append(self._fail(node.id, f"takes {len(cls.inputs)} input(s) ({names}), "
                                              f"got {len(node.inputs)}"))
        else:
            found += [self._fail(node.id, f"input '{slot}' is not connected")
                      for slot, src in zip(cls.inputs, node.inputs, strict=True) if src is None]
        return op, found + missing

    def _order(self, problems) -> list[str]:
        """Kahn's topological sort, linear in nodes and edges; each cycle is reported once,
        and the nodes on it or downstream of it are left out."""
        sources = {nid: [src for src in dict.fromkeys(n.inputs) if src in self.nodes]
                   for nid, n in self.nodes.items()}
        order, _ = kahn_order(sources)
        placed = set(order)
        stuck = [nid for nid in self.nodes if nid not in placed]
        for cycle in self._cycles(stuck, sources):
            problems.append(GraphError(f"is on a cycle: {cycle_text(cycle)} (a network must "
                                       f"be a DAG)", node=cycle[0]))
        return order

    def _cycles(self, stuck: list[str], sources: dict) -> list[list[str]]:
        """Every cycle among the ``stuck`` nodes, each once, in the direction data flows and
        starting at its first node in file order. Each walk follows inputs until it meets
        a node already walked, so every node is walked once."""
        index = {nid: k for k, nid in enumerate(self.nodes)}
        on_hold = set(stuck)
        walk_of: dict[str, int] = {}
        cycles = []
        for walk, start in enumerate(stuck):
            path, nid = [], start
            while nid not in walk_of:
                walk_of[nid] = walk
                path.append(nid)
                # a stuck node waits for at least one stuck input
                nid = next(src for src in sources[nid] if src in on_hold)
            if walk_of[nid] == walk:                 # met itself: a new cycle
                cycle = path[path.index(nid):][::-1]
                first = min(range(len(cycle)), key=lambda i: index[cycle[i]])
                cycles.append(cycle[first:] + cycle[:first])
        return cycles

    def _infer_shapes(self, order, problems) -> dict:
        shapes: dict[str, tuple] = {}
        kinds: dict[str, str] = {}           # "int" (class labels) or "float"
        for nid in order:
            op = self._ops.get(nid)
            if op is None:
                continue
            node = self.nodes[nid]
            if not all(i in shapes for i in node.inputs):
                continue
            in_shapes = [shapes[i] for i in node.inputs]
            try:
                shape = op.infer(in_shapes)
                self._check_kinds(op, node, in_shapes, kinds)
                total = sum(math.prod(s) for s in op.param_shapes().values())
                if total > MAX_ELEMENTS:
                    raise OpError(f"parameters would need {amount(total)} values, more than "
                                  f"the limit of {MAX_ELEMENTS:,}")
                if math.prod(d for d in shape if d != BATCH) > MAX_ELEMENTS:
                    raise OpError(f"output {shape_text(shape)} is too large (more than "
                                  f"{MAX_ELEMENTS:,} values per sample)")
            except OpError as err:
                problems.append(self._fail(nid, str(err)))
                continue
            shapes[nid] = shape
            kinds[nid] = ("int" if node.op == "Input" and op.attr_values()["dtype"] == "int64"
                          else "float")
        return shapes

    def _check_kinds(self, op, node, in_shapes, kinds) -> None:
        """Integer tensors (class labels) may only flow into targets that take them."""
        for i, src in enumerate(node.inputs):
            need = op.target_kind(in_shapes) if i == 1 and op.group == "losses" else "float"
            if need == "int" and kinds[src] != "int":
                raise OpError(f"{op.inputs[i]} must be class indices: connect an Input with "
                              f"dtype int64 (got '{src}', which holds floats)")
            if need == "float" and kinds[src] == "int":
                raise OpError(f"{op.inputs[i]} needs floats but '{src}' holds integers "
                              f"(int64)")


def kahn_order(sources: dict[str, list]) -> tuple[list[str], dict[str, list[str]]]:
    """Kahn's topological sort of {node: its distinct sources, all keys of the dict}, in
    time linear in nodes and edges: the order (ties in the dict's order; nodes on a cycle
    or downstream of one left out) and {node: the nodes it feeds}."""
    pending = {nid: len(srcs) for nid, srcs in sources.items()}
    consumers: dict[str, list] = {nid: [] for nid in sources}
    for nid, srcs in sources.items():
        for src in srcs:
            consumers[src].append(nid)
    ready = deque(nid for nid, count in pending.items() if count == 0)
    order = []
    while ready:
        nid = ready.popleft()
        order.append(nid)
        for dst in consumers[nid]:
            pending[dst] -= 1
            if pending[dst] == 0:
                ready.append(dst)
    return order, consumers


def cycle_text(cycle: list[str], shown_ids: int = 8) -> str:
    """``a -> b -> c -> a``; a long cycle shows its ends and how many nodes it has."""
    ids = cycle + cycle[:1]
    if len(cycle) <= shown_ids:
        return " -> ".join(ids)
    half = shown_ids // 2
    return (" -> ".join(ids[:half]) + f" -> ... ({len(cycle):,} nodes) -> "
            + " -> ".join(ids[-half:]))
