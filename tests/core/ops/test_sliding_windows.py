"""The fast paths of the sliding-window adjoints (issue 24) against a plain ``np.add.at``
scatter, and Conv2d / MaxPool2d on each path against torch in float64."""
from __future__ import annotations

import numpy as np
import pytest

from bpviz.core.ops.sliding_windows import disjoint, fold, taps

from ..oracle import case_graph, compare_with_torch, feeds_for, torch_run


def scatter(dtaps, padded_hw, kernel, stride, dilation):
    """col2im the slow, obvious way: every tap value added at its input pixel."""
    n, c, kh, kw, oh, ow = dtaps.shape
    out = np.zeros((n, c) + tuple(padded_hw))
    for u in range(kh):
        for v in range(kw):
            rows = u * dilation[0] + stride[0] * np.arange(oh)
            cols = v * dilation[1] + stride[1] * np.arange(ow)
            np.add.at(out, (slice(None), slice(None), rows[:, None], cols[None, :]),
                      dtaps[:, :, u, v])
    return out


@pytest.mark.parametrize("kernel,stride,dilation", [
    ((2, 2), (2, 2), (1, 1)), ((3, 2), (3, 3), (1, 1)), ((2, 2), (3, 4), (2, 1)),
    ((3, 3), (1, 1), (1, 1)), ((2, 3), (2, 1), (2, 1))])
def test_fold_matches_a_plain_scatter(kernel, stride, dilation):
    rng = np.random.default_rng(0)
    padded_hw = (9, 10)
    oh, ow = ((size - d * (k - 1) - 1) // s + 1
              for size, k, s, d in zip(padded_hw, kernel, stride, dilation, strict=True))
    dtaps = rng.normal(size=(2, 3) + kernel + (oh, ow))
    expected = scatter(dtaps, padded_hw, kernel, stride, dilation)
    np.testing.assert_allclose(fold(dtaps, padded_hw, kernel, stride, dilation), expected,
                               rtol=1e-12, atol=1e-12)


def test_disjoint_means_no_pixel_in_two_windows():
    assert disjoint((2, 2), (2, 2), (1, 1))
    assert disjoint((2, 2), (3, 3), (2, 2))
    assert not disjoint((3, 3), (2, 2), (1, 1))
    assert not disjoint((2, 2), (2, 2), (2, 1))
    assert not disjoint((2, 2), (2, 1), (1, 1))


def test_a_writeable_taps_view_writes_into_its_array():
    out = np.zeros((1, 1, 4, 4))
    taps(out, (2, 2), (2, 2), (1, 1), (2, 2), writeable=True)[0, 0, 1, 0] = 7.0
    assert out[0, 0, 1::2, 0::2].tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert out.sum() == 28.0


@pytest.mark.parametrize("channels,filters,stride,padding,dilation", [
    (6, 2, 1, 1, 1), (6, 2, 1, 0, 2), (1, 16, 1, 1, 1), (4, 3, 2, 1, 1)])
def test_conv2d_with_overlapping_windows_matches_torch(channels, filters, stride, padding,
                                                    dilation):
    attrs = {"in_channels": channels, "out_channels": filters, "kernel_size": 3,
             "stride": stride, "padding": padding, "dilation": dilation}
    shape = (channels, 9, 8)
    graph = case_graph("Conv2d", attrs, [shape])
    compare_with_torch(graph, feeds_for(graph, [shape], np.random.default_rng(3), 3))


@pytest.mark.parametrize("attrs", [{"kernel_size": 2}, {"kernel_size": 3, "padding": 1},
                                   {"kernel_size": 2, "stride": 3, "dilation": 2}])
def test_max_pool_with_windows_apart_routes_ties_and_nans_like_torch(attrs):
    """Windows apart (the in-place backward): the first of equal values and the last NaN
    of a window take its gradient, as in torch."""
    shape = (2, 7, 8)
    graph = case_graph("MaxPool2d", attrs, [shape])
    feeds = feeds_for(graph, [shape], np.random.default_rng(4), 2)
    x = feeds["in0"]
    x[0, 0] = 0.0                                  # a whole plane of ties
    compare_with_torch(graph, feeds)
    x[1, 1, :2, :2] = np.nan                       # NaNs: each pass takes the NaN rule
    x[1, 1, 3, 4] = np.nan
    graph.forward(feeds)
    graph.backward()
    values, input_grads, _ = torch_run(graph, feeds)
    np.testing.assert_array_equal(np.isnan(graph.value("op")), np.isnan(values["op"]))
    assert (input_grads["in0"] != 0).any()
    np.testing.assert_array_equal(graph.grad("in0") != 0, input_grads["in0"] != 0)
