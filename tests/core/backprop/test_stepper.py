"""Stepper: node-by-node forward and backward, per-sample Jacobians, chain-rule products."""
import numpy as np
import pytest

from bpviz.core import Graph, GraphError, Stepper, load_graph
from bpviz.paths import example_path

from ..ops.test_ops_torch import PARAMS
from ..oracle import case_graph, feeds_for

BIG_CAP = 10**7


def spirals_feeds(batch=4, seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=(batch, 2)), "t": rng.integers(0, 3, batch)}


def test_steps_forward_then_backward_and_match_a_full_pass():
    g = load_graph(example_path("spirals_mlp"))
    feeds = spirals_feeds()
    s = Stepper(g, feeds)
    assert s.position == "forward 0/6" and s.phase == "forward"
    events = []
    while (ev := s.step()) is not None:
        events.append(ev)
    assert s.done and s.position == "done" and s.step() is None
    assert [e.position for e in events[:2]] == ["forward 1/6", "forward 2/6"]
    assert events[0].upstream is None and events[0].chain_rules == {}
    assert [e.node for e in events if e.phase == "backward"] == [
        "loss", "fc3", "relu2", "fc2", "relu1", "fc1"]
    ref = load_graph(example_path("spirals_mlp"))
    ref.forward(feeds)
    ref.backward()
    for ev in events:
        np.testing.assert_array_equal(ev.output, ref.value(ev.node))
        if ev.phase == "backward":
            np.testing.assert_array_equal(ev.dout, ref.grad(ev.node))
            for name, d in ev.dparams.items():
                np.testing.assert_array_equal(d, ref.param_grad(ev.node, name))
    fc2 = next(e for e in events if e.phase == "backward" and e.node == "fc2")
    np.testing.assert_array_equal(fc2.dinputs["input"], ref.grad("relu1"))
    assert fc2.input_ids == {"input": "relu1"}


@pytest.mark.parametrize("op,attrs,inputs", PARAMS)
def test_jacobian_invariant_dout_times_j_equals_backward(op, attrs, inputs):
    """For every op: dout[s] . J_s == the op's backward, per sample, inputs and params."""
    g = case_graph(op, attrs, inputs)
    s = Stepper(g, feeds_for(g, inputs, np.random.default_rng(5), batch=3), train=True,
                cap=BIG_CAP)
    s.run_phase()
    s.run_phase()
    ev = next(e for e in s.history if e.phase == "backward" and e.node == "op")
    batched = ev.output.ndim > 0
    param_sum = {p: 0.0 for p in ev.dparams}
    for sample in range(3):
        ev.sample = sample
        rules, jac, notes = ev.chain_rules, ev.jacobian, ev.jacobian_notes
        dout = (ev.dout[sample] if batched else ev.dout).reshape(1, -1)
        for slot, d in ev.dinputs.items():
            if d is None:
                assert jac[slot] is None and notes[slot] and slot not in rules
                continue
            rule = rules[slot]
            np.testing.assert_array_equal(rule.dout, dout)
            assert rule.jacobian is jac[slot] and rule.jacobian.shape == (rule.rows, rule.columns)
            np.testing.assert_allclose(rule.product, d[sample].reshape(1, -1), rtol=1e-10,
                                       atol=1e-12)
            np.testing.assert_array_equal(rule.gradient, d[sample])
        for p, d in ev.dparams.items():
            assert rules[p].gradient is d and rules[p].columns == d.size
            param_sum[p] = param_sum[p] + rules[p].product
    for p, d in ev.dparams.items():
        np.testing.assert_allclose(param_sum[p], d.reshape(1, -1), rtol=1e-10, atol=1e-12)


def run_to(g, feeds, node, phase="backward", cap=BIG_CAP):
    s = Stepper(g, feeds, cap=cap)
    while (ev := s.step()) is not None:
        if ev.node == node and ev.phase == phase:
            return s, ev
    raise AssertionError(f"{node} never stepped")


def test_jacobian_structures_students_should_see():
    g = load_graph(example_path("spirals_mlp"))
    feeds = spirals_feeds()
    _, relu = run_to(g, feeds, "relu1")
    j = relu.jacobian["input"]
    assert np.array_equal(j, np.diag((relu.inputs["input"][0] > 0).astype(float)))
    _, fc = run_to(g, feeds, "fc2")
    np.testing.assert_array_equal(fc.jacobian["input"], g.param("fc2", "weight"))
    # dy_i/dW_jk = x_k if i == j: row i of J_W holds the input x in block i
    x = fc.inputs["input"][0]
    jw = fc.jacobian["weight"].reshape(64, 64, 64)
    for i in (0, 5, 63):
        np.testing.assert_array_equal(jw[i, i], x)
        assert not np.delete(jw[i], i, axis=0).any()

    sm = Graph.from_dict({"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "y", "op": "Input", "attrs": {"shape": [4]}, "inputs": []},
        {"id": "p", "op": "Softmax", "attrs": {"dim": 1}, "inputs": ["y"]},
        {"id": "loss", "op": "Sum", "inputs": ["p"]}]})
    _, ev = run_to(sm, {"y": np.array([[1.0, 2.0, 0.5, -1.0], [0, 0, 0, 0]])}, "p")
    p = ev.output[0]
    np.testing.assert_allclose(ev.jacobian["input"], np.diag(p) - np.outer(p, p))
    ev.sample = 1
    np.testing.assert_allclose(ev.jacobian["input"], np.eye(4) / 4 - 1 / 16)


