"""LazyJacobian: blocks equal the dense Jacobian (one backward pass per one-hot row on the
stepped cache, and torch.autograd in float64), and a block of a big one spends only the
passes of its rows."""
import math

import numpy as np
import pytest

from bpviz.core import Graph, Stepper
from bpviz.core.backprop import jacobian as jacobian_module
from bpviz.core.backprop.jacobian import SparseRow

from ..ops.test_ops_torch import PARAMS
from ..oracle import case_graph, feeds_for


def step_to(graph, feeds, node, train=False, sample=0):
    s = Stepper(graph, feeds, train=train, sample=sample)
    while (ev := s.step()) is not None:
        if ev.node == node and ev.phase == "backward":
            return ev
    raise AssertionError(f"{node} never stepped backward")


def reference(ev, name):
    """The dense Jacobian the plain way: one pass per one-hot row, on the stepped cache."""
    op, s = ev.op, ev.sample
    saved, op.cache = op.cache, ev.cache
    out = ev.output
    rows = out[s].size if out.ndim else 1
    found = []
    try:
        for k in range(rows):
            dout = np.zeros_like(out)
            if out.ndim:
                dout.reshape(len(out), -1)[s, k] = 1
            else:
                dout[...] = 1
            dins, dparams = op.backward(dout)
            g = dparams[name] if name in ev.params else dins[list(ev.inputs).index(name)]
            if g is not None and name in ev.inputs and ev.inputs[name].ndim:
                g = g[s]
            found.append(None if g is None else np.ravel(g))
    finally:
        op.cache = saved
    return found


@pytest.mark.parametrize("op,attrs,inputs", PARAMS)
def test_blocks_equal_the_dense_jacobian_for_every_op(op, attrs, inputs):
    g = case_graph(op, attrs, inputs)
    ev = step_to(g, feeds_for(g, inputs, np.random.default_rng(2), batch=3), "op",
                 train=True, sample=1)
    rng = np.random.default_rng(0)
    for name, lazy in ev.lazy_jacobian.items():
        assert lazy.structure == ev.op.jacobian_doc.get(name, "")
        if not lazy.available:
            assert ev.inputs[name].dtype.kind == "i" and lazy.compute([0]) == 0
            continue
        ref = reference(ev, name)
        rows, cols = lazy.shape
        assert len(ref) == rows and all(r is None or r.size == cols for r in ref)
        dense = np.array([np.zeros(cols) if r is None else r for r in ref])
        r0 = int(rng.integers(0, rows))
        r1, c0 = int(rng.integers(r0 + 1, rows + 1)), int(rng.integers(0, cols))
        c1 = int(rng.integers(c0 + 1, cols + 1))
        np.testing.assert_allclose(lazy.block(r0, r1, c0, c1), dense[r0:r1, c0:c1],
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(lazy.dense(), dense, rtol=1e-10, atol=1e-12)


def graph_of(nodes, seed=0):
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": seed,
                            "nodes": nodes})


def x_node(shape):
    return {"id": "x", "op": "Input", "attrs": {"shape": list(shape)}, "inputs": []}


def linear_input_jacobian(n_in, n_out, batch=1):
    """The input Jacobian of x -> Linear(n_in, n_out) -> Sum (it is W) and W."""
    g = graph_of([x_node((n_in,)), {"id": "fc", "op": "Linear",
                                    "attrs": {"in_features": n_in, "out_features": n_out},
                                    "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["fc"]}])
    x = np.random.default_rng(0).normal(size=(batch, n_in))
    ev = step_to(g, {"x": x}, "fc")
    return ev.lazy_jacobian["input"], g.param("fc", "weight")


@pytest.mark.parametrize("op,attrs,shape", [
    ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 2,
                "padding": 1}, (2, 7, 6)),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, (2, 7, 5)),
    ("LocalResponseNorm", {"size": 3, "alpha": 0.1}, (5, 2, 2))])
