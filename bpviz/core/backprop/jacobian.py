"""LazyJacobian: one op's local Jacobian for one sample, computed a few rows at a time.

Row r of ∂out/∂x is the op's own ``backward`` applied to a one-hot upstream gradient (1 at
output element r of the sample), as ``torch.autograd.functional.jacobian`` builds it. A
big Jacobian (AlexNet's conv1: 290,400 × 150,528) is never built whole: a view asks for the
rows on screen and only their backward passes are spent (``passes`` counts them).

Batching: for an input of an op that treats samples apart, the op's forward is re-run on
the sample repeated k times, and one backward of a (k, ...) stack of one-hot rows gives k
rows. Only where that re-run reproduces the stepped output: an op that draws random numbers
(Dropout while training) is not re-run, so its rows come one pass each from the stepped
forward's own cache and its mask is the stepped one. A loss reduced over the batch has one
row, from one pass over the stepped cache (its 1/N is the batch's). A parameter's gradient
is summed over the stack, so its rows come one pass each, from the sample run alone; but
where the op can read a parameter's rows off the sample's input (``Op.param_rows``: Linear's
and Conv2d's are input patches) no pass is spent and no whole dL/dW is built. Likewise an
input's rows where the op reads them off its cache (``Op.input_rows``: a Linear's are rows
of W).
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import cast

import numpy as np

from ..errors import GraphError
from ..ops import Op

STACK_BYTES = 2**26      # one re-run forward of k copies: their cache and output
MAX_STACK = 64           # one-hot rows in one backward pass
CACHE_BYTES = 2**27      # computed rows kept (sparse); the least recently used go first
CHUNK = 2**18            # columns scanned at a time for a row's non-zeros
SUMMARY_BYTES = 2**26    # zoomed-out rows kept (a screen's rows at a few zoom levels)
SUMMARY_BINS = 8192      # bins of a whole-row summary; past it only the visible bins


def columns(x: np.ndarray, batched: bool, sample: int) -> int:
    """Entries of ``sample``'s slice of a batched value (of all of it otherwise): the
    columns of a per-sample Jacobian with respect to it."""
    return x[sample].size if batched else x.size


class _Draws(Exception):
    """A re-run forward tried to draw random numbers."""


class _NoRandom:
    """Stands in for the graph's generator in a re-run forward: an op that draws would get
    another mask than the stepped one, and would advance the graph's stream."""

    def __getattr__(self, name):
        raise _Draws(name)


@dataclass
class _Runner:
    """An op copy whose cache is ready for backward passes."""

    op: Op
    out_shape: tuple
    sample: int          # where the chosen sample sits in the output
    copies: int          # one-hot rows one pass carries (> 1: the sample is stacked)


@dataclass
class SparseRow:
    """One computed row: its non-zero columns (ascending) and their values."""

    cols: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, dense: np.ndarray) -> SparseRow:
        # in chunks: np.nonzero holds the GIL, and a 37.7M-column row (AlexNet's fc6.W)
        # would stall a GUI thread drawing while a worker computes
        kind = np.int32 if dense.size < 2**31 else np.int64
        cols = np.concatenate([np.flatnonzero(dense[i:i + CHUNK]).astype(kind) + i
                               for i in range(0, max(dense.size, 1), CHUNK)])
        return cls(cols, dense[cols])

    @classmethod
    def read(cls, cols: np.ndarray, values: np.ndarray, dtype) -> SparseRow:
        """From ascending columns and their values, zeros left out (as ``of`` leaves them)."""
        keep = values != 0
        kind = np.int32 if cols.size == 0 or cols[-1] < 2**31 else np.int64
        return cls(cols[keep].astype(kind), values[keep].astype(dtype))

    @property
    def nbytes(self) -> int:
        return self.cols.nbytes + self.values.nbytes

    def dense(self, c0: int, c1: int) -> np.ndarray:
        """Columns c0..c1-1 as a dense vector."""
        out = np.zeros(c1 - c0, dtype=self.values.dtype)
        lo, hi = np.searchsorted(self.cols, (c0, c1))
        out[self.cols[lo:hi] - c0] = self.values[lo:hi]
        return out

    def extremes(self, edges: np.ndarray) -> np.ndarray:
        """The entry of largest magnitude in each column bin [edges[i], edges[i+1]) (0 where
        a bin has none): a zoomed-out picture that keeps a sparse row's few entries."""
        starts = np.searchsorted(self.cols, edges)
        out = np.zeros(len(edges) - 1)
        full = starts[:-1] < starts[1:]
        if full.any():
            vals = self.values[starts[0]:starts[-1]]
            seg = starts[:-1][full] - starts[0]      # empty bins hold nothing in between
            hi, lo = np.maximum.reduceat(vals, seg), np.minimum.reduceat(vals, seg)
            out[full] = np.where(hi >= -lo, hi, lo)
        return out


