"""The lecture's chain rule for one parameter, walked back from the loss: the factors, their
product, and the sum over samples and routes that is the engine's gradient (float64)."""
import numpy as np
import pytest

from bpviz.core import Graph, GraphError, Stepper, load_graph
from bpviz.core.backprop.chain_path import MAX_ROUTES, chain_path, routes
from bpviz.core.display.array_views import sample_of
from bpviz.paths import example_path

from ..oracle import assert_close, torch_run


def run(graph, feeds, train=False):
    """A graph after the stepper's forward and backward, as the app leaves it."""
    stepper = Stepper(graph, feeds, train=train)
    stepper.run_phase()
    stepper.run_phase()
    assert stepper.done
    return graph


def spec_graph(nodes) -> Graph:
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes})


def lecture_variant(features=6, classes=4, dropout=False) -> Graph:
    """y = Wx, σ = softmax(y), L = NLL(log σ): the lecture's example, small enough that
    every factor is built."""
    src = "x"
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": [features]}, "inputs": []},
             {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []}]
    if dropout:
        nodes.append({"id": "drop", "op": "Dropout", "inputs": ["x"]})
        src = "drop"
    nodes += [{"id": "fc", "op": "Linear", "inputs": [src],
               "attrs": {"in_features": features, "out_features": classes, "bias": False}},
              {"id": "softmax", "op": "Softmax", "attrs": {"dim": 1}, "inputs": ["fc"]},
              {"id": "log", "op": "Log", "inputs": ["softmax"]},
              {"id": "loss", "op": "NLLLoss", "inputs": ["log", "t"]}]
    return spec_graph(nodes)


def sample_sum(graph, node, param, route=0):
    """Σ over the batch of the per-sample products along one route."""
    first = chain_path(graph, node, param, 0, route)
    return sum(chain_path(graph, node, param, s, route).product for s in range(first.batch))


def test_lecture_example_factors_are_the_lectures_and_the_samples_sum_to_the_gradient():
    g = load_graph(example_path("fc_softmax_ce"))
    rng = np.random.default_rng(1)
    n = 2
    run(g, {"x": rng.normal(size=(n, 3, 224, 224)), "t": np.array([3, 7])})
    c = chain_path(g, "fc", "weight", sample=1)
    assert c.route.nodes == ("loss", "log", "softmax", "fc") and c.route_count == 1
    assert [(f.of, f.by) for f in c.factors] == [("L", "log"), ("log", "softmax"),
                                                 ("softmax", "fc"), ("fc", "fc.weight")]
    assert [f.shape for f in c.factors] == [(1, 10), (10, 10), (10, 10), (10, 1_505_280)]
    assert c.shapes_text == "[1×10] · [10×10] · [10×10] · [10×1505280] = [1×1505280]"
    dydw = c.factors[-1]
    assert dydw.matrix is None and "as they are looked at" in dydw.note
    assert c.literal is None                # the product went on without that factor
    # ∂y_i/∂W_jk = x_k when i = j: rows of the 10 × 1,505,280 factor, computed on demand
    x = g.value("flatten")[1]
    assert "x_k" in dydw.structure and dydw.lazy.shape == (10, 1_505_280)
    np.testing.assert_array_equal(dydw.lazy.block(0, 1, 0, 150_528), x[None])
    np.testing.assert_array_equal(dydw.lazy.block(0, 2, 150_528, 150_538)[1], x[:10])
    assert not dydw.lazy.block(0, 1, 150_528, 301_056).any()
    # the lecture's factors, written out: dL/dσ = -t/σ (times the batch mean's 1/N) ...
    sigma = g.value("softmax")[1]
    t = np.eye(10)[7]
    np.testing.assert_allclose(c.partials[1].ravel(), -t / sigma / n, rtol=1e-12)
    # ... dσ_i/dy_j = σ_i(δ_ij − σ_j)
    np.testing.assert_allclose(c.factors[2].matrix, np.diag(sigma) - np.outer(sigma, sigma),
                               atol=1e-15)
    # a chain: every partial product is the engine's dL/d(node) of this sample
    for f, row in zip(c.factors[:-1], c.partials, strict=False):
        np.testing.assert_allclose(row.ravel(), sample_of(g.grad(f.by), 1).ravel(),
                                   rtol=1e-12, atol=1e-18)
    total = sample_sum(g, "fc", "weight")
    assert_close(total, g.param_grad("fc", "weight"), "Σ samples of the product")
    assert_close(c.total, g.param_grad("fc", "weight"), "batch walk")
    assert c.complete and c.difference < 1e-15
    assert "sums the products of all 2 samples" in c.relation() and "1/N = 1/2" in c.relation()


