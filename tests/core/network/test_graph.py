"""Graph: the DESIGN.md API, shape inference, fan-out, parameters and every bad graph."""
import copy
import math

import numpy as np
import pytest

from bpviz.core import Graph, GraphError
from bpviz.core.ops import MAX_ELEMENTS
from bpviz.paths import example_path

from ..oracle import compare_with_torch


def spec(*nodes, **top):
    return {"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": list(nodes), **top}


def n(id, op, inputs=(), **attrs):
    d = {"id": id, "op": op, "inputs": list(inputs)}
    if attrs:
        d["attrs"] = attrs
    return d


X = n("x", "Input", shape=[4])
T = n("t", "Input", shape=[], dtype="int64")


def classifier(extra=()):
    return spec(X, T, n("fc", "Linear", ["x"], in_features=4, out_features=3), *extra,
                n("loss", "CrossEntropyLoss", ["fc", "t"]))


def feeds(batch=5, seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=(batch, 4)), "t": rng.integers(0, 3, batch)}


def test_design_api_end_to_end():
    g = Graph.from_dict(classifier())
    loss = g.forward(feeds())
    assert loss.shape == () and np.isfinite(loss)
    g.backward()
    assert g.value("fc").shape == (5, 3) and g.grad("fc").shape == (5, 3)
    assert g.param("fc", "weight").shape == (3, 4)
    assert g.param_grad("fc", "weight").shape == (3, 4)
    # dL/dW = delta x^T summed over the batch, delta = dL/dy
    np.testing.assert_allclose(g.param_grad("fc", "weight"), g.grad("fc").T @ g.value("x"))
    assert g.grad("t") is None                      # class labels take no gradient


def test_fan_out_gradients_accumulate_and_match_torch():
    g = Graph.from_dict(spec(
        X, T, n("fc", "Linear", ["x"], in_features=4, out_features=3),
        n("a", "Tanh", ["fc"]), n("b", "Sigmoid", ["fc"]), n("sum", "Add", ["a", "b"]),
        n("twice", "Mul", ["sum", "sum"]), n("loss", "CrossEntropyLoss", ["twice", "t"])))
    f = feeds()
    compare_with_torch(g, f)
    # dL/dfc is the sum of what comes back through both branches
    g.forward(f)
    g.backward()
    fc = g.value("fc")
    ta, sb = np.tanh(fc), 1 / (1 + np.exp(-fc))
    expected = g.grad("sum") * (1 - ta ** 2) + g.grad("sum") * sb * (1 - sb)
    np.testing.assert_allclose(g.grad("fc"), expected)


def test_shapes_are_inferred_before_running():
    g = Graph.from_dict(spec(n("x", "Input", shape=[3, 32, 32]), T,
                             n("conv", "Conv2d", ["x"], in_channels=3, out_channels=8,
                               kernel_size=5, stride=2, padding=1),
                             n("pool", "MaxPool2d", ["conv"], kernel_size=2),
                             n("flat", "Flatten", ["pool"]),
                             n("fc", "Linear", ["flat"], in_features=392, out_features=10),
                             n("loss", "CrossEntropyLoss", ["fc", "t"])))
    assert g.shape("conv") == ("N", 8, 15, 15)
    assert g.shape("pool") == ("N", 8, 7, 7)
    assert g.shape("flat") == ("N", 392)
    assert g.shape("loss") == ()
    assert g.order == ["x", "t", "conv", "pool", "flat", "fc", "loss"]


def test_alexnet_example_infers_the_paper_shapes_without_allocating():
    from bpviz.core import load_graph
    g = load_graph(example_path("alexnet"))
    assert g.shape("conv1") == ("N", 96, 55, 55)
    assert g.shape("pool2") == ("N", 256, 13, 13)
    assert g.shape("pool5") == ("N", 256, 6, 6)
    assert g.shape("fc8") == ("N", 1000)
    assert g._params == {}          # parameters are made on first use only
    counts = sum(math.prod(g.param_shape(nid, p)) for nid in g.order for p in g.param_names(nid))
    assert counts == 62_378_344     # the paper's ~60 M parameters, one tower


