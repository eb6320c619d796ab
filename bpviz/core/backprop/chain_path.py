"""The lecture's chain rule for one parameter, as one product walking back from the loss:

    ∂L/∂W = ∂L/∂σ · ∂σ/∂y · ∂y/∂W        [1×m] · [m×m] · [m×(m·n)] = [1×(m·n)]

``routes`` lists the paths from the loss back to a parameter's node: one in a chain, several
where the graph branches (fan-out), and then the products of all of them add up to the
gradient. ``chain_path`` gives one route's factors for one sample — each the per-sample
local Jacobian of one node, built by ``stepper.local_jacobian`` from the op's own backward —
and their product.

The product is carried from the loss as a row, ``row · J``, each op's backward fed that row
(a vector-Jacobian product), so a factor too big to build still takes part: ∂y/∂W of the
lecture's 150,528-input layer is 10 × 1,505,280. Where every factor is built, the literal
matrix product is computed too, as a check that the row walk is the lecture's product.

Batches: the lecture's product is one sample's. A loss that averages over the batch puts
1/N into its row, and the engine's ∂L/∂W is the sum of the products over the samples and
over the routes; ``ChainPath`` holds both sides of that equation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import GraphError
from .jacobian import LazyJacobian
from .stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS, local_jacobian

# Routes listed (and walked for the total). Fan-outs multiply routes; past this many the
# products shown no longer add up to the whole gradient, and the path says so.
MAX_ROUTES = 16


@dataclass(frozen=True)
class Route:
    """A path from the loss back to a node: ``nodes[0]`` is the loss, and ``nodes[k]`` reads
    ``nodes[k + 1]`` through its input slot ``slots[k]``."""

    nodes: tuple[str, ...]
    slots: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ← ".join(self.nodes)


@dataclass
class Factor:
    """∂(node's output)/∂(wrt) for one sample: one node's local Jacobian on the route.

    ``shape`` is (rows, columns) = (the sample's output elements, the sample's input
    elements, or all of a parameter's); ``matrix`` is None where it is too big to build
    whole, and ``note`` says so; ``lazy`` computes any of its rows on demand."""

    node: str               # whose op
    wrt: str                # input slot or parameter name
    of: str                 # numerator: "L" for the loss, else the node id
    by: str                 # denominator: the source node id, or "node.param"
    shape: tuple[int, int]
    matrix: np.ndarray | None
    lazy: LazyJacobian
    note: str = ""
    structure: str = ""     # the op's name for the Jacobian's pattern (op.jacobian_doc)


@dataclass
class ChainPath:
    """∂L/∂(node.param) for one sample along one route, factor by factor, next to the
    engine's gradient. Arrays named for a parameter have its shape."""

    node: str
    param: str
    sample: int
    batch: int
    route: Route
    routes: list[Route]        # every route found (at most MAX_ROUTES)
    route_count: int           # every route there is
    factors: list[Factor]
    partials: list[np.ndarray]     # (1, k) after each factor: dL/d(factor.by), this route
    product: np.ndarray        # this sample's product along this route
    literal: np.ndarray | None     # (1, P): the factors' matrix product, where all are built
    route_total: np.ndarray    # the product summed over the batch, this route
    total: np.ndarray          # summed over the batch and every listed route
    gradient: np.ndarray       # the engine's dL/d(param)
    batch_note: str = ""       # how the loss scales a sample's row over the batch

    @property
    def complete(self) -> bool:
        """Whether every route is listed, so that ``total`` must equal ``gradient``."""
        return len(self.routes) == self.route_count

    @property
    def difference(self) -> float:
        """max |total − gradient|."""
        return float(np.max(np.abs(self.total - self.gradient), initial=0.0))

    @property
    def literal_difference(self) -> float | None:
        """max |literal − product|: the row walk against the matrix product written out."""
        if self.literal is None:
            return None
        return float(np.max(np.abs(self.literal.ravel() - self.product.ravel())))

    @property
    def shapes_text(self) -> str:
        """"[1×10] · [10×10] · [10×100] = [1×100]"."""
        shapes = [f"[{r}×{c}]" for r, c in (f.shape for f in self.factors)]
        return " · ".join(shapes) + f" = [1×{self.product.size}]"

    def relation(self) -> str:
        """How this sample's product relates to the engine's gradient, in one paragraph."""
        parts = []
        if self.batch > 1:
            parts.append(f"The product is sample {self.sample}'s; the engine's gradient "
                         f"sums the products of all {self.batch} samples")
        else:
            parts.append("With one sample the product is the whole gradient of this route")
        if self.route_count > 1:
            listed = (f"all {self.route_count}" if self.complete
                      else f"the first {len(self.routes)} of {self.route_count}")
            parts.append(f"{self.route_count} routes reach {self.node} and their products add "
                         f"up (fan-out): the total sums {listed} routes' products")
        if self.batch_note:
            parts.append(f"'{self.route.nodes[0]}' {self.batch_note}")
        return "; ".join(parts) + "."


def routes(graph, node: str, limit: int = MAX_ROUTES) -> tuple[list[Route], int]:
    """The routes from the loss back to ``node`` (at most ``limit``) and how many exist.

    A route follows float values only (class labels carry no gradient); a node that reads
    the same source twice gives two routes, as its two gradients add."""
    loss = graph.loss_node()
    graph._require(node)
    above = _downstream(graph, node)
    count = {node: 1}
    for nid in graph.order:                         # producers first
        if nid != node and nid in above:
            count[nid] = sum(count.get(src, 0) for _, src in _edges(graph, nid, above))
    found: list[Route] = []

    def walk(nid: str, nodes: tuple, slots: tuple) -> None:
        if len(found) >= limit:
            return
        if nid == node:
            found.append(Route(nodes, slots))
            return
        for slot, src in _edges(graph, nid, above):
            walk(src, nodes + (src,), slots + (slot,))

    if loss in above:
        walk(loss, (loss,), ())
    return found, count.get(loss, 0)


def _downstream(graph, node: str) -> set[str]:
    """``node`` and every node that depends on it."""
    above = {node}
    for nid in graph.order:
        if any(src in above for src in graph.nodes[nid].inputs):
            above.add(nid)
    return above


def _edges(graph, nid: str, above: set[str]) -> list[tuple[str, str]]:
    """(slot, source) of ``nid``'s inputs that lie on a route: float values in ``above``."""
    op = graph.op(nid)
    return [(slot, src) for slot, src in zip(op.inputs, graph.nodes[nid].inputs, strict=True)
            if src in above and graph.value(src).dtype.kind == "f"]


def chain_path(graph, node: str, param: str, sample: int = 0, route: int = 0,
               cap: int = INTERACTIVE_JACOBIAN_CAP,
               max_rows: int = INTERACTIVE_JACOBIAN_ROWS) -> ChainPath:
    """The chain rule for ``graph``'s parameter ``node.param`` along route number ``route``,
    for one ``sample``; forward and backward must have run (``gradient`` is the engine's).

    Factors larger than ``cap`` entries or ``max_rows`` rows are not built (see
    ``local_jacobian``); the product does not need them. GraphError says what is missing."""
    if param not in graph.param_names(node):
        raise GraphError(f"has no parameter '{param}'", node=node)
    gradient = graph.param_grad(node, param)
    found, count = routes(graph, node)
    if not found:
        raise GraphError("the loss does not depend on this node", node=node)
    if not 0 <= route < len(found):
        raise GraphError(f"route {route} is out of range: {len(found)} listed", node=node)
    batch = len(graph.value(graph.inputs()[0]))
    if not 0 <= sample < batch:
        raise GraphError(f"sample {sample} is out of range for a batch of {batch}")
    chosen = found[route]
    _check_per_sample(graph, chosen)
    factors = [_factor(graph, nid, slot, sample, cap, max_rows)
               for nid, slot in _steps(chosen, param)]
    partials = _walk(graph, chosen, param, sample)
    route_totals = [_walk(graph, r, param, None)[-1] for r in found]
    shape = gradient.shape
    loss_op = graph.op(chosen.nodes[0])
    note = loss_op.batch_note(batch) if hasattr(loss_op, "batch_note") else ""
    return ChainPath(
        node=node, param=param, sample=sample, batch=batch, route=chosen, routes=found,
        route_count=count, factors=factors, partials=partials,
        product=partials[-1].reshape(shape), literal=_literal(factors),
        route_total=route_totals[route].reshape(shape),
        total=np.sum(route_totals, axis=0).reshape(shape), gradient=gradient,
        batch_note=note)


def _steps(route: Route, param: str) -> list[tuple[str, str]]:
    """(node, wrt) of each factor: the route's edges, then the parameter of its last node."""
    return list(zip(route.nodes[:-1], route.slots, strict=True)) + [(route.nodes[-1], param)]


def _check_per_sample(graph, route: Route) -> None:
    """A per-sample product exists while samples stay apart. A value made from the whole
    batch (a scalar) that feeds per-sample values mixes them: refuse, saying where."""
    for nid, src in zip(route.nodes, route.nodes[1:], strict=False):
        if graph.value(nid).ndim > 0 and graph.value(src).ndim == 0:
            raise GraphError(f"the scalar '{src}' feeds every sample of '{nid}': along this "
                             f"route the samples mix, and no per-sample product exists",
                             node=nid)


def _factor(graph, nid: str, wrt: str, sample: int, cap: int, max_rows: int) -> Factor:
    op, node = graph.op(nid), graph.nodes[nid]
    inputs = {slot: graph.value(src) for slot, src in zip(op.inputs, node.inputs, strict=True)}
    output = graph.value(nid)
    params, by = {}, (node.inputs[op.inputs.index(wrt)] if wrt in inputs else f"{nid}.{wrt}")
    if wrt not in inputs:
        params = {wrt: graph.param(nid, wrt)}
    lazy = LazyJacobian(op, op.cache, output, inputs, params, sample, wrt)
    jac, notes = local_jacobian(op, op.cache, output, inputs, params, sample, cap, max_rows,
                                lazy={wrt: lazy})
    of = "L" if nid == graph.loss_node() else nid
    return Factor(nid, wrt, of, by, lazy.shape, jac[wrt], lazy, notes[wrt], lazy.structure)


def _walk(graph, route: Route, param: str, sample: int | None) -> list[np.ndarray]:
    """The rows dL/d(source) after each factor, carried from dL/dL = 1 with the ops'
    backward; ``sample`` None carries the whole batch at once (the sum of the samples'
    products, the operations being linear)."""
    row, rows = np.ones((1, 1)), []
    for nid, wrt in _steps(route, param):
        row = _pull(graph, nid, wrt, row, sample)
        rows.append(row)
    return rows


def _pull(graph, nid: str, wrt: str, row: np.ndarray, sample: int | None) -> np.ndarray:
    """row · J for one node: dL/d(output) restricted to ``sample`` (all of it for None),
    through the op's backward, as a (1, k) row of dL/d(wrt)."""
    op, out = graph.op(nid), graph.value(nid)
    dout = np.zeros_like(out)
    if sample is None or out.ndim == 0:
        dout[...] = row.reshape(out.shape)
    else:
        dout[sample] = row.reshape(out[sample].shape)
    with np.errstate(all="ignore"):
        dins, dparams = op.backward(dout)
    if wrt in dparams:
        return dparams[wrt].reshape(1, -1)
    slot = op.inputs.index(wrt)
    src = graph.value(graph.nodes[nid].inputs[slot])
    grad = dins[slot] if dins[slot] is not None else np.zeros_like(src)
    if sample is not None and src.ndim > 0:
        grad = grad[sample]
    return np.asarray(grad).reshape(1, -1)


def _literal(factors: list[Factor]) -> np.ndarray | None:
    """The lecture's product written out, [1×m]·[m×m]·…, where every factor is built."""
    matrices = [f.matrix for f in factors if f.matrix is not None]
    if len(matrices) < len(factors):
        return None
    product = np.ones((1, 1))
    for matrix in matrices:
        product = product @ matrix
    return product