def test_small_lecture_variant_builds_every_factor_and_matches_torch():
    torch = pytest.importorskip("torch")
    g = lecture_variant()
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(3, 6)), np.array([0, 3, 1])
    run(g, {"x": x, "t": t})
    w = g.param("fc", "weight")
    for s in range(3):
        c = chain_path(g, "fc", "weight", sample=s)
        dydw = c.factors[-1].matrix               # ∂y_i/∂W_jk = x_k when i = j, else 0
        assert dydw.shape == (4, 24)
        expected = np.zeros((4, 4, 6))
        for i in range(4):
            expected[i, i] = x[s]
        np.testing.assert_array_equal(dydw, expected.reshape(4, 24))
        np.testing.assert_allclose(c.literal.reshape(4, 6), c.product, rtol=1e-12, atol=1e-18)
        # torch: the gradient of this sample's share of the batch-mean loss
        wt = torch.tensor(w, requires_grad=True)
        y = wt @ torch.tensor(x[s])
        share = -torch.log_softmax(y, dim=0)[int(t[s])] / 3
        share.backward()
        np.testing.assert_allclose(c.product, wt.grad.numpy(), rtol=1e-12, atol=1e-18)


def test_dropout_in_train_mode_reuses_the_stepped_mask():
    g = lecture_variant(features=8, dropout=True)
    rng = np.random.default_rng(3)
    run(g, {"x": rng.normal(size=(4, 8)), "t": np.array([0, 1, 2, 3])}, train=True)
    assert_close(sample_sum(g, "fc", "weight"), g.param_grad("fc", "weight"), "train mode")


def test_sigmoid_chain_multiplies_eighteen_factors():
    g = load_graph(example_path("sigmoid_chain"))
    rng = np.random.default_rng(4)
    run(g, {"x": rng.normal(size=(5, 2)), "t": rng.integers(0, 2, 5)})
    c = chain_path(g, "fc1", "weight", sample=2)
    assert len(c.factors) == 18 and c.factors[-1].shape == (16, 32)
    assert c.shapes_text.startswith("[1×2] · [2×16] · [16×16]")
    np.testing.assert_allclose(c.literal.reshape(16, 2), c.product, rtol=1e-10, atol=1e-20)
    assert_close(sample_sum(g, "fc1", "weight"), g.param_grad("fc1", "weight"), "fc1.weight")
    assert_close(sample_sum(g, "fc4", "bias"), g.param_grad("fc4", "bias"), "fc4.bias")


def test_branching_graph_lists_both_routes_and_they_add_up():
    g = load_graph(example_path("branching"))
    rng = np.random.default_rng(5)
    run(g, {"x": rng.normal(size=(4, 2)), "t": rng.integers(0, 3, 4)})
    found, count = routes(g, "fc")
    assert count == 2 and [r.text for r in found] == [
        "loss ← scores ← head_a ← hidden ← fc", "loss ← scores ← gate ← head_b ← hidden ← fc"]
    assert found[1].slots[1] == "other"
    grad = g.param_grad("fc", "weight")
    each = [sample_sum(g, "fc", "weight", route=r) for r in range(2)]
    for r in range(2):
        c = chain_path(g, "fc", "weight", 0, route=r)
        assert_close(each[r], c.route_total, f"route {r}: Σ samples = the batch walk")
        assert np.abs(each[r] - grad).max() > 1e-6          # one route is not all of it
    assert_close(each[0] + each[1], grad, "Σ routes and samples")
    assert c.complete and c.difference < 1e-15 and "2 routes reach fc" in c.relation()
    head_b = chain_path(g, "head_b", "weight")              # after the fork: one route
    assert head_b.route_count == 1 and head_b.route.nodes[-2:] == ("gate", "head_b")


