"""What the parts of ``Graph`` read of each other, typed: its state and the queries that
``Editing``, ``Execution`` and ``OrderAndShapes`` call on the graph they are part of; and
``Analysis``, what ``Graph.analyze`` finds.

Each part subclasses ``GraphBase``, so a type checker holds every part to these names and
types, and ``Graph``, which overrides the methods at the end, to the signatures the parts
rely on."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import GraphError
from ..events import Signal
from ..ops import Op
from .node import Node


@dataclass
class Analysis:
    """What a graph is before it runs: an order, shapes, and every problem found."""

    order: list[str]                 # node ids, inputs before consumers (cycle-free part)
    shapes: dict[str, tuple]         # node id -> symbolic shape, for nodes that infer
    problems: list[GraphError]       # one per problem, each naming its node


class GraphBase:
    """The state every part reads and writes (``Graph.__init__`` sets it), the small
    queries on it, and the methods of ``Graph`` that the parts call."""

    nodes: dict[str, Node]
    _ops: dict[str, Op]                                # op of each node that makes one
    _analysis: Analysis | None                         # None: changed since analyzed
    _params: dict[str, dict[str, np.ndarray]]          # parameters made so far
    _explicit: set[tuple[str, str]]                    # (node, name) set or loaded, not drawn
    _values: dict[str, np.ndarray]                     # forward values so far
    _grads: dict[str, np.ndarray] | None               # dL/d(node); None before backward
    _param_grads: dict[str, dict[str, np.ndarray]]
    _deferred: set[str]                                # Inputs whose dL/d(value) grad() computes
    rng: np.random.Generator                           # dropout masks
    changed: Signal                                    # (kind, node id) for views
    batching: int                                      # depth of nested ``batch()``

    def inputs(self) -> list[str]:
        return [nid for nid, n in self.nodes.items() if n.op == "Input"]

    def _require(self, nid: str) -> Node:
        if nid not in self.nodes:
            raise GraphError(f"no node '{nid}' in the graph")
        return self.nodes[nid]

    def _fail(self, nid: str, message: str) -> GraphError:
        return GraphError(message, node=nid, op=self.nodes[nid].op)

    def _invalidate(self) -> None:
        self._analysis = None
        self._values = {}
        self._grads = None

    # --- defined by Graph ---------------------------------------------------------------
    # declared here so that the parts are typed against them (mypy checks that Graph's
    # own versions match); never called: every Graph overrides each one
    def check(self) -> Analysis:
        raise NotImplementedError

    @property
    def order(self) -> list[str]:
        raise NotImplementedError

    def loss_node(self) -> str:
        raise NotImplementedError

    def param(self, nid: str, name: str) -> np.ndarray:
        raise NotImplementedError

    def _node_params(self, nid: str) -> dict[str, np.ndarray]:
        raise NotImplementedError