def test_params_initialised_like_torch_and_reproducible_from_seed():
    g1, g2 = Graph.from_dict(classifier()), Graph.from_dict(classifier())
    w = g1.param("fc", "weight")
    assert np.array_equal(w, g2.param("fc", "weight"))
    bound = 1 / math.sqrt(4)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
    g3 = Graph.from_dict(dict(classifier(), seed=7))
    assert not np.array_equal(w, g3.param("fc", "weight"))
    # each node has its own stream: adding a node changes no other node's parameters
    g4 = Graph.from_dict(classifier([n("other", "Linear", ["x"], in_features=4,
                                       out_features=2)]))
    assert np.array_equal(w, g4.param("fc", "weight"))


def test_set_param_checks_shape_and_is_used():
    g = Graph.from_dict(classifier())
    with pytest.raises(GraphError, match="must have shape"):
        g.set_param("fc", "weight", np.zeros((4, 3)))
    with pytest.raises(GraphError, match="no parameter 'gamma'"):
        g.param("fc", "gamma")
    g.set_param("fc", "weight", np.zeros((3, 4)))
    g.set_param("fc", "bias", np.array([0.0, 0.0, 100.0]))
    g.forward(feeds())
    assert (g.value("fc").argmax(axis=1) == 2).all()


def test_float32_graph_stays_float32():
    s = copy.deepcopy(classifier())
    s["nodes"][0]["attrs"]["dtype"] = "float32"
    g = Graph.from_dict(s)
    g.forward(feeds())
    g.backward()
    assert g.param("fc", "weight").dtype == np.float32
    assert g.value("fc").dtype == np.float32
    assert g.param_grad("fc", "weight").dtype == np.float32


BAD_GRAPHS = [
    (spec(X, n("y", "Conv3d", ["x"])), "y", "unknown op 'Conv3d'"),
    (spec(X, n("fc", "Linear", ["nope"], in_features=4, out_features=2)), "fc",
     "input 'nope' does not exist"),
    (spec(X, n("x", "ReLU", ["x"])), "x", "duplicate node id"),
    (spec(X, n("a", "Add", ["x", "b"]), n("b", "ReLU", ["a"])), "a", "cycle: a -> b -> a"),
    (spec(X, n("r", "ReLU", ["x", "x"])), "r", "takes 1 input"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4, out_features="3")), "fc",
     "'out_features' must be an integer"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4, out_features=0)), "fc",
     "'out_features' must be an integer >= 1"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4, out_features=2, bias=1)), "fc",
     "'bias' must be true or false"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4)), "fc", "'out_features' is required"),
    (spec(X, n("d", "Dropout", ["x"], p=1.5)), "d", r"'p' must be a number in \[0, 1\]"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4, out_features=2, units=3)), "fc",
     "unknown attribute 'units'"),
    (spec(X, n("fc", "Linear", ["x"], in_features=5, out_features=2)), "fc",
     "has 4 features but in_features is 5"),
    (spec(X, n("c", "Conv2d", ["x"], in_channels=1, out_channels=2, kernel_size=3)), "c",
     r"needs \(N, C, H, W\) input"),
    (spec(n("x", "Input", shape=[1, 4, 4]),
          n("c", "Conv2d", ["x"], in_channels=1, out_channels=2, kernel_size=7)), "c",
     "larger than the padded input"),
    (spec(X, n("fc", "Linear", ["x"], in_features=4, out_features=10**12)), "fc",
     "parameters would need 5,000,000,000,000 values"),
    (spec(n("x", "Input", shape=[10**6, 10**6])), "x", "too many elements"),
    (spec(X, n("s", "Sum", ["x"], dim=1), n("loss", "CrossEntropyLoss", ["x", "s"])), "loss",
     "must be class indices"),
    (spec(X, n("k", "Input", shape=[4], dtype="int64"), n("loss", "Add", ["x", "k"])), "loss",
     "needs floats but 'k' holds integers"),
    (spec(X, T, n("loss", "MSELoss", ["x", "t"])), "loss", "must have the same shape"),
    (spec(X, n("s", "Softmax", ["x"], dim=0)), "s", "mix the samples"),
    (spec(X, n("f", "Flatten", ["x"], start_dim=0)), "f", "merge the batch dimension"),
    (spec(n("x", "Input", shape=[1, 5, 1]), n("p", "MaxPool2d", ["x"], kernel_size=[1, 2],
                                             padding=[0, 1], dilation=[1, 2])), "p",
     "see only padding"),
    (spec(n("x", "Input", shape=[1, 5, 5]), n("p", "AvgPool2d", ["x"], kernel_size=2,
                                             padding=2)), "p", "at most half the kernel"),
]