def test_max_pool_jacobian_is_a_routing_matrix():
    g = load_graph(example_path("shapes_cnn"))
    rng = np.random.default_rng(0)
    feeds = {"x": rng.normal(size=(2, 1, 16, 16)), "t": np.array([0, 1])}
    _, ev = run_to(g, feeds, "pool2", cap=BIG_CAP)
    j = ev.jacobian["input"]
    assert j.shape == (16 * 4 * 4, 16 * 8 * 8)
    assert set(np.unique(j)) == {0.0, 1.0}
    assert (j.sum(axis=1) == 1).all()                   # each output takes exactly one input
    assert (j.sum(axis=0) <= 1).all()                   # non-overlapping windows


def test_large_jacobians_are_lazy_not_dense():
    g = load_graph(example_path("fc_softmax_ce"))
    rng = np.random.default_rng(0)
    feeds = {"x": rng.normal(size=(2, 3, 224, 224)), "t": np.array([1, 2])}
    _, ev = run_to(g, feeds, "fc", cap=2**18)
    assert ev.jacobian["input"] is None and ev.jacobian["weight"] is None
    assert "1,505,280 entries: computed a few rows" in ev.jacobian_notes["input"]
    lazy = ev.lazy_jacobian["input"]
    assert lazy.shape == (10, 3 * 224 * 224) and lazy.passes == 0
    np.testing.assert_array_equal(lazy.block(2, 4, 0, 100), g.param("fc", "weight")[2:4, :100])
    rule = ev.chain_rules["input"]                  # its shape is still told, not computed
    assert rule.product is None and (rule.rows, rule.columns) == (10, 3 * 224 * 224)
    assert ev.chain_rules["weight"].columns == 10 * 3 * 224 * 224
    _, sm = run_to(g, feeds, "softmax", cap=2**18)
    assert sm.jacobian["input"].shape == (10, 10)     # small ones still are
    assert sm.dparams == {} and sm.dinputs["input"].shape == (2, 10)


def test_back_undoes_steps_and_replays_identically_with_dropout():
    g = Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": 3, "nodes": [
        {"id": "x", "op": "Input", "attrs": {"shape": [50]}, "inputs": []},
        {"id": "d", "op": "Dropout", "attrs": {"p": 0.5}, "inputs": ["x"]},
        {"id": "d2", "op": "Dropout", "attrs": {"p": 0.5}, "inputs": ["d"]},
        {"id": "loss", "op": "Sum", "inputs": ["d2"]}]})
    s = Stepper(g, {"x": np.ones((2, 50))}, train=True)
    first = [s.step() for _ in range(6)]
    assert s.done
    grad_x_then = g.grad("d").copy()
    last = s.back()
    assert last is first[4] and s.position == "backward 2/3"
    assert s.back().position == "backward 1/3"
    s.back()
    s.back()                                            # undo the last forward step
    assert s.position == "forward 2/3"
    with pytest.raises(GraphError):
        g.value("loss")
    again = [s.step() for _ in range(4)]
    np.testing.assert_array_equal(again[0].output, first[2].output)
    np.testing.assert_array_equal(g.grad("d"), grad_x_then)
    s.reset()
    assert s.position == "forward 0/3" and s.history == []
    replay = [s.step() for _ in range(3)]
    for a, b in zip(replay, first, strict=False):                     # same dropout masks after a reset
        np.testing.assert_array_equal(a.output, b.output)


def test_graph_without_loss_steps_forward_only():
    g = Graph.from_dict({"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "x", "op": "Input", "attrs": {"shape": [3]}, "inputs": []},
        {"id": "r", "op": "ReLU", "inputs": ["x"]}]})
    s = Stepper(g, {"x": np.ones((1, 3))})
    assert s.step().node == "r" and s.step() is None
    assert "no loss" in s.no_backward


def test_sample_must_be_in_the_batch():
    g = load_graph(example_path("spirals_mlp"))
    with pytest.raises(GraphError, match="sample 4 is out of range for a batch of 4"):
        Stepper(g, spirals_feeds(4), sample=4)


def test_brief_statistics_of_arrays_with_nan_warn_nothing():
    import math
    import warnings

    from bpviz.core.display.array_views import brief
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi, mean = brief(np.array([np.nan, np.nan]))
        assert math.isnan(lo) and math.isnan(hi) and math.isnan(mean)
        assert brief(np.array([1.0, np.nan, 3.0])) == (1.0, 3.0, 2.0)
