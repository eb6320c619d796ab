"""The computational graph: a DAG of op nodes, its shapes, parameters and one backward walk.

Like micrograd's engine: a topological order, one forward sweep, then the loss seeds
dL/dL = 1 and one reverse sweep in which every node turns dL/d(output) into dL/d(inputs)
with its op's ``backward``, accumulated with ``+`` where a value fans out.
"""
from __future__ import annotations

import copy
import json
import zlib
from dataclasses import dataclass

import numpy as np

from ..errors import GraphError, shown
from ..events import Signal
from ..ops import Op
from . import fileformat
from .editing import Editing
from .execution import Execution
from .graph_base import Analysis
from .node import Node
from .order_and_shapes import OrderAndShapes

POSITION_LIMIT = 1e9    # canvas coordinates; a 20,000-node chain spans under 1e6


class Graph(Editing, Execution, OrderAndShapes):
    """A network as data: nodes, parameters, shapes; editing in ``Editing``, running in
    ``Execution``, finding order, shapes and problems in ``OrderAndShapes``."""

    def __init__(self, name: str = "", description: str = "", seed: int = 0):
        self.name = name
        self.description = description
        self.seed = seed
        self.nodes: dict[str, Node] = {}
        self._ops: dict[str, Op] = {}
        self._params: dict[str, dict[str, np.ndarray]] = {}
        self._explicit: set[tuple[str, str]] = set()   # params set or loaded, not seeded
        self._drawn_ahead: dict[str, dict] = {}      # by draw_params_ahead, taken when used
        self._param_shapes: dict[str, dict[str, tuple]] = {}
        self._analysis: Analysis | None = None
        self._dtype = np.dtype(np.float64)             # of parameters, set by analyze
        self._rng: np.random.Generator | None = None   # dropout masks, made when first read
        self._values: dict[str, np.ndarray] = {}
        self._grads: dict[str, np.ndarray] | None = None
        self._param_grads: dict[str, dict[str, np.ndarray]] = {}
        self._deferred: set[str] = set()
        # model events for views: (kind, node id) with kind in added, removed, attrs,
        # inputs, moved, meta; and ("batch", None) when the edits of a batch() are done
        self.changed = Signal()
        self.batching = 0
        self.edits = 0                   # changes of nodes, attributes or wiring so far
        self.changed.connect(self._count)

    @property
    def rng(self) -> np.random.Generator:
        """The dropout masks' generator, seeded with ``seed``; made when first read (importing
        ``numpy.random`` costs start-up about 20 ms, issue 24)."""
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    def _count(self, kind: str, _nid) -> None:
        self.edits += kind not in ("moved", "batch")

    # --- building -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec, check: bool = True) -> Graph:
        """Build from the file format (already parsed JSON); GraphError on any problem.

        With ``check=False`` only the file's structure must be sound: problems of the graph
        itself (unknown ops, shapes that do not fit, unconnected inputs...) stay in
        ``analyze().problems`` for an editor to show."""
        fileformat.check_header(spec)
        fileformat.check_plain(spec)
        f = fileformat.field
        seed = f(spec, "seed", int, 0)
        if not 0 <= seed < 2**63:                       # torch.manual_seed takes 64 bits
            raise GraphError(f"graph: 'seed' must be from 0 to 2**63 - 1, got {shown(seed)}")
        graph = cls(f(spec, "name", str, ""), f(spec, "description", str, ""), seed)
        for i, raw in enumerate(f(spec, "nodes", list, [])):
            graph.add_node(_parse_node(raw, i))
        for nid, ui in f(spec, "ui", dict, {}).items():
            if not isinstance(ui, dict):
                raise GraphError(f"ui entry of node '{nid}' must be an object")
            if nid in graph.nodes:
                graph.nodes[nid].ui = _valid_ui(ui)
        if check:
            graph.check()
        for nid, arrays in f(spec, "params", dict, {}).items():
            if not isinstance(arrays, dict):
                raise GraphError(f"params of node '{nid}' must be an object")
            for pname, obj in arrays.items():
                value = fileformat.decode_array(obj, f"parameter '{nid}.{pname}'")
                if check:
                    graph.set_param(nid, pname, value)
                elif nid in graph.nodes:      # kept if it fits once the graph is mended
                    graph._params.setdefault(nid, {})[pname] = value
                    graph._explicit.add((nid, pname))
        for nid in [nid for nid in graph._params if not graph._params_fit(nid)]:
            graph._take_params(nid)           # attributes that call for other shapes
        return graph

    def to_dict(self) -> dict:
        """The file format; parameters initialised from the seed are left to the seed."""
        nodes = []
        for node in self.nodes.values():
            entry: dict[str, object] = {"id": node.id, "op": node.op}
            if node.attrs:
                entry["attrs"] = dict(node.attrs)
            entry["inputs"] = list(node.inputs)
            nodes.append(entry)
        spec: dict[str, object] = {"format": fileformat.FORMAT, "version": fileformat.VERSION, "name": self.name,
                "description": self.description, "seed": self.seed, "nodes": nodes}
        params: dict = {}
        index = {nid: k for k, nid in enumerate(self.nodes)}
        for nid, pname in sorted(self._explicit, key=lambda k: (index[k[0]], k[1])):
            params.setdefault(nid, {})[pname] = fileformat.encode_array(self._params[nid][pname])
        if params:
            spec["params"] = params
        ui = {n.id: dict(n.ui) for n in self.nodes.values() if n.ui}
        if ui:
            spec["ui"] = ui
        return spec

    def copy(self) -> Graph:
        """An independent graph with the same nodes, parameters and random state (for
        side computations such as gradient checks that must not touch this one)."""
        other = Graph(self.name, self.description, self.seed)
        for node in self.nodes.values():
            other.nodes[node.id] = Node(node.id, node.op, copy.deepcopy(node.attrs),
                                        list(node.inputs), copy.deepcopy(node.ui))
        other._params = {nid: {k: v.copy() for k, v in ps.items()}
                         for nid, ps in self._params.items()}
        other._explicit = set(self._explicit)
        other.rng.bit_generator.state = self.rng.bit_generator.state
        return other

    def add_node(self, node: Node) -> None:
        if node.id in self.nodes:
            raise GraphError("duplicate node id", node=node.id)
        self.nodes[node.id] = node
        self._invalidate()
        self.changed.emit("added", node.id)

    # --- analysis -------------------------------------------------------------------
    def analyze(self) -> Analysis:
        """Order, shapes and problems of the graph as it stands (cached until it changes).

        Problems are collected, not raised, so an editor can mark every bad node while the
        rest of the graph stays usable."""
        if self._analysis is None:
            problems: list[GraphError] = []
            self._build_ops(problems)
            order = self._order(problems)
            shapes = self._infer_shapes(order, problems)
            self._ensure_params(order, shapes)
            self._dtype = self.float_dtype()       # once: _node_params runs per node
            self._analysis = Analysis(order, shapes, problems)
        return self._analysis

    def check(self) -> Analysis:
        """``analyze``, raising the first problem."""
        analysis = self.analyze()
        if analysis.problems:
            raise analysis.problems[0]
        return analysis

    def _ensure_params(self, order, shapes) -> None:
        """Note each node's parameter shapes (their size was checked with the shapes; stored
        params fit them: ``set_attrs`` and ``from_dict`` take away those that do not). Values
        are made lazily by ``_node_params``, so a big graph can be viewed without allocating
        anything."""
        self._param_shapes = {}
        for nid in order:
            op = self._ops.get(nid)
            if op is not None and nid in shapes:
                self._param_shapes[nid] = op.param_shapes()

    def _node_params(self, nid: str) -> dict:
        """The node's parameters: those set or loaded, the others initialised from the seed
        (like torch's defaults) on first use; each node draws from its own stream, so
        adding a node changes no other."""
        have = self._params.get(nid, {})
        wanted = self._param_shapes.get(nid, {})
        if len(have) < len(wanted):
            drawn = self._drawn_ahead.pop(nid, None)
            if drawn is None or {k: (a.shape, a.dtype) for k, a in drawn.items()} != {
                    k: (shape, self._dtype) for k, shape in wanted.items()}:
                drawn = self._draw(nid, self._ops[nid], self._dtype)
            self._params[nid] = {**drawn, **have}
        return self._params.get(nid, {})

    def _draw(self, nid: str, op, dtype) -> dict:
        rng = np.random.default_rng([self.seed, zlib.crc32(nid.encode("utf-8"))])
        return op.init_params(rng, dtype)

    def params_to_draw(self) -> int:
        """How many parameter entries the graph will draw from its seed when first run."""
        analysis = self.analyze()
        return sum(int(np.prod(shape)) for nid, shapes in self._param_shapes.items()
                   if nid in analysis.shapes and len(self._params.get(nid, {})) < len(shapes)
                   for shape in shapes.values())

    def draw_params_ahead(self, stop=lambda: False) -> None:
        """Draw the parameters not made yet, as the first run would, into a store that the
        run takes them from: for a thread started when a big graph opens (numpy draws
        without holding the GIL), so that its first step does not wait for 61 M numbers.
        The graph is not changed here; what an edit makes stale is drawn again when used.
        Call it after ``analyze``; it stops between nodes when ``stop()`` is true."""
        shapes, ops, dtype = self._param_shapes, self._ops, self._dtype
        for nid in list(shapes):
            if stop():
                return
            if nid not in self._params and nid not in self._drawn_ahead and nid in ops:
                self._drawn_ahead[nid] = self._draw(nid, ops[nid], dtype)

    def float_dtype(self) -> np.dtype:
        """The dtype of parameters: that of the float Inputs (float64 unless they say)."""
        for node in self.nodes.values():
            if node.op == "Input" and node.attrs.get("dtype") == "float32":
                return np.dtype(np.float32)
        return np.dtype(np.float64)

    # --- queries --------------------------------------------------------------------
    @property
    def order(self) -> list[str]:
        return self.check().order

    def shape(self, nid: str) -> tuple:
        """The node's output shape, batch dimension as ``BATCH`` ("N")."""
        shapes = self.analyze().shapes
        if nid not in shapes:
            raise GraphError("has no shape (see the problems of the graph)", node=nid)
        return shapes[nid]

    def op(self, nid: str) -> Op:
        self._require(nid)
        self.analyze()
        if nid not in self._ops:
            raise GraphError("has no valid op (see the problems of the graph)", node=nid)
        return self._ops[nid]

    def consumers(self, nid: str) -> list[str]:
        """Nodes fed by ``nid`` (each once)."""
        return [n.id for n in self.nodes.values() if nid in n.inputs]

    def loss_node(self) -> str:
        """The single node whose output is a scalar and which feeds nothing else."""
        shapes = self.check().shapes
        fed = {src for node in self.nodes.values() for src in node.inputs}
        sinks = [nid for nid in self.nodes if shapes[nid] == () and nid not in fed]
        if not sinks:
            raise GraphError("graph has no loss: add a loss (a node with a scalar output, such "
                             "as CrossEntropyLoss) at the end")
        if len(sinks) > 1:
            raise GraphError(f"graph has {len(sinks)} scalar outputs ({', '.join(sinks)}); "
                             f"backward needs exactly one loss: combine them with Add")
        return sinks[0]

    # --- parameters -----------------------------------------------------------------
    def param_names(self, nid: str) -> list[str]:
        self.analyze()
        return list(self._param_shapes.get(nid, {}))

    def param_shape(self, nid: str, name: str) -> tuple:
        self.analyze()
        return self._param_shapes.get(nid, {})[name]

    def param(self, nid: str, name: str) -> np.ndarray:
        self._require(nid)
        self.analyze()
        try:
            return self._node_params(nid)[name]
        except KeyError:
            raise GraphError(f"has no parameter '{name}'", node=nid,
                             op=self.nodes[nid].op) from None

    def param_state(self) -> ParamState:
        """The parameters as they are now, to come back to with ``set_param_state``."""
        return ParamState({nid: dict(ps) for nid, ps in self._params.items()},
                          frozenset(self._explicit))

    def set_param_state(self, state: ParamState) -> None:
        self._params = {nid: dict(ps) for nid, ps in state.params.items()}
        self._explicit = set(state.explicit)

    def set_param(self, nid: str, name: str, value) -> None:
        """Replace a parameter with an array of its shape (stored as a copy). Nothing else
        is allocated: a file's weights for a huge layer are refused by their shape alone."""
        self._require(nid)
        self.analyze()
        shape = self._param_shapes.get(nid, {}).get(name)
        if shape is None:
            raise GraphError(f"has no parameter {shown(name)}", node=nid, op=self.nodes[nid].op)
        value = np.asarray(value)
        if value.shape != shape:
            raise self._fail(nid, f"parameter '{name}' must have shape {shape}, got "
                                  f"{value.shape}")
        if value.dtype.kind != "f":
            raise self._fail(nid, f"parameter '{name}' must hold floats, got {value.dtype}")
        self._params.setdefault(nid, {})[name] = np.array(value, dtype=value.dtype)
        self._explicit.add((nid, name))


