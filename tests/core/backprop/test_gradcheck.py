"""Finite differences for every op (through the GUI's check_node), and the checker itself."""
import numpy as np
import pytest

from bpviz.core import load_graph
from bpviz.core.backprop.gradcheck import check_node, numerical_gradient, relative_error
from bpviz.paths import example_path

from ..ops.test_ops_torch import PARAMS
from ..oracle import case_graph, feeds_for


@pytest.mark.parametrize("op,attrs,inputs", PARAMS)
def test_every_op_passes_central_differences(op, attrs, inputs):
    g = case_graph(op, attrs, inputs)
    feeds = feeds_for(g, inputs, np.random.default_rng(11), batch=2)
    labels = {f"in{i}" for i, spec in enumerate(inputs) if spec[0] == "pm1"}   # only +-1
    float_inputs = [n for n in g.inputs()
                    if n != "w" and n not in labels and feeds[n].dtype.kind == "f"]
    checked = 0
    for nid in float_inputs + ["op"]:
        for result in check_node(g, feeds, nid, train=True, max_elements=24):
            assert result.passed(tol=1e-6), (nid, result.name, result.max_rel_error,
                                             result.projection_rel_error)
            checked += 1
    assert checked >= 1 + len(g.param_names("op"))


def test_check_node_reports_a_wrong_gradient():
    g = load_graph(example_path("spirals_mlp"))
    rng = np.random.default_rng(0)
    feeds = {"x": rng.normal(size=(4, 2)), "t": rng.integers(0, 3, 4)}
    op = g.op("relu1")
    original = type(op).backward
    # a classic student bug: forgetting the ReLU mask
    type(op).backward = lambda self, dout: ((dout,), {})
    try:
        results = check_node(g, feeds, "fc1")
    finally:
        type(op).backward = original
    assert not any(r.passed() for r in results)
    assert max(r.max_rel_error for r in results) > 1e-2


def test_check_node_leaves_the_graph_as_it_was():
    g = load_graph(example_path("branching"))
    rng = np.random.default_rng(1)
    feeds = {"x": rng.normal(size=(3, 2)), "t": rng.integers(0, 3, 3)}
    g.forward(feeds)
    g.backward()
    w = g.param("head_a", "weight").copy()
    grad = g.grad("hidden").copy()
    results = check_node(g, feeds, "hidden")
    assert [r.name for r in results] == ["output"] and results[0].passed(tol=1e-5)
    assert np.array_equal(g.param("head_a", "weight"), w)
    np.testing.assert_allclose(g.grad("hidden"), grad)


def test_numerical_gradient_and_relative_error():
    x = np.array([1.0, -2.0, 3.0])
    f = lambda: float((x ** 3).sum())
    np.testing.assert_allclose(numerical_gradient(f, x, [0, 2]), [3.0, 27.0], rtol=1e-8)
    assert np.array_equal(x, [1.0, -2.0, 3.0])
    assert relative_error(1.0, 1.0) == 0 and relative_error(0.0, 0.0) == 0
    assert relative_error(1.0, -1.0) == 1


def test_check_node_refuses_integer_inputs():
    g = load_graph(example_path("spirals_mlp"))
    from bpviz.core import GraphError
    with pytest.raises(GraphError, match="node 't'.*no gradient"):
        check_node(g, {"x": np.zeros((2, 2)), "t": np.array([0, 1])}, "t")


def test_lecture_example_says_what_agreed_instead_of_an_exact_zero():
    """The lecture example reported "max relative error 0 ... random direction 0": the
    first was the error beyond the noise floor (the analytic and numeric gradients agree
    to ~1e-10, well inside it), the second a direction never compared, its one-sided
    differences over 1.5 million weights being taken for a kink."""
    g = load_graph(example_path("fc_softmax_ce"))
    rng = np.random.default_rng(0)
    feeds = {"x": rng.uniform(0, 1, size=(2, 3, 224, 224)), "t": np.array([3, 7])}
    results = check_node(g, feeds, "fc")
    assert [r.name for r in results] == ["output", "weight"]
    for r in results:
        assert r.passed() and r.max_rel_error == 0 and r.within_floor
        assert 0 < r.raw_rel_error < 1e-6 and 0 < r.max_abs_error <= r.floor
        assert r.projection_checked and 0 < r.projection_raw_rel_error < 1e-4


def test_a_kink_on_the_random_direction_is_still_told_from_curvature():
    from bpviz.core.backprop.gradcheck import directional
    x = np.array([0.0, 1.0, -2.0])
    u = np.array([1.0, 0.5, 0.25])
    kinked = lambda: float(np.abs(x).sum())
    _, kink = directional(kinked, x, u, 1e-5, kinked(), 1e-9)
    assert kink and np.array_equal(x, [0.0, 1.0, -2.0])
    w = np.zeros(10**6)
    long_u = np.random.default_rng(0).normal(size=w.size)      # |u| ~ 1000: strong curvature
    smooth = lambda: float(np.exp(w.sum() / 1000) + (w ** 2).sum())
    central, kink = directional(smooth, w, long_u, 1e-5, smooth(), 1e-9)
    assert not kink and abs(central - long_u.sum() / 1000) < 1e-3