def test_conv_graph_matches_the_engine_and_torch_per_sample():
    torch = pytest.importorskip("torch")                      # noqa: F841
    g = load_graph(example_path("shapes_cnn"))
    rng = np.random.default_rng(6)
    feeds = {"x": rng.normal(size=(3, 1, 16, 16)), "t": np.array([0, 2, 3])}
    run(g, feeds)
    c = chain_path(g, "conv1", "weight", sample=1)
    assert [f.node for f in c.factors] == ["loss", "fc", "flatten", "pool2", "relu2", "conv2",
                                           "pool1", "relu1", "conv1"]
    assert c.factors[-1].shape == (8 * 16 * 16, 72)
    assert_close(sample_sum(g, "conv1", "weight"), g.param_grad("conv1", "weight"), "conv1")
    assert c.difference < 1e-12
    one = {k: v[1:2] for k, v in feeds.items()}       # sample 1 alone: the mean is over 1
    _, _, torch_grads = torch_run(load_graph(example_path("shapes_cnn")), one)
    assert_close(c.product * 3, torch_grads[("conv1", "weight")], "torch, sample 1")


def fan_out_graph(depth: int) -> Graph:
    """h_{k+1} = h_k + h_k, ``depth`` times: 2**depth routes from the loss to fc."""
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
             {"id": "fc", "op": "Linear", "attrs": {"in_features": 2, "out_features": 2},
              "inputs": ["x"]}]
    prev = "fc"
    for k in range(depth):
        nodes.append({"id": f"h{k}", "op": "Add", "inputs": [prev, prev]})
        prev = f"h{k}"
    nodes.append({"id": "loss", "op": "Sum", "inputs": [prev]})
    return spec_graph(nodes)


def test_many_routes_are_counted_not_listed():
    g = run(fan_out_graph(10), {"x": np.ones((2, 2))})
    found, count = routes(g, "fc")
    assert count == 1024 and len(found) == MAX_ROUTES
    c = chain_path(g, "fc", "bias")
    assert not c.complete and "the first 16 of 1024" in c.relation()
    # every route carries the same product here: 16 of 1024 routes are 1/64 of the gradient
    assert_close(c.total * 64, g.param_grad("fc", "bias"), "16 routes of 1024")


def test_refusals_say_why():
    g = run(lecture_variant(), {"x": np.ones((2, 6)), "t": np.array([0, 1])})
    with pytest.raises(GraphError, match="no parameter 'bias'"):
        chain_path(g, "fc", "bias")
    with pytest.raises(GraphError, match="out of range for a batch of 2"):
        chain_path(g, "fc", "weight", sample=2)
    with pytest.raises(GraphError, match="route 1 is out of range"):
        chain_path(g, "fc", "weight", route=1)


def test_a_scalar_feeding_every_sample_has_no_per_sample_product():
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": [3]}, "inputs": []},
             {"id": "fc", "op": "Linear", "attrs": {"in_features": 3, "out_features": 3},
              "inputs": ["x"]},
             {"id": "total", "op": "Sum", "inputs": ["fc"]},
             {"id": "shifted", "op": "Add", "inputs": ["fc", "total"]},
             {"id": "sq", "op": "Mul", "inputs": ["shifted", "shifted"]},
             {"id": "loss", "op": "Mean", "inputs": ["sq"]}]
    g = run(spec_graph(nodes), {"x": np.random.default_rng(7).normal(size=(2, 3))})
    found, count = routes(g, "fc")
    assert count == 4
    mixing = [r for r, route in enumerate(found) if "total" in route.nodes]
    with pytest.raises(GraphError, match="the samples mix"):
        chain_path(g, "fc", "weight", route=mixing[0])
    apart = [r for r in range(count) if r not in mixing]
    c = chain_path(g, "fc", "weight", route=apart[0])
    assert_close(sample_sum(g, "fc", "weight", apart[0]), c.route_total, "a per-sample route")
    assert c.complete and c.difference < 1e-12       # the batch walks cross the scalar
