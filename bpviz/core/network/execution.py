"""Running a graph: feeds, one forward sweep, and one backward walk from the loss."""
from __future__ import annotations

import numpy as np

from ..errors import GraphError, OpError
from .graph_base import GraphBase

_ABSENT = object()          # a gradient not computed yet, in a partial snapshot


class Execution(GraphBase):
    def prepare(self, feeds: dict) -> int:
        """Check feeds against the Inputs and store them as the Inputs' values.

        Returns the batch size. Every Input needs a feed of shape (batch, *shape)."""
        analysis = self.check()
        if not isinstance(feeds, dict):
            raise GraphError("feeds must be a dict {input id: array}")
        for key in feeds:
            if key not in self.nodes or self.nodes[key].op != "Input":
                raise GraphError(f"feed '{key}' does not match any Input node")
        values, batch = {}, None
        for nid in self.inputs():
            if nid not in feeds:
                raise GraphError("feed missing for this Input", node=nid, op="Input")
            value = self._convert_feed(nid, feeds[nid], analysis.shapes[nid])
            if batch is not None and value.shape[0] != batch[1]:
                raise GraphError(f"feeds have different batch sizes: '{batch[0]}' has "
                                 f"{batch[1]}, '{nid}' has {value.shape[0]}")
            batch = batch or (nid, value.shape[0])
            values[nid] = value
        self._values = values
        self._grads = None
        self._param_grads = {}
        self._deferred = set()
        return batch[1] if batch else 0

    def _convert_feed(self, nid: str, value, shape) -> np.ndarray:
        op = self._ops[nid]
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            raise self._fail(nid, "feed is not an array of numbers") from None
        if arr.dtype.kind not in "biuf":
            raise self._fail(nid, f"feed must hold numbers, got {arr.dtype}")
        attrs = op.attr_values()                      # an Input's: shape and dtype
        want, dtype = tuple(attrs["shape"]), attrs["dtype"]
        if arr.ndim != len(want) + 1 or arr.shape[1:] != want or arr.shape[0] < 1:
            raise self._fail(nid, f"feed has shape {arr.shape}, expected (batch, "
                             + ", ".join(map(str, want)) + (",)" if len(want) == 0 else ")"))
        if dtype == "int64":
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
                raise self._fail(nid, "feed must hold whole numbers (class labels)")
            return arr.astype(np.int64)
        return arr.astype(dtype)

    def run_node(self, nid: str, train: bool) -> np.ndarray:
        """Compute one node from its inputs' values (already computed)."""
        node, op = self.nodes[nid], self._ops[nid]
        if node.op == "Input":
            return self._values[nid]
        self._undefer_all()             # the caches they come from are about to change
        op.training = train
        op.rng = self.rng
        args = [self._values[i] for i in node.inputs]
        try:
            with np.errstate(all="ignore"):
                out = op.forward(*args, **self._node_params(nid))
        except OpError as err:
            raise self._fail(nid, str(err)) from None
        self._values[nid] = np.asarray(out)
        return self._values[nid]

    def forward(self, feeds: dict, train: bool = False, override: dict | None = None):
        """Run every node. Returns the loss value (a 0-d array), or None without a loss.

        ``override`` {node id: array} replaces nodes' outputs after they ran (so random
        draws happen as usual): gradient checks perturb an intermediate value this way."""
        self.prepare(feeds)
        override = override or {}
        for nid in self.order:
            self.run_node(nid, train)
            if nid in override:
                self._values[nid] = override[nid]
        try:
            return self._values[self.loss_node()]
        except GraphError:
            return None

    def start_backward(self) -> str:
        """Seed dL/dL = 1 at the loss; returns the loss node id."""
        loss = self.loss_node()
        if loss not in self._values:
            raise GraphError("no values yet: run forward() first")
        self._grads = {loss: np.ones((), dtype=self._values[loss].dtype)}
        self._param_grads = {}
        self._deferred = set()
        return loss

    def backward_order(self) -> list[str]:
        """Nodes that the loss depends on, consumers before producers, Inputs left out."""
        loss = self.loss_node()
        needed, stack = {loss}, [loss]
        while stack:
            for src in self.nodes[stack.pop()].inputs:
                if src not in needed:
                    needed.add(src)
                    stack.append(src)
        return [nid for nid in reversed(self.order)
                if nid in needed and self.nodes[nid].op != "Input"]

    def backprop_node(self, nid: str, defer_inputs: bool = False) -> tuple[tuple, dict]:
        """Turn dL/d(out) of one node into dL/d(inputs) and dL/d(params), accumulating.

        Returns the chain-rule products ``(dinputs, dparams)`` (None for inputs that take
        no gradient). With ``defer_inputs`` the gradients of Input nodes are left out (as
        torch leaves out data that does not require grad) and computed when ``grad`` asks
        for one."""
        if self._grads is None:
            raise GraphError("no gradients yet: start_backward() seeds them")
        node = self.nodes[nid]
        needs = tuple(not (defer_inputs and self.nodes[src].op == "Input")
                      for src in node.inputs)
        dins, dparams = self._local_backward(nid, needs)
        for src, d, need in zip(node.inputs, dins, needs, strict=True):
            if not self._is_float(src):
                continue
            if not need:
                self._deferred.add(src)
            elif d is not None:
                prev = self._grads.get(src)
                self._grads[src] = d if prev is None else prev + d   # fan-out: gradients add
        self._param_grads[nid] = dparams
        return dins, dparams

    def _local_backward(self, nid: str, needs: tuple[bool, ...]) -> tuple[tuple, dict]:
        """The op's backward from dL/d(out) of ``nid``, asked only for the inputs ``needs``
        marks (the op's own default, every input, is put back after)."""
        assert self._grads is not None, "called after start_backward"
        op = self._ops[nid]
        dout = self._grads.get(nid)
        if dout is None:
            dout = np.zeros_like(self._values[nid])
        op.needs_input_grad = needs
        try:
            with np.errstate(all="ignore"):
                return op.backward(dout)
        finally:
            op.needs_input_grad = (True,) * len(needs)

    def _undefer(self, src: str) -> None:
        """dL/d(src) for an Input whose gradient ``backward`` left out: each consumer's
        backward again, in the order and with the upstream gradients of the pass, so the sum
        is the one the pass would have made."""
        assert self._grads is not None, "only Inputs of a finished pass are deferred"
        total = None
        for nid in self.backward_order():
            inputs = self.nodes[nid].inputs
            if src not in inputs:
                continue
            dins, _ = self._local_backward(nid, tuple(i == src for i in inputs))
            for i, d in zip(inputs, dins, strict=True):
                if i == src and d is not None:
                    total = d if total is None else total + d
        self._deferred.discard(src)
        if total is not None:
            self._grads[src] = total

    def _undefer_all(self) -> None:
        if self._grads is None:               # reset since: nothing left to compute
            self._deferred = set()
        for src in list(self._deferred):
            self._undefer(src)

    def _is_float(self, nid: str) -> bool:
        return self._values[nid].dtype.kind == "f"

    def backward(self) -> None:
        """dL/d(every node) and dL/d(every parameter), from the graph's single loss."""
        self.start_backward()
        for nid in self.backward_order():
            self.backprop_node(nid, defer_inputs=True)

    def drop_value(self, nid: str) -> None:
        """Forget a computed value (the stepper's undo of a forward step)."""
        self._values.pop(nid, None)

    def grad_state(self, nid: str | None = None):
        """A snapshot of the gradients so far (arrays are replaced, never mutated): all of
        them, or with ``nid`` only those that ``backprop_node(nid)`` changes (its inputs'
        and its own parameters'), so that stepping a long chain stays linear."""
        if self._grads is None:
            return None
        if nid is None:
            self._undefer_all()                   # a whole state stands on its own
            return True, dict(self._grads), dict(self._param_grads)
        return (False, {src: self._grads.get(src, _ABSENT) for src in self.nodes[nid].inputs},
                {nid: self._param_grads.get(nid, _ABSENT)})

    def restore_grad_state(self, state) -> None:
        if state is None:
            self._grads, self._param_grads = None, {}
            return
        whole, grads, param_grads = state
        if whole:
            self._grads, self._param_grads = dict(grads), dict(param_grads)
            self._deferred = set()
            return
        if self._grads is None:      # a forward or an edit since: nothing to put them back in
            raise GraphError("the gradients were reset since this state was taken")
        pairs: list[tuple[dict, dict]] = [(self._grads, grads), (self._param_grads, param_grads)]
        for store, saved in pairs:
            for key, value in saved.items():
                if value is _ABSENT:
                    store.pop(key, None)
                else:
                    store[key] = value

    def value(self, nid: str) -> np.ndarray:
        self._require(nid)
        if nid not in self._values:
            raise GraphError("has no value yet: run forward() first", node=nid)
        return self._values[nid]

    def grad(self, nid: str):
        """dL/d(output of nid), same shape as its value; None for integer values."""
        value = self.value(nid)
        if self._grads is None:
            raise GraphError("no gradients yet: run backward() first")
        if value.dtype.kind != "f":
            return None
        if nid in self._deferred:
            self._undefer(nid)
        grad = self._grads.get(nid)
        return np.zeros_like(value) if grad is None else grad



    def param_grad(self, nid: str, name: str) -> np.ndarray:
        self.param(nid, name)
        if self._grads is None:
            raise GraphError("no gradients yet: run forward() and backward() first")
        grads = self._param_grads.get(nid)
        if grads is None:
            return np.zeros_like(self._params[nid][name])
        return grads[name]
