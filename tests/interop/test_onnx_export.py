"""bpviz graph -> ONNX -> onnxruntime: the same outputs as bpviz and as the torch model."""
import numpy as np
import pytest

from bpviz.core.network.graph import load_graph
from bpviz.interop import load_onnx
from bpviz.interop.onnx_export import model_output, save_onnx
from bpviz.paths import example_path

ort = pytest.importorskip("onnxruntime")

EXAMPLES = ["tiny_cnn", "shapes_cnn", "spirals_mlp", "branching", "sigmoid_chain",
            "fc_softmax_ce", "hinge_vs_ce"]


def as_float32(graph):
    """The graph with float32 Inputs (onnxruntime's CPU kernels for Conv, LRN and pooling
    take float32 only)."""
    for node in list(graph.nodes.values()):
        if node.op == "Input" and node.attrs.get("dtype") != "int64":
            graph.set_attrs(node.id, {**node.attrs, "dtype": "float32"})
    return graph


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (name,) = [i.name for i in session.get_inputs()]
    return name, session.run(None, {name: x})[0]


def bpviz_output(graph, x):
    """The value bpviz computes for the exported output (targets fed with valid labels:
    class 0, or +1 for the regression and hinge losses)."""
    feeds = {"x": x}
    for nid in graph.inputs():
        if nid != "x":
            kind = np.int64 if graph.nodes[nid].attrs.get("dtype") == "int64" else np.float32
            feeds[nid] = np.ones((len(x), *graph.shape(nid)[1:]), kind) * (kind != np.int64)
    graph.forward(feeds)
    return graph.value(model_output(graph))


@pytest.mark.parametrize("name", EXAMPLES)
def test_exported_graph_runs_in_onnxruntime_with_bpviz_outputs(name, tmp_path):
    graph = as_float32(load_graph(example_path(name)))
    save_onnx(graph, tmp_path / "m.onnx")
    x = np.random.default_rng(1).standard_normal((4, *graph.shape("x")[1:]), np.float32)
    input_name, got = run_onnx(tmp_path / "m.onnx", x)
    assert input_name == "x" and got.dtype == np.float32
    np.testing.assert_allclose(got, bpviz_output(graph, x), rtol=1e-4, atol=1e-5)


def test_round_trip_through_onnx_keeps_the_numbers(tmp_path):
    graph = load_graph(example_path("shapes_cnn"))
    save_onnx(graph, tmp_path / "m.onnx")
    again = load_onnx(tmp_path / "m.onnx", loss="CrossEntropyLoss")
    x = np.random.default_rng(2).standard_normal((3, *graph.shape("x")[1:]))
    want = bpviz_output(graph, x)
    assert again.forward({"x": x, "target": np.zeros(3, np.int64)}) is not None
    np.testing.assert_allclose(again.value(again.nodes["loss"].inputs[0]), want, rtol=1e-12)


def test_graph_with_two_ends_and_no_loss_is_refused(tmp_path):
    from bpviz.core.network.graph import Graph, Node
    from bpviz.interop import ConvertError
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [2]}))
    graph.add_node(Node("a", "ReLU", {}, ["x"]))
    graph.add_node(Node("b", "Tanh", {}, ["x"]))
    with pytest.raises(ConvertError, match="2 end nodes"):
        save_onnx(graph, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