@pytest.mark.parametrize("bad,node,message", BAD_GRAPHS)
def test_bad_graph_raises_graph_error_naming_node_and_problem(bad, node, message):
    with pytest.raises(GraphError, match=message) as info:
        Graph.from_dict(bad)
    assert info.value.node == node
    assert f"node '{node}'" in str(info.value)


def test_problems_are_collected_per_node_and_the_rest_still_infers():
    s = spec(X, n("bad", "Linear", ["x"], in_features=9, out_features=2),
             n("after", "ReLU", ["bad"]), n("good", "Tanh", ["x"]), n("odd", "Nope", ["x"]))
    g = Graph()
    from bpviz.core.network.graph import _parse_node
    for i, raw in enumerate(s["nodes"]):
        g.add_node(_parse_node(raw, i))
    analysis = g.analyze()
    assert [p.node for p in analysis.problems] == ["odd", "bad"]
    assert analysis.shapes["good"] == ("N", 4)
    assert "after" not in analysis.shapes       # downstream of a problem: unknown, not wrong


def test_every_problem_of_every_node_is_listed():
    """A file with a negative in_features and an unknown input showed only the first."""
    s = spec(X, n("fc", "Linear", ["zz"], in_features=-4, out_features=2, units=1),
             n("odd", "Nope", ["yy", "x"]), n("add", "Add", ["x", None]),
             n("a", "ReLU", ["b"]), n("b", "ReLU", ["a"]),
             n("c", "Tanh", ["d"]), n("d", "Tanh", ["c"]), n("after", "Exp", ["d"]))
    problems = [str(p) for p in Graph.from_dict(s, check=False).analyze().problems]
    assert problems == [
        "node 'fc' (Linear): unknown attribute 'units' (allowed: in_features, out_features, "
        "bias)",
        "node 'fc' (Linear): attribute 'in_features' must be an integer >= 1, got -4",
        "node 'fc' (Linear): input 'zz' does not exist",
        "node 'odd': unknown op 'Nope'",
        "node 'odd' (Nope): input 'yy' does not exist",
        "node 'add' (Add): input 'other' is not connected",
        "node 'a': is on a cycle: a -> b -> a (a network must be a DAG)",
        "node 'c': is on a cycle: c -> d -> c (a network must be a DAG)"]
    with pytest.raises(GraphError, match="units"):
        Graph.from_dict(s)                               # check() raises the first


def test_fast_failure_for_huge_layers():
    import time
    start = time.perf_counter()
    with pytest.raises(GraphError):
        Graph.from_dict(spec(X, n("fc", "Linear", ["x"], in_features=4, out_features=10**12)))
    assert time.perf_counter() - start < 1.0
    assert MAX_ELEMENTS < 4 * 10**12


