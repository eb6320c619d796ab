"""Step a graph's forward pass and then its backward pass one node at a time, and back.

Each step yields a ``StepEvent``: what the node computed and, for the backward pass, the
upstream gradient dL/d(out), the local Jacobian of the op for one sample, and the chain-rule
products dL/d(inputs) = dout . J and dL/d(params).

The Jacobian is never written by hand: row k is the op's own ``backward`` applied to a
one-hot upstream gradient (1 at output element k of the chosen sample), exactly as
``torch.autograd.functional.jacobian`` builds it. Above ``cap`` entries it is not built:
the entry is None and ``jacobian_notes`` says why.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .array_views import sample_of
from .errors import GraphError
from .ops import Op

# Limits on one dense Jacobian: entries (2**18: 2 MiB in float64) and rows, i.e. backward
# passes spent on building it. Scripts can wait; the app builds one while a student
# watches, so its limits are smaller and a bigger Jacobian is named, not built.
JACOBIAN_CAP = 2**18
JACOBIAN_ROWS = 4096
INTERACTIVE_JACOBIAN_CAP = 2**16
INTERACTIVE_JACOBIAN_ROWS = 256


def columns(x: np.ndarray, batched: bool, sample: int) -> int:
    """Entries of ``sample``'s slice of a batched value (of all of it otherwise): the
    columns of a per-sample Jacobian with respect to it."""
    return x[sample].size if batched else x.size


def local_jacobian(op: Op, cache: dict, output: np.ndarray, inputs: dict, params: dict,
                   sample: int, cap: int = JACOBIAN_CAP,
                   max_rows: int = JACOBIAN_ROWS) -> tuple[dict, dict]:
    """Per-sample Jacobians of ``op`` at its last forward (whose state is ``cache``).

    inputs: {slot name: value}, params: {name: array}. For a batched output (N, ...) the
    rows are the output elements of ``sample``; the columns are the elements of that
    sample's input (or the whole parameter). Returns ({name: matrix or None}, {name: why}).
    """
    batched_out = output.ndim > 0
    rows = output[sample].size if batched_out else 1
    wrt = {}
    for name, x in inputs.items():
        wrt[name] = (x, x.ndim > 0, "input")
    for name, w in params.items():
        wrt[name] = (w, False, "param")
    jac, notes, build = {}, {}, {}
    for name, (x, batched, kind) in wrt.items():
        cols = columns(x, batched, sample)
        if x.dtype.kind != "f":
            jac[name], notes[name] = None, "integer values (class labels) have no gradient"
        elif rows * cols > cap:
            jac[name] = None
            notes[name] = (f"{rows:,} x {cols:,} = {rows * cols:,} entries, above the cap of "
                           f"{cap:,}: not built")
        elif rows > max_rows:
            jac[name] = None
            notes[name] = (f"{rows:,} rows would take {rows:,} backward passes, above the "
                           f"limit of {max_rows:,}: not built")
        else:
            build[name] = np.zeros((rows, cols), dtype=x.dtype)
    if build:
        saved = op.cache
        op.cache = cache
        try:
            slots = list(inputs)
            for k in range(rows):
                dout = np.zeros_like(output)
                if batched_out:
                    dout.reshape(len(output), -1)[sample, k] = 1    # a view: dout is fresh
                else:
                    dout[...] = 1
                with np.errstate(all="ignore"):
                    dins, dparams = op.backward(dout)
                for name, matrix in build.items():
                    g = dparams[name] if name in dparams else dins[slots.index(name)]
                    if g is None:
                        continue
                    matrix[k] = (g[sample] if wrt[name][1] else g).ravel()
        finally:
            op.cache = saved
        for name, matrix in build.items():
            jac[name] = matrix
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

    def jacobian_for(self, sample: int) -> tuple[dict, dict]:
        if sample not in self._jacobians:
            self._jacobians[sample] = local_jacobian(self.op, self.cache, self.output,
                                                     self.inputs, self.params, sample, self.cap,
                                                     self.max_rows)
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

    def _event(self, phase: str, nid: str, index: int, total: int) -> StepEvent:
        g = self.graph
        node, op = g.nodes[nid], g.op(nid)
        return StepEvent(
            phase=phase, node=nid, op=op, index=index, total=total, sample=self.sample,
            inputs={slot: g.value(src) for slot, src in zip(op.inputs, node.inputs)},
            input_ids=dict(zip(op.inputs, node.inputs)),
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
        event.dinputs = dict(zip(event.op.inputs, dins))
        event.dparams = dparams
        return event
