"""Torch models -> torch's ONNX exporter -> bpviz-convert --loss CrossEntropyLoss -> bpviz
stepping in float64: the loss, dL/dx and every weight's gradient equal torch's."""
import numpy as np
import pytest

from bpviz.core.network.graph import load_graph
from bpviz.interop.convert import main

from .models import MODELS, build, export, torch

TORCH_PARAMS = {"Linear": "fc", "Conv2d": "conv"}


_CONVERTED = {}


def converted(name, tmp_path):
    """The model, its example input and its graph file converted with the CLI (each
    model exported once: torch's exporter takes seconds)."""
    if name not in _CONVERTED:
        module, x = build(name)
        export(module, x, tmp_path / "model.onnx")
        out = tmp_path / "model.bpviz.json"
        assert main([str(tmp_path / "model.onnx"), str(out), "--loss",
                     "CrossEntropyLoss"]) == 0
        _CONVERTED[name] = module, x, out
    module, x, out = _CONVERTED[name]
    return module, x, load_graph(out)


def torch_layers(module, kind):
    return [m for m in module if type(m).__name__ == kind]


@pytest.mark.parametrize("name", MODELS)
def test_converted_model_steps_like_torch(name, tmp_path):
    module, x, graph = converted(name, tmp_path)
    labels = torch.tensor([0, 2, 1, 2, 0])
    xt = x.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(module(xt), labels)
    loss.backward()

    ours = graph.forward({"x": x.numpy(), "target": labels.numpy()})
    graph.backward()
    assert graph.float_dtype() == np.float64
    np.testing.assert_allclose(ours, loss.item(), rtol=1e-12)
    np.testing.assert_allclose(graph.grad("x"), xt.grad.numpy(), rtol=1e-9, atol=1e-14)
    for op, prefix in TORCH_PARAMS.items():
        layers = torch_layers(module, op)
        ids = sorted((n for n in graph.nodes if graph.nodes[n].op == op),
                     key=lambda n: int(n[len(prefix):]))
        assert len(ids) == len(layers)
        for nid, layer in zip(ids, layers, strict=True):
            for pname in ("weight", "bias"):
                np.testing.assert_allclose(graph.param(nid, pname),
                                           getattr(layer, pname).detach().numpy())
                np.testing.assert_allclose(graph.param_grad(nid, pname),
                                           getattr(layer, pname).grad.numpy(),
                                           rtol=1e-9, atol=1e-14)


def test_contract_input_name_target_and_layers(tmp_path):
    _, _, graph = converted("alexnet_block", tmp_path)
    ops = [node.op for node in graph.nodes.values()]
    assert ops[:2] == ["Input", "Conv2d"] and graph.inputs() == ["x", "target"]
    assert graph.nodes["target"].attrs == {"shape": [], "dtype": "int64"}
    assert graph.nodes["loss"].op == "CrossEntropyLoss"
    assert "LocalResponseNorm" in ops and "MaxPool2d" in ops
    assert graph.nodes["lrn1"].attrs == {"size": 5, "alpha": 0.01, "beta": 0.75, "k": 2.0}


def test_regression_loss_gets_a_float_target_of_the_output_shape(tmp_path):
    converted("mlp", tmp_path)
    model = _CONVERTED["mlp"][2].with_name("model.onnx")      # exported once, above
    assert main([str(model), str(tmp_path / "g.bpviz.json"), "--loss", "MSELoss"]) == 0
    graph = load_graph(tmp_path / "g.bpviz.json")
    assert graph.nodes["target"].attrs == {"shape": [3], "dtype": "float64"}


def test_torch_model_to_bpviz_to_onnxruntime_matches_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from bpviz.interop.onnx_export import save_onnx

    from .test_onnx_export import as_float32, bpviz_output
    module, x, graph = converted("alexnet_block", tmp_path)
    save_onnx(as_float32(graph), tmp_path / "bpviz.onnx")
    session = ort.InferenceSession(str(tmp_path / "bpviz.onnx"),
                                   providers=["CPUExecutionProvider"])
    x32 = x.numpy().astype(np.float32)
    (got,) = session.run(None, {"x": x32})
    with torch.no_grad():
        want = module(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got, bpviz_output(graph, x32), rtol=1e-4, atol=1e-5)
