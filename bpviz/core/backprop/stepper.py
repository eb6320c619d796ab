"""Step a graph's forward pass and then its backward pass one node at a time, and back.

Each step yields a ``StepEvent``: what the node computed and, for the backward pass, the
upstream gradient dL/d(out), the local Jacobian of the op for one sample, and the chain-rule
products dL/d(inputs) = dout . J and dL/d(params).

The Jacobian is never written by hand: row k is the op's own ``backward`` applied to a
one-hot upstream gradient (1 at output element k of the chosen sample), exactly as
``torch.autograd.functional.jacobian`` builds it (bpviz.core.backprop.jacobian, a few rows per
pass).
Every input and parameter has a ``LazyJacobian`` that computes only the rows asked for;
up to ``cap`` entries the dense matrix is built too (``jacobian``), above it the entry is
None and ``jacobian_notes`` says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..display.array_views import sample_of
from ..errors import GraphError
from ..ops import Op
from .jacobian import LazyJacobian, columns  # noqa: F401 - columns: the old home

# Limits on one dense Jacobian: entries (2**18: 2 MiB in float64) and rows (each a one-hot
# row of a backward pass). Scripts can wait; the app builds one while a student watches, so
# its limits are smaller, and a bigger one is browsed lazily (gui.widgets.jacobian_view).
JACOBIAN_CAP = 2**18
JACOBIAN_ROWS = 4096
INTERACTIVE_JACOBIAN_CAP = 2**16
INTERACTIVE_JACOBIAN_ROWS = 256


def lazy_jacobians(op: Op, cache: dict, output: np.ndarray, inputs: dict, params: dict,
                   sample: int) -> dict:
    """{input slot or param name: its LazyJacobian for ``sample``}: nothing computed yet."""
    return {name: LazyJacobian(op, cache, output, inputs, params, sample, name)
            for name in list(inputs) + list(params)}


def local_jacobian(op: Op, cache: dict, output: np.ndarray, inputs: dict, params: dict,
                   sample: int, cap: int = JACOBIAN_CAP, max_rows: int = JACOBIAN_ROWS,
                   lazy: dict | None = None) -> tuple[dict, dict]:
    """Dense per-sample Jacobians of ``op`` at its last forward (whose state is ``cache``).

    inputs: {slot name: value}, params: {name: array}. For a batched output (N, ...) the
    rows are the output elements of ``sample``; the columns are the elements of that
    sample's input (or the whole parameter). Returns ({name: matrix or None}, {name: why});
    one above ``cap`` entries or ``max_rows`` rows is left to its LazyJacobian (``lazy``,
    built here if not given), which computes the rows asked for.
    """
    lazy = lazy if lazy is not None else lazy_jacobians(op, cache, output, inputs, params,
                                                        sample)
    jac: dict[str, np.ndarray | None] = {}
    notes: dict[str, str] = {}
    for name, lj in lazy.items():
        rows, cols = lj.shape
        jac[name], notes[name] = None, lj.note
        if not lj.available:
            continue
        if rows * cols > cap or rows > max_rows:
            notes[name] = (f"{rows:,} x {cols:,} = {rows * cols:,} entries: computed a few "
                           f"rows at a time, as they are looked at")
        else:
            jac[name] = lj.dense()
    return jac, notes


@dataclass
class ChainRule:
    """dL/dx = dL/d(out) · J for one sample, as the lecture writes it: [1×m]·[m×n] = [1×n]."""

    dout: np.ndarray                # (1, m): dL/d(output) of the sample
    jacobian: np.ndarray | None     # (m, n); None where it was not built (see the notes)
    product: np.ndarray | None      # (1, n): dout · J; None without J
    columns: int                    # n
    gradient: np.ndarray            # dL/d(x) from backward: this sample's for an input,
                                    # the whole (batch-summed) one for a parameter

    @property
    def rows(self) -> int:
        return self.dout.shape[1]


@dataclass
class StepEvent:
    """One step of the stepper: see the module docstring."""

    phase: str                       # "forward" | "backward"
    node: str
    op: Op
    index: int                       # 1-based position within the phase
    total: int                       # steps in the phase
    sample: int                      # the sample whose Jacobian is shown
    inputs: dict                     # slot name ("input", "other", "target") -> value
    input_ids: dict                  # slot name -> id of the node it comes from
    params: dict                     # parameter name -> value
    output: np.ndarray
    cache: dict                      # what the op saved in this forward
    dout: np.ndarray | None = None   # dL/d(output), backward only
    dinputs: dict = field(default_factory=dict)   # slot -> dL/d(input) (None if none)
    dparams: dict = field(default_factory=dict)   # name -> dL/d(param)
    cap: int = JACOBIAN_CAP
    max_rows: int = JACOBIAN_ROWS
    _jacobians: dict = field(default_factory=dict, repr=False)
    _lazy: dict = field(default_factory=dict, repr=False)

    def lazy_jacobian_for(self, sample: int) -> dict:
        """{input slot or param name: LazyJacobian} for ``sample`` (kept: rows computed
        once serve every view of them)."""
        if sample not in self._lazy:
            self._lazy[sample] = lazy_jacobians(self.op, self.cache, self.output, self.inputs,
                                                self.params, sample)
        return self._lazy[sample]

    @property
    def lazy_jacobian(self) -> dict:
        """{input slot or param name: LazyJacobian for ``sample``}, whatever its size."""
        return self.lazy_jacobian_for(self.sample)

    def jacobian_for(self, sample: int) -> tuple[dict, dict]:
        if sample not in self._jacobians:
            self._jacobians[sample] = local_jacobian(
                self.op, self.cache, self.output, self.inputs, self.params, sample, self.cap,
                self.max_rows, lazy=self.lazy_jacobian_for(sample))
        return self._jacobians[sample]

    @property
    def jacobian(self) -> dict:
        """{input slot or param name: dense (out x in) matrix for ``sample``, or None}."""
        return self.jacobian_for(self.sample)[0]

    @property
    def jacobian_notes(self) -> dict:
        """{name: why its Jacobian is None}."""
        return self.jacobian_for(self.sample)[1]

    @property
    def upstream(self) -> np.ndarray | None:
        """dL/d(output) of ``sample`` as one (1, m) row; None in the forward phase."""
        if self.dout is None:
            return None
        return np.asarray(sample_of(self.dout, self.sample)).reshape(1, -1)

    @property
    def chain_rules(self) -> dict:
        """{input slot or param name: its ChainRule for ``sample``}, for each one that a
        gradient reaches; empty in the forward phase."""
        dout = self.upstream
        if dout is None:
            return {}
        rules = {}
        for name, grad in list(self.dinputs.items()) + list(self.dparams.items()):
            if grad is None:
                continue
            is_param = name in self.params
            value = self.params[name] if is_param else self.inputs[name]
            j = self.jacobian[name]
            rules[name] = ChainRule(
                dout, j, None if j is None else dout @ j,
                columns(value, not is_param and value.ndim > 0, self.sample),
                grad if is_param else sample_of(grad, self.sample))
        return rules

    @property
    def position(self) -> str:
        return f"{self.phase} {self.index}/{self.total}"


class Stepper:
    """Forward node by node, then backward node by node; ``back`` undoes a step."""

    def __init__(self, graph, feeds: dict, train: bool = False, sample: int = 0,
                 cap: int = JACOBIAN_CAP, max_rows: int = JACOBIAN_ROWS):
        self.graph = graph
        self.feeds = feeds
        self.train = train
        self.cap = cap
        self.max_rows = max_rows
        self.batch = graph.prepare(feeds)
        self.rng_start = graph.rng.bit_generator.state     # to draw the same masks again
        self.history: list[StepEvent] = []
        self._undo: list = []
        self.sample = sample
        self.forward_nodes = [n for n in graph.order if graph.nodes[n].op != "Input"]
        try:
            self.backward_nodes = graph.backward_order()
            self.no_backward = ""
        except GraphError as err:
            self.backward_nodes, self.no_backward = [], str(err)
        # built once: every step looks it up, and a long chain has tens of thousands
        self._plan = ([("forward", n) for n in self.forward_nodes]
                      + [("backward", n) for n in self.backward_nodes])

    @property
    def sample(self) -> int:
        return self._sample

    @sample.setter
    def sample(self, value: int) -> None:
        if not 0 <= value < self.batch:
            raise GraphError(f"sample {value} is out of range for a batch of {self.batch}")
        self._sample = value
        for ev in self.history:
            ev.sample = value

    @property
    def plan(self) -> list[tuple[str, str]]:
        return self._plan

    @property
    def done(self) -> bool:
        return len(self.history) == len(self.plan)

    @property
    def phase(self) -> str:
        """The phase of the next step: "forward", "backward" or "done"."""
        return "done" if self.done else self.plan[len(self.history)][0]

    @property
    def position(self) -> str:
        if not self.history:
            return f"forward 0/{len(self.forward_nodes)}"
        return "done" if self.done else self.history[-1].position

    def step(self) -> StepEvent | None:
        """Do the next step and return its event; None when everything is done."""
        if self.done:
            return None
        phase, nid = self.plan[len(self.history)]
        event = self._forward(nid) if phase == "forward" else self._backward(nid)
        self.history.append(event)
        return event

    def back(self) -> StepEvent | None:
        """Undo the last step; returns the event that is now the latest (None at the start)."""
        if self.history:
            self.history.pop()
            self._undo.pop()()
        return self.history[-1] if self.history else None

    def run_phase(self) -> StepEvent | None:
        """Step to the end of the current phase; returns the last event."""
        phase, event = self.phase, None
        while self.phase == phase and not self.done:
            event = self.step()
        return event

    def reset(self) -> None:
        while self.history:
            self.back()

    def go_to(self, count: int) -> None:
        """``count`` steps from the start (fewer where stepping ends): back, or on."""
        while len(self.history) > count:
            self.back()
        while len(self.history) < count and self.step() is not None:
            pass

    def count_to(self, node: str, phase: str) -> int:
        """The steps from the start that make ``node`` the current step of ``phase``."""
        if (phase, node) not in self.plan:
            raise GraphError(f"stepping never reached {node!r} in the {phase} pass")
        return self.plan.index((phase, node)) + 1

    def count_to_end(self, phase: str) -> int:
        """The steps from the start to the end of ``phase``."""
        return len(self.forward_nodes) if phase == "forward" else len(self.plan)

    def _event(self, phase: str, nid: str, index: int, total: int) -> StepEvent:
        g = self.graph
        node, op = g.nodes[nid], g.op(nid)
        return StepEvent(
            phase=phase, node=nid, op=op, index=index, total=total, sample=self.sample,
            inputs={slot: g.value(src) for slot, src in zip(op.inputs, node.inputs, strict=True)},
            input_ids=dict(zip(op.inputs, node.inputs, strict=True)),
            params={p: g.param(nid, p) for p in g.param_names(nid)},
            output=g.value(nid), cache=op.cache, cap=self.cap, max_rows=self.max_rows)

    def _forward(self, nid: str) -> StepEvent:
        rng_state = self.graph.rng.bit_generator.state
        self.graph.run_node(nid, self.train)

        def undo():
            self.graph.drop_value(nid)
            self.graph.rng.bit_generator.state = rng_state   # same dropout mask next time

        self._undo.append(undo)
        index = len(self.history) + 1                 # forward steps come first
        return self._event("forward", nid, index, len(self.forward_nodes))

    def _backward(self, nid: str) -> StepEvent:
        g = self.graph
        first = nid == self.backward_nodes[0]
        before = g.grad_state(None if first else nid)     # start_backward replaces them all
        if first:
            g.start_backward()
        dout = g.grad(nid)
        dins, dparams = g.backprop_node(nid)
        self._undo.append(lambda: g.restore_grad_state(before))
        index = len(self.history) - len(self.forward_nodes) + 1
        event = self._event("backward", nid, index, len(self.backward_nodes))
        event.dout = dout
        event.dinputs = dict(zip(event.op.inputs, dins, strict=True))
        event.dparams = dparams
        return event