class LazyJacobian:
    """∂(output of one sample)/∂(``name``) of an op at its stepped forward (see the module
    docstring); ``shape`` = (output elements of the sample, elements of the sample's input
    or of the whole parameter). Safe to fill from a worker thread."""

    def __init__(self, op: Op, cache: dict, output: np.ndarray, inputs: dict, params: dict,
                 sample: int, name: str):
        self.name, self.sample = name, sample
        self.is_param = name in params
        x = params[name] if self.is_param else inputs[name]
        self.batched_input = not self.is_param and x.ndim > 0
        rows = output[sample].size if output.ndim > 0 else 1
        self.shape = (rows, columns(x, self.batched_input, sample))
        self.structure = op.jacobian_doc.get(name, "")
        self.note = "" if x.dtype.kind == "f" else "integer values (class labels) have no gradient"
        self.passes = 0                  # backward passes spent
        self._op = copy.copy(op)         # as it was stepped (train mode, attributes)
        self._op.cache = cache
        self._output, self._inputs, self._params = output, inputs, params
        self._slot = None if self.is_param else list(inputs).index(name)
        self._rows: OrderedDict[int, SparseRow] = OrderedDict()
        self._bytes = 0
        self._summaries: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._summary_bytes = 0
        self._computing = threading.Lock()
        self._runners: dict[int, _Runner | None] = {}
        self._stack: int | None = None   # copies per pass, once known
        # rows read off the op where it overrides param_rows or input_rows (False once refused)
        read = "param_rows" if self.is_param else "input_rows"
        self._direct = getattr(type(op), read) is not getattr(Op, read)

    @property
    def available(self) -> bool:
        return not self.note

    # --- what is known without computing -----------------------------------------------
    # no lock: each OrderedDict call is atomic, so a view reads while a worker computes
    def computed(self, r: int) -> SparseRow | None:
        """Row r if it has been computed (None otherwise); computes nothing."""
        row = self._rows.get(r)
        if row is not None:
            try:
                self._rows.move_to_end(r)
            except KeyError:             # dropped by a worker in between: still returned
                pass
        return row

    def missing(self, rows) -> list[int]:
        return [int(r) for r in rows if r not in self._rows]

    def picture(self, rows, edges) -> np.ndarray:
        """(len(rows), len(edges) - 1) from the computed rows (NaN for the others): per
        column bin [edges[i], edges[i+1]) the entry of largest magnitude, or the value
        itself where every bin is one column. Bins of one width starting at a multiple of
        it are cut from a summary of the whole row, kept, so panning reuses it; where the
        row has over SUMMARY_BINS such bins (AlexNet's fc6.W row zoomed in: 37.7M columns)
        only the visible ones are summarised, which costs what the screen shows."""
        edges = np.asarray(edges)
        out = np.full((len(rows), len(edges) - 1), np.nan)
        width = int(edges[1] - edges[0]) if len(edges) > 1 else 1
        single = bool(np.all(np.diff(edges) == 1))
        aligned = edges[0] % width == 0 and bool(np.all(np.diff(edges)[:-1] == width))
        for i, r in enumerate(rows):
            row = self.computed(int(r))
            if row is None:
                continue
            if single:
                out[i] = row.dense(edges[0], edges[-1])
            elif aligned and self.shape[1] <= SUMMARY_BINS * width:
                first = edges[0] // width
                out[i] = self._summary(int(r), row, width)[first:first + len(edges) - 1]
            else:
                out[i] = row.extremes(edges)
        return out

    def _summary(self, r: int, row: SparseRow, width: int) -> np.ndarray:
        """Row r's extremes over bins of ``width`` columns across the whole row."""
        key = (r, width)
        found = self._summaries.get(key)
        if found is None:
            cols = self.shape[1]
            found = row.extremes(np.minimum(np.arange(0, cols + width, width), cols))
            self._summaries[key] = found
            self._summary_bytes += found.nbytes
            while self._summary_bytes > SUMMARY_BYTES:
                self._summary_bytes -= self._summaries.popitem(last=False)[1].nbytes
        return found

    def value(self, r: int, c: int) -> float | None:
        """J[r, c] if row r is computed, else None."""
        row = self.computed(r)
        return None if row is None else float(row.dense(c, c + 1)[0])

    @property
    def rows_per_pass(self) -> int:
        """One-hot rows one backward pass carries (the first call re-runs the forward);
        rows read off the inputs, with no pass, come MAX_STACK at a time (a view told of
        each row apart would redraw 4,096 times to fill AlexNet's fc6.W)."""
        if self._direct:
            return MAX_STACK
        if self._stack is None:
            with self._computing:
                self._stack = self._stack or self._stack_size()
        return self._stack

    # --- computing ------------------------------------------------------------------
    def compute(self, rows, cancelled=lambda: False) -> int:
        """Compute the rows of ``rows`` not yet known, a pass at a time, until
        ``cancelled()``; returns the passes spent."""
        if not self.available:
            return 0
        todo = self.missing(dict.fromkeys(rows))
        spent = self.passes
        if todo and self._direct:
            todo = self._direct_rows(todo, cancelled)
        while todo and not cancelled():
            with self._computing:
                runner = self._runner()
                chunk, todo = todo[:runner.copies], todo[runner.copies:]
                for r, dense in zip(chunk, self._pass(runner, chunk), strict=True):
                    self._store(r, SparseRow.of(dense))
        return self.passes - spent

    def _direct_rows(self, todo: list[int], cancelled) -> list[int]:
        """Rows that the op reads off the sample's inputs or its cache (a Linear's or
        Conv2d's parameter: input patches; a Linear's input: rows of W), with no backward
        pass and no whole dL/dW; returns the rows left to compute by passes."""
        if not self._stackable():
            self._direct = False
            return todo
        sample = [v[self.sample:self.sample + 1] for v in self._inputs.values()]
        for start in range(0, len(todo), MAX_STACK):
            if cancelled():
                return todo[start:]
            chunk = todo[start:start + MAX_STACK]
            read = self._op.param_rows if self.is_param else self._op.input_rows
            with self._computing:
                found = read(self.name, sample, chunk)
            if found is None:
                self._direct = False
                return todo[start:]
            for r, (cols, values) in zip(chunk, found, strict=True):
                self._store(r, SparseRow.read(cols, values, self._output.dtype))
        return []

    def block(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Rows r0..r1-1, columns c0..c1-1, dense (computing the rows it needs)."""
        self.compute(range(r0, r1))
        return np.stack([self._row(r).dense(c0, c1) for r in range(r0, r1)]) if r1 > r0 \
            else np.zeros((0, c1 - c0))

    def dense(self) -> np.ndarray:
        return self.block(0, self.shape[0], 0, self.shape[1])

    def _row(self, r: int) -> SparseRow:
        row = self.computed(r)
        if row is None:                  # dropped to make room while the block was built
            self.compute([r])
            row = self.computed(r)
        if row is None:
            raise GraphError(self.note or f"row {r} of the Jacobian was dropped as it was read")
        return row

    def _store(self, r: int, row: SparseRow) -> None:
        self._rows[r] = row
        self._bytes += row.nbytes
        while self._bytes > CACHE_BYTES and len(self._rows) > 1:
            _, old = self._rows.popitem(last=False)
            self._bytes -= old.nbytes

    def _pass(self, runner: _Runner, chunk: list[int]) -> np.ndarray:
        """One backward pass with a one-hot row per entry of ``chunk``: (len(chunk), cols)."""
        dout = np.zeros(runner.out_shape, dtype=self._output.dtype)
        if dout.ndim == 0:
            dout[...] = 1
        else:
            where = np.arange(len(chunk)) if runner.copies > 1 else [runner.sample]
            dout.reshape(runner.out_shape[0], -1)[where, chunk] = 1
        with np.errstate(all="ignore"):
            dins, dparams = runner.op.backward(dout)
        self.passes += 1
        g = dparams.get(self.name) if self._slot is None else dins[self._slot]
        if g is None:                    # the op gives this input no gradient
            return np.zeros((len(chunk), self.shape[1]))
        if self.is_param:
            return g.reshape(1, -1)
        if runner.copies > 1:
            return g[:len(chunk)].reshape(len(chunk), -1)
        return (g[runner.sample] if self.batched_input else g).reshape(1, -1)

    # --- which cache a pass runs on ----------------------------------------------------
    def _runner(self) -> _Runner:
        if self._stack is None:
            self._stack = self._stack_size()
        copies = self._stack
        runner = self._rerun(copies) if copies > 1 or self._stackable() else None
        return runner or _Runner(self._op, self._output.shape, self.sample, 1)

    def _stackable(self) -> bool:
        n = self._output.shape[0] if self._output.ndim > 0 else None
        return n is not None and all(np.ndim(v) > 0 and v.shape[0] == n
                                     for v in self._inputs.values())

    def _stack_size(self) -> int:
        """Copies per pass: as many as STACK_BYTES holds, from what one more copy costs."""
        if self.is_param or not self._stackable():
            return 1
        one, two = self._rerun(1), self._rerun(2)
        if one is None or two is None:
            return 1
        per_copy = max(1, _cache_bytes(two) - _cache_bytes(one))
        self._runners.pop(2, None)
        return int(np.clip(STACK_BYTES // per_copy, 1, min(MAX_STACK, self.shape[0])))

    def _rerun(self, copies: int) -> _Runner | None:
        """The op's forward on the sample repeated ``copies`` times, if it reproduces the
        stepped output (None otherwise: the op draws random numbers or mixes samples)."""
        if copies not in self._runners:
            self._runners[copies] = self._try_rerun(copies)
        return self._runners[copies]

    def _try_rerun(self, copies: int) -> _Runner | None:
        if not self._stackable():
            return None
        op = copy.copy(self._op)
        op.rng = cast(np.random.Generator, _NoRandom())   # a stand-in that raises if used
        s = self.sample
        args = [np.repeat(v[s:s + 1], copies, axis=0) for v in self._inputs.values()]
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(op.forward(*args, **self._params))
        except Exception:        # noqa: BLE001 - any failure means: use the stepped cache
            return None
        want = self._output[s]
        if out.shape != (copies,) + want.shape or not _reproduces(out, want):
            return None
        return _Runner(op, out.shape, 0, copies)


def _reproduces(out: np.ndarray, want: np.ndarray) -> bool:
    """Whether a re-run's rows equal the stepped sample's up to rounding: in float32 a
    Linear of 9,216 inputs gives one sample (a matrix-vector product) 1e-6 away from the
    same sample in a batch (a matrix product); an op that mixes samples is off by far more."""
    top = float(np.abs(want).max(initial=0))
    tol = 1024 * np.finfo(want.dtype).eps if want.dtype.kind == "f" else 0.0
    return bool(np.allclose(out, want, rtol=max(1e-6, tol),
                            atol=max(1e-12 * (top + 1), tol * top), equal_nan=True))


def _cache_bytes(runner: _Runner) -> int:
    arrays = [v for v in runner.op.cache.values() if isinstance(v, np.ndarray)]
    return sum(a.nbytes for a in arrays) + int(np.prod(runner.out_shape)) * 8