@dataclass(frozen=True)
class ParamState:
    """A graph's parameters at one moment: the arrays made so far (not those still to be
    drawn from the seed) and which were set rather than drawn. Shared, not copied:
    ``set_param`` replaces an array, never writes into it."""
    params: dict                   # {node: {name: array}}
    explicit: frozenset

    def same_as(self, other: ParamState) -> bool:
        """The very same arrays (not merely equal numbers)."""
        return self.explicit == other.explicit and self.params.keys() == other.params.keys() \
            and all(ps.keys() == other.params[nid].keys() and
                    all(a is other.params[nid][k] for k, a in ps.items())
                    for nid, ps in self.params.items())

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for ps in self.params.values() for a in ps.values())


def _parse_node(raw, index: int) -> Node:
    where = f"node #{index + 1}"
    if not isinstance(raw, dict):
        raise GraphError(f"{where} must be an object, got {raw!r}")
    nid = raw.get("id")
    if not isinstance(nid, str) or not nid.strip():
        raise GraphError(f"{where} needs a non-empty string 'id', got {nid!r}")
    where = f"node '{nid}'"
    op = raw.get("op")
    if not isinstance(op, str):
        raise GraphError(f"needs a string 'op', got {op!r}", node=nid)
    attrs = fileformat.field(raw, "attrs", dict, {}, where)
    inputs = fileformat.field(raw, "inputs", list, [], where)
    if not all(isinstance(i, str) or i is None for i in inputs):
        raise GraphError(f"'inputs' must be a list of node ids (null: not connected), got "
                         f"{inputs!r}", node=nid)
    unknown = set(raw) - {"id", "op", "attrs", "inputs"}
    if unknown:
        raise GraphError(f"unknown field(s) {sorted(unknown)}", node=nid)
    return Node(nid, op, dict(attrs), list(inputs))


