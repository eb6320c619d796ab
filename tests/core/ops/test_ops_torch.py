"""Every op of the registry against torch.autograd in float64: outputs, input gradients and
parameter gradients within 1e-7 relative error, over several shapes, strides and paddings."""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bpviz.core.ops import REGISTRY

from ..oracle import case_graph, compare_with_torch, feeds_for, torch_run

# op -> list of (attrs, input specs); an input spec is a per-sample shape (normal floats)
# or (kind, shape, arg) with kind in int (class indices < arg), pm1, pos, prob.
CASES = {
    "Linear": [({"in_features": 5, "out_features": 3}, [(5,)]),
               ({"in_features": 4, "out_features": 2, "bias": False}, [(3, 4)])],
    "Conv2d": [({"in_channels": 2, "out_channels": 3, "kernel_size": 3}, [(2, 6, 5)]),
               ({"in_channels": 1, "out_channels": 2, "kernel_size": [2, 3], "stride": 2,
                 "padding": 1}, [(1, 7, 6)]),
               ({"in_channels": 3, "out_channels": 2, "kernel_size": 3, "stride": [1, 2],
                 "padding": [2, 0], "dilation": 2, "bias": False}, [(3, 8, 9)])],
    "MaxPool2d": [({"kernel_size": 2}, [(2, 6, 6)]),
                  ({"kernel_size": 3, "stride": 2, "padding": 1}, [(2, 7, 5)]),
                  ({"kernel_size": [3, 2], "stride": 1, "dilation": [1, 2]}, [(1, 6, 7)])],
    "AvgPool2d": [({"kernel_size": 2}, [(2, 6, 6)]),
                  ({"kernel_size": 3, "stride": 2, "padding": 1}, [(2, 7, 5)]),
                  ({"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
                   [(1, 6, 6)]),
                  ({"kernel_size": 2, "divisor_override": 3}, [(1, 4, 4)])],
    "ReLU": [({}, [(7,)]), ({}, [(2, 3, 3)])],
    "LeakyReLU": [({}, [(7,)]), ({"negative_slope": 0.2}, [(2, 3)])],
    "Sigmoid": [({}, [(6,)])],
    "Tanh": [({}, [(2, 5)])],
    "Softmax": [({"dim": 1}, [(5,)]), ({"dim": -1}, [(2, 4)]), ({}, [(3,)])],
    "LogSoftmax": [({"dim": 1}, [(5,)]), ({"dim": 2}, [(2, 4)])],
    "Flatten": [({}, [(2, 3, 4)]), ({"start_dim": 2}, [(2, 3, 4)])],
    "Dropout": [({"p": 0.3}, [(6,)])],
    "LocalResponseNorm": [({"size": 5, "alpha": 1e-2, "beta": 0.75, "k": 2.0}, [(7, 3, 3)]),
                          ({"size": 2, "alpha": 0.5}, [(4, 2)])],
    "Add": [({}, [(3, 4), (3, 4)]), ({}, [(3, 4), (1, 4)]), ({}, [(2, 1), (1, 5)])],
    "Mul": [({}, [(3, 4), (3, 4)]), ({}, [(3, 4), (1, 4)])],
    "MatMul": [({}, [(2, 3), (3, 4)]), ({}, [(2, 2, 3), (2, 3, 1)])],
    "Sum": [({}, [(3, 4)]), ({"dim": 1}, [(3, 4)]), ({"dim": [1, 2], "keepdim": True},
                                                      [(2, 3, 4)])],
    "Mean": [({}, [(3, 4)]), ({"dim": -1, "keepdim": True}, [(3, 4)])],
    "Exp": [({}, [(5,)])],
    "Log": [({}, [("pos", (5,))])],
    "CrossEntropyLoss": [({}, [(5,), ("int", (), 5)]),
                         ({"reduction": "sum", "label_smoothing": 0.1}, [(4,), ("int", (), 4)]),
                         ({"reduction": "none"}, [(3,), ("int", (), 3)]),
                         ({}, [(4,), ("prob", (4,))]),
                         ({"label_smoothing": 0.2}, [(4,), ("prob", (4,))])],
    "NLLLoss": [({}, [(5,), ("int", (), 5)]), ({"reduction": "sum"}, [(3,), ("int", (), 3)])],
    "MSELoss": [({}, [(4,), (4,)]), ({"reduction": "sum"}, [(2, 3), (2, 3)])],
    "L1Loss": [({}, [(4,), (4,)]), ({"reduction": "none"}, [(3,), (3,)])],
    "SmoothL1Loss": [({}, [(6,), (6,)]), ({"beta": 0.3}, [(6,), (6,)]),
                     ({"beta": 0.0}, [(4,), (4,)])],
    "HuberLoss": [({}, [(6,), (6,)]), ({"delta": 0.4, "reduction": "sum"}, [(6,), (6,)])],
    "MultiMarginLoss": [({}, [(5,), ("int", (), 5)]),
                        ({"p": 2, "margin": 0.7}, [(4,), ("int", (), 4)])],
    "HingeLoss": [({}, [(1,), ("pm1", (1,))]), ({"reduction": "sum"}, [(3,), ("pm1", (3,))])],
}

PARAMS = [pytest.param(op, attrs, inputs, id=f"{op}-{i}")
          for op, cases in CASES.items() for i, (attrs, inputs) in enumerate(cases)]


def test_every_registered_op_has_cases():
    assert set(REGISTRY) - {"Input"} == set(CASES)


@pytest.mark.parametrize("op,attrs,inputs", PARAMS)
@pytest.mark.parametrize("batch", [1, 3])
def test_op_matches_torch(op, attrs, inputs, batch):
    graph = case_graph(op, attrs, inputs, seed=batch)
    rng = np.random.default_rng(batch)
    compare_with_torch(graph, feeds_for(graph, inputs, rng, batch))


def test_cross_entropy_ignore_index_matches_torch():
    graph = case_graph("CrossEntropyLoss", {"ignore_index": 2}, [(4,), ("int", (), 4)])
    feeds = {"in0": np.random.default_rng(0).normal(size=(5, 4)),
             "in1": np.array([0, 2, 1, 2, 3])}
    compare_with_torch(graph, feeds)


_hyp = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def no_padding_only_window(hw, kernel, stride, padding, dilation):
    """Pools reject windows that see only padding: keep such draws out."""
    for n, k, s, p, d in zip(hw, kernel, stride, padding, dilation, strict=True):
        if n + 2 * p < d * (k - 1) + 1:
            return False
        outs = (n + 2 * p - d * (k - 1) - 1) // s + 1
        if not all(any(p <= o * s + j * d < p + n for j in range(k)) for o in range(outs)):
            return False
    return True


@st.composite
def window_cases(draw):
    k = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    d = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    s = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    span = [di * (ki - 1) + 1 for ki, di in zip(k, d, strict=True)]
    p = draw(st.tuples(st.integers(0, k[0] // 2), st.integers(0, k[1] // 2)))
    h = draw(st.integers(max(1, span[0] - 2 * p[0]), 9))
    w = draw(st.integers(max(1, span[1] - 2 * p[1]), 9))
    c = draw(st.integers(1, 3))
    assume(no_padding_only_window((h, w), k, s, p, d))
    return {"kernel_size": list(k), "stride": list(s), "padding": list(p),
            "dilation": list(d)}, (c, h, w)


@_hyp
@given(case=window_cases(), out=st.integers(1, 3), batch=st.integers(1, 2))
def test_conv2d_shapes_match_torch(case, out, batch):
    attrs, shape = case
    attrs = dict(attrs, in_channels=shape[0], out_channels=out)
    graph = case_graph("Conv2d", attrs, [shape])
    compare_with_torch(graph, feeds_for(graph, [shape], np.random.default_rng(0), batch))


@_hyp
@given(case=window_cases(), batch=st.integers(1, 2))
def test_max_pool_shapes_match_torch(case, batch):
    attrs, shape = case
    graph = case_graph("MaxPool2d", attrs, [shape])
    compare_with_torch(graph, feeds_for(graph, [shape], np.random.default_rng(1), batch))


@_hyp
@given(case=window_cases(), include=st.booleans())
def test_avg_pool_shapes_match_torch(case, include):
    attrs, shape = case
    attrs = {k: v for k, v in attrs.items() if k != "dilation"}
    attrs["padding"] = [min(p, k // 2) for p, k in zip(attrs["padding"], attrs["kernel_size"], strict=True)]
    assume(no_padding_only_window(shape[1:], attrs["kernel_size"], attrs["stride"],
                                  attrs["padding"], (1, 1)))
    attrs["count_include_pad"] = include
    graph = case_graph("AvgPool2d", attrs, [shape])
    compare_with_torch(graph, feeds_for(graph, [shape], np.random.default_rng(2), 2))


def test_max_pool_ties_route_to_first_element_like_torch():
    graph = case_graph("MaxPool2d", {"kernel_size": 2}, [(1, 4, 4)])
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = 1.0     # one window of equal ones, three windows of zeros
    compare_with_torch(graph, {"in0": x, "w": np.ones((1, 1, 2, 2))})


NAN_CASES = [("MaxPool2d", {"kernel_size": 2}, (2, 4, 6)),
             ("MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, (2, 5, 5)),
             ("MaxPool2d", {"kernel_size": [2, 3], "stride": [1, 2], "dilation": [2, 1]},
              (1, 6, 7)),
             ("ReLU", {}, (3, 4)),
             ("LeakyReLU", {"negative_slope": 0.2}, (3, 4))]


@pytest.mark.parametrize("op,attrs,shape", NAN_CASES, ids=lambda v: str(v))
def test_nan_inputs_route_gradients_like_torch(op, attrs, shape):
    """A NaN input: the same NaN outputs as torch, and dL/dx sent where torch sends it
    (a max-pool window holding NaNs routes to its last NaN; ReLU passes a NaN's gradient)."""
    graph = case_graph(op, attrs, [shape])
    feeds = feeds_for(graph, [shape], np.random.default_rng(0), batch=2)
    x = feeds["in0"].reshape(-1)
    x[np.random.default_rng(1).choice(x.size, size=max(3, x.size // 6), replace=False)] = np.nan
    x[1] = x[2] = np.nan               # NaNs side by side: two in one window, not first
    graph.forward(feeds)
    graph.backward()
    values, input_grads, _ = torch_run(graph, feeds)
    np.testing.assert_array_equal(np.isnan(graph.value("op")), np.isnan(values["op"]))
    assert np.isfinite(input_grads["in0"]).all()
    np.testing.assert_allclose(graph.grad("in0"), input_grads["in0"], rtol=1e-12, atol=0)