def test_blocks_match_torch_autograd_jacobian(op, attrs, shape):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    from torch.autograd.functional import jacobian

    g = graph_of([x_node(shape), {"id": "op", "op": op, "attrs": attrs, "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["op"]}])
    x = np.random.default_rng(1).normal(size=(2,) + shape)
    ev = step_to(g, {"x": x}, "op", sample=1)
    xs = torch.from_numpy(x[1:2].copy())
    if op == "Conv2d":
        w = torch.from_numpy(g.param("op", "weight"))
        b = torch.from_numpy(g.param("op", "bias"))
        f = lambda x_, w_: F.conv2d(x_, w_, b, stride=2, padding=1)  # noqa: E731
        jx, jw = jacobian(f, (xs, w))
        lazy_w = ev.lazy_jacobian["weight"]
        np.testing.assert_allclose(lazy_w.dense(), jw.reshape(lazy_w.shape).numpy(),
                                   rtol=1e-10, atol=1e-12)
        assert lazy_w.passes == 0       # its rows are input patches: no backward pass
    elif op == "MaxPool2d":
        jx = jacobian(lambda x_: F.max_pool2d(x_, 3, 2, 1), xs)
    else:
        jx = jacobian(lambda x_: F.local_response_norm(x_, 3, alpha=0.1), xs)
    lazy = ev.lazy_jacobian["input"]
    assert xs.dtype == torch.float64
    np.testing.assert_allclose(lazy.dense(), jx.reshape(lazy.shape).numpy(), rtol=1e-10,
                               atol=1e-12)
    assert lazy.passes == math.ceil(lazy.shape[0] / lazy.rows_per_pass) < lazy.shape[0]


def test_a_visible_block_of_a_big_conv_spends_only_its_rows_passes():
    """AlexNet's conv1 (290,400 x 150,528): ten rows cost ten one-hot rows of backward."""
    g = graph_of([x_node((3, 224, 224)),
                  {"id": "conv1", "op": "Conv2d", "attrs": {
                      "in_channels": 3, "out_channels": 96, "kernel_size": 11, "stride": 4,
                      "padding": 2}, "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["conv1"]}])
    x = np.random.default_rng(0).normal(size=(2, 3, 224, 224))
    ev = step_to(g, {"x": x}, "conv1", sample=1)
    assert ev.jacobian["input"] is None                       # far above the dense cap
    lazy = ev.lazy_jacobian["input"]
    assert lazy.shape == (96 * 55 * 55, 3 * 224 * 224) and lazy.passes == 0
    rows = range(100_000, 100_010)
    spent = lazy.compute(rows)
    k = lazy.rows_per_pass
    assert 1 < k and spent == lazy.passes == math.ceil(10 / k)
    assert lazy.missing(rows) == [] and lazy.missing([5]) == [5]
    assert lazy.compute(rows) == 0                            # cached
    # row r is output pixel (f, i, j): the filter f's weights over its 11x11 window
    f, i, j = np.unravel_index(100_003, (96, 55, 55))
    row = lazy.block(100_003, 100_004, 0, lazy.shape[1]).reshape(3, 224, 224)
    w = g.param("conv1", "weight")[f]
    top, left = 4 * i - 2, 4 * j - 2
    window = row[:, max(top, 0):top + 11, max(left, 0):left + 11]
    np.testing.assert_allclose(window, w[:, max(-top, 0):, max(-left, 0):][:, :window.shape[1],
                                                                            :window.shape[2]])
    assert np.count_nonzero(row) == np.count_nonzero(window)


def test_dropout_in_train_mode_shows_the_stepped_mask_and_leaves_the_stream_alone():
    g = graph_of([x_node((4096,)), {"id": "drop", "op": "Dropout", "attrs": {"p": 0.5},
                                    "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["drop"]}], seed=3)
    ev = step_to(g, {"x": np.ones((2, 4096))}, "drop", train=True, sample=1)
    state = g.rng.bit_generator.state
    lazy = ev.lazy_jacobian["input"]
    block = lazy.block(10, 20, 0, 4096)
    mask = ev.cache["mask"][1]
    np.testing.assert_array_equal(block, np.diag(mask)[10:20])
    assert lazy.rows_per_pass == 1 and lazy.passes == 10      # not re-run: a row a pass
    assert g.rng.bit_generator.state == state


def test_a_loss_reduced_over_the_batch_keeps_its_1_over_n():
    g = graph_of([x_node((3,)),
                  {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"},
                   "inputs": []},
                  {"id": "loss", "op": "CrossEntropyLoss", "inputs": ["x", "t"]}])
    x = np.random.default_rng(0).normal(size=(4, 3))
    ev = step_to(g, {"x": x, "t": np.array([0, 1, 2, 1])}, "loss", sample=2)
    lazy = ev.lazy_jacobian["input"]
    assert lazy.shape == (1, 3)
    p = np.exp(x[2]) / np.exp(x[2]).sum()
    np.testing.assert_allclose(lazy.dense()[0], (p - np.eye(3)[2]) / 4)
    assert not ev.lazy_jacobian["target"].available


def test_rows_dropped_from_a_full_cache_come_back(monkeypatch):
    monkeypatch.setattr(jacobian_module, "CACHE_BYTES", 600)
    lazy, w = linear_input_jacobian(8, 30, batch=2)
    np.testing.assert_array_equal(lazy.dense(), w)
    assert len(lazy.missing(range(30))) > 20                  # 96 bytes a row: most dropped
    np.testing.assert_array_equal(lazy.block(0, 3, 2, 5), w[:3, 2:5])


def test_column_bins_keep_the_entry_of_largest_magnitude():
    dense = np.zeros(40)
    dense[[3, 4, 17, 18, 39]] = [2.0, -5.0, 1.0, 0.5, -0.1]
    row = SparseRow.of(dense)
    edges = np.array([0, 10, 15, 20, 30, 40])
    np.testing.assert_array_equal(row.extremes(edges), [-5.0, 0, 1.0, 0, -0.1])
    np.testing.assert_array_equal(row.extremes(np.array([5, 18, 19])), [1.0, 0.5])
    np.testing.assert_array_equal(row.dense(3, 6), [2.0, -5.0, 0])


def test_a_picture_holds_computed_rows_only():
    lazy, w = linear_input_jacobian(6, 5)
    lazy.compute([1, 3])
    pic = lazy.picture([0, 1, 3], [0, 1, 2, 3])
    assert np.isnan(pic[0]).all() and lazy.value(0, 0) is None
    np.testing.assert_array_equal(pic[1:], w[[1, 3], :3])
    bins = lazy.picture([3], [0, 3, 6])[0]
    for b, part in zip(bins, (w[3, :3], w[3, 3:]), strict=True):
        assert b == part[np.argmax(np.abs(part))]
    assert lazy.value(3, 4) == w[3, 4]


def test_zoomed_out_pictures_reuse_whole_row_summaries():
    lazy, w = linear_input_jacobian(40, 3)
    lazy.compute(range(3))
    for edges in ([8, 16, 24, 32], [0, 8, 16, 24, 32, 40], [16, 24, 32, 40], [5, 13, 21]):
        pic = lazy.picture(range(3), edges)
        want = [[SparseRow.of(w[r]).extremes(np.array(edges))] for r in range(3)]
        np.testing.assert_array_equal(pic, np.concatenate(want))
    assert len(lazy._summaries) == 3                      # one per row at width 8


def test_a_linear_weights_rows_are_read_off_its_input_without_a_pass():
    """fc6-like: a ReLU's zeros before a Linear. Its weight rows are x in W's row block,
    read directly (no backward pass builds the whole dL/dW) and equal to the passes'."""
    g = graph_of([x_node((6,)), {"id": "relu", "op": "ReLU", "inputs": ["x"]},
                  {"id": "fc", "op": "Linear", "attrs": {"in_features": 6, "out_features": 4},
                   "inputs": ["relu"]},
                  {"id": "loss", "op": "Sum", "inputs": ["fc"]}])
    x = np.random.default_rng(3).normal(size=(3, 6))
    ev = step_to(g, {"x": x}, "fc", sample=2)
    for name in ("weight", "bias"):
        lazy = ev.lazy_jacobian[name]
        dense = np.array(reference(ev, name))
        np.testing.assert_allclose(lazy.dense(), dense, rtol=0, atol=0)
        assert lazy.passes == 0
        row = lazy.computed(1)
        assert np.all(row.values != 0) and row.cols.dtype == np.int32
    assert (np.maximum(x[2], 0) == 0).any()      # zeros the sparse rows leave out


def test_a_row_with_far_more_bins_than_a_screen_is_summarised_where_it_is_seen(monkeypatch):
    """AlexNet's fc6.W zoomed in: a whole-row summary of 37.7M columns at a narrow width
    took seconds a redraw; past SUMMARY_BINS bins only the visible ones are summarised."""
    monkeypatch.setattr(jacobian_module, "SUMMARY_BINS", 4)
    lazy, w = linear_input_jacobian(40, 3)
    lazy.compute(range(3))
    edges = [8, 16, 24, 32]                               # 5 bins of 8 in a row: over 4
    want = [SparseRow.of(w[r]).extremes(np.array(edges)) for r in range(3)]
    np.testing.assert_array_equal(lazy.picture(range(3), edges), want)
    assert len(lazy._summaries) == 0
    lazy.picture(range(3), [0, 16, 32, 48])              # 3 bins of 16: summarised whole
    assert len(lazy._summaries) == 3


def test_a_weight_read_off_its_input_is_filled_many_rows_at_a_time():
    """No pass is spent, so a view is told of 64 rows at once, not of each (4,096 redraws
    filled AlexNet's fc6.W)."""
    g = graph_of([x_node((6,)),
                  {"id": "fc", "op": "Linear", "attrs": {"in_features": 6, "out_features": 4},
                   "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["fc"]}])
    ev = step_to(g, {"x": np.ones((2, 6))}, "fc")
    assert ev.lazy_jacobian["weight"].rows_per_pass == jacobian_module.MAX_STACK


def test_a_float32_rerun_that_differs_by_rounding_still_reproduces():
    """AlexNet's fc6.input came one row a pass: in float32 the sample re-run alone is a
    matrix-vector product, 1e-7 relative away from the stepped matrix product, and the
    re-run check asked for 1e-6 relative of each entry. An op mixing samples is off by far
    more."""
    rng = np.random.default_rng(0)
    x = np.maximum(rng.normal(size=(2, 2048)), 0).astype(np.float32)
    w = (rng.normal(size=(64, 2048)) * 0.01).astype(np.float32)
    want, alone = (x @ w.T)[0], x[:1] @ w.T
    assert not np.allclose(alone, want, rtol=1e-6, atol=0)      # what refused the stack
    assert jacobian_module._reproduces(alone, want)
    assert not jacobian_module._reproduces(alone * 1.01, want)
    assert not jacobian_module._reproduces(alone.astype(np.float64) * (1 + 1e-9),
                                           want.astype(np.float64) * (1 + 1e-5))


def test_a_linear_inputs_rows_are_read_off_its_weight_without_a_pass():
    """fc6.input: a pass built the whole 151 MB dL/dW for 64 rows; row (t, i) is W's row i
    in x[t]'s block, as the passes give it."""
    g = graph_of([x_node((2, 6)),
                  {"id": "fc", "op": "Linear", "attrs": {"in_features": 6, "out_features": 4},
                   "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["fc"]}])
    ev = step_to(g, {"x": np.random.default_rng(1).normal(size=(3, 2, 6))}, "fc", sample=1)
    lazy = ev.lazy_jacobian["input"]
    np.testing.assert_allclose(lazy.dense(), np.array(reference(ev, "input")), rtol=0, atol=0)
    assert lazy.passes == 0 and lazy.rows_per_pass == jacobian_module.MAX_STACK


def test_rows_come_a_pass_at_a_time_where_the_op_cannot_read_them():
    """A view is told of each pass (and can cancel between passes) where no rows are read
    off the op: a ReLU's input."""
    g = graph_of([x_node((6,)), {"id": "relu", "op": "ReLU", "inputs": ["x"]},
                  {"id": "loss", "op": "Sum", "inputs": ["relu"]}])
    ev = step_to(g, {"x": np.random.default_rng(2).normal(size=(2, 6))}, "relu")
    assert ev.lazy_jacobian["input"].rows_per_pass < jacobian_module.MAX_STACK