def _valid_ui(ui: dict) -> dict:
    """The node's view data, without a position that is not two numbers within
    +-POSITION_LIMIT (a hand-edited or damaged file; the editor then places the node
    itself). Compared, not converted: a 400-digit integer has no float."""
    pos = ui.get("pos")
    ok = (isinstance(pos, list) and len(pos) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool)
        and -POSITION_LIMIT <= v <= POSITION_LIMIT for v in pos))      # NaN fails too
    return ui if ok or "pos" not in ui else {k: v for k, v in ui.items() if k != "pos"}


# --- graph files (fileformat holds the format's pieces; the graph reads and writes itself) ---
def load_graph(path, check: bool = True):
    """Read a graph file; every problem with the file or the graph is a GraphError.

    ``check=False`` (the editor) accepts a half-built graph and leaves its problems to
    ``analyze()``; the file itself must still be sound."""
    return Graph.from_dict(fileformat.read_json(path), check=check)


def save_graph(graph, path) -> None:
    """Save atomically as JSON; an OSError becomes a GraphError naming the file."""
    text = json.dumps(graph.to_dict(), indent=1)
    try:
        fileformat.write_atomic(path, text + "\n")
    except OSError as err:
        raise GraphError(f"cannot save '{path}': {err.strerror or err}") from None