@pytest.mark.parametrize("bad_feeds,message", [
    ({"x": np.zeros((2, 4))}, "node 't'.*feed missing"),
    ({"x": np.zeros((2, 5)), "t": np.zeros(2, int)}, r"node 'x'.*shape \(2, 5\), expected \(batch, 4\)"),
    ({"x": np.zeros(4), "t": np.zeros(1, int)}, r"node 'x'.*expected \(batch, 4\)"),
    ({"x": np.zeros((2, 4)), "t": np.zeros(3, int)}, "different batch sizes"),
    ({"x": np.zeros((2, 4)), "t": np.array([0.5, 1.0])}, "node 't'.*whole numbers"),
    ({"x": np.array([["a"] * 4] * 2), "t": np.zeros(2, int)}, "node 'x'.*must hold numbers"),
    ({"x": np.zeros((2, 4)), "t": np.zeros(2, int), "z": 1}, "feed 'z' does not match"),
    ({"x": np.zeros((2, 4)), "t": np.array([0, 3])}, "node 'loss'.*target 3 of sample 1 is out of range for 3 classes"),
    ({"x": np.zeros((2, 4)), "t": np.array([-1, 0])}, "node 'loss'.*target -1 of sample 0"),
])
def test_bad_feeds_raise_graph_error(bad_feeds, message):
    g = Graph.from_dict(classifier())
    with pytest.raises(GraphError, match=message):
        g.forward(bad_feeds)


def test_hinge_labels_must_be_plus_minus_one():
    g = Graph.from_dict(spec(n("y", "Input", shape=[1]), n("t", "Input", shape=[1]),
                             n("loss", "HingeLoss", ["y", "t"])))
    with pytest.raises(GraphError, match="node 'loss'.*-1 or \\+1, got 0.0"):
        g.forward({"y": np.zeros((2, 1)), "t": np.array([[1.0], [0.0]])})


def test_backward_needs_exactly_one_loss():
    g = Graph.from_dict(spec(X, n("r", "ReLU", ["x"])))
    assert g.forward({"x": np.ones((2, 4))}) is None
    with pytest.raises(GraphError, match="no loss"):
        g.backward()
    g = Graph.from_dict(spec(X, n("a", "Sum", ["x"]), n("b", "Mean", ["x"])))
    with pytest.raises(GraphError, match="2 scalar outputs"):
        g.backward()


def test_queries_before_running_say_what_to_do():
    g = Graph.from_dict(classifier())
    with pytest.raises(GraphError, match="run forward"):
        g.value("fc")
    g.forward(feeds())
    with pytest.raises(GraphError, match="run backward"):
        g.grad("fc")
    with pytest.raises(GraphError, match="no node 'zz'"):
        g.value("zz")


def test_nodes_off_the_loss_path_get_zero_gradient():
    g = Graph.from_dict(classifier([n("side", "Tanh", ["x"]), n("side_sum", "Sum", ["side"],
                                                                 dim=1)]))
    g.forward(feeds())
    g.backward()
    assert not g.grad("side").any()


def test_softmax_and_cross_entropy_are_stable_for_huge_logits():
    g = Graph.from_dict(spec(n("y", "Input", shape=[3]), T,
                             n("loss", "CrossEntropyLoss", ["y", "t"])))
    y = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    loss = g.forward({"y": y, "t": np.array([1, 0])})
    g.backward()
    assert np.isfinite(loss) and np.isfinite(g.grad("y")).all()
    np.testing.assert_allclose(loss, (2e4 + 2e4 + np.log(2)) / 2)
    g = Graph.from_dict(spec(n("y", "Input", shape=[3]), n("s", "Softmax", ["y"], dim=1),
                             n("l", "LogSoftmax", ["y"], dim=1), n("a", "Sum", ["s"]),
                             n("b", "Sum", ["l"]), n("loss", "Add", ["a", "b"])))
    g.forward({"y": y})
    g.backward()
    assert np.isfinite(g.value("s")).all() and np.isfinite(g.value("l")).all()
    assert np.isfinite(g.grad("y")).all()


def test_dropout_saves_its_mask_and_is_identity_in_eval():
    g = Graph.from_dict(spec(X, n("d", "Dropout", ["x"], p=0.25), n("loss", "Sum", ["d"])))
    x = np.ones((400, 4))
    assert np.array_equal(g.forward({"x": x}, train=False) , x.sum())
    g.forward({"x": x}, train=True)
    mask = g.op("d").cache["mask"]
    out = g.value("d")
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.03
    g.backward()
    np.testing.assert_array_equal(g.grad("x"), mask)   # the gradient goes through the same mask
