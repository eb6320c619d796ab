"""Export to PyTorch: the written module gives the engine's loss and gradients."""
import importlib.util

import numpy as np
import pytest
import torch

from bpviz.core import Graph, GraphError, load_graph
from bpviz.core.network.export import export_pytorch, identifiers, to_pytorch_source
from bpviz.paths import example_path

from ..oracle import compare_with_torch


def import_file(path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["spirals_mlp", "shapes_cnn", "branching", "hinge_vs_ce",
                                  "sigmoid_chain"])
def test_exported_module_gives_the_same_loss_and_gradients(tmp_path, name):
    g = load_graph(example_path(name))
    rng = np.random.default_rng(0)
    shape = (4,) + g.shape("x")[1:]
    classes = g.shape(g.nodes[g.loss_node()].inputs[0])[-1] if name != "hinge_vs_ce" else 3
    feeds = {"x": rng.normal(size=shape), "t": rng.integers(0, classes, 4)}
    trained = rng.normal(size=g.param(g.order[2], "weight").shape)
    g.set_param(g.order[2], "weight", trained)       # a non-seeded parameter too
    loss = g.forward(feeds)
    g.backward()

    source, params = export_pytorch(g, tmp_path / f"{name}.py")
    module = import_file(source)
    net = module.build(params)
    x = torch.from_numpy(feeds["x"]).requires_grad_(True)
    out = net(x, torch.from_numpy(feeds["t"]))
    out.backward()
    np.testing.assert_allclose(out.item(), loss, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), g.grad("x"), rtol=1e-9, atol=1e-14)
    fc = dict(net.named_parameters())
    for nid in g.order:
        for p in g.param_names(nid):
            name_in_module = f"{module.MODULES[nid]}.{p}"
            np.testing.assert_allclose(fc[name_in_module].grad.numpy(), g.param_grad(nid, p),
                                       rtol=1e-9, atol=1e-14)
    compare_with_torch(g, feeds)                      # and every intermediate value


def test_alexnet_exports_to_source_without_allocating():
    g = load_graph(example_path("alexnet"))
    source = to_pytorch_source(g)
    assert "nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2.0)" in source
    assert "nn.Conv2d(in_channels=3, out_channels=96, kernel_size=11, stride=4, padding=2" in source
    compile(source, "alexnet.py", "exec")
    assert g._params == {}


def test_node_ids_cannot_inject_code():
    ids = ["x", "fc 1", "1st", "class", "self", "a-b", "a_b", "é", "__import__('os')"]
    names = identifiers(ids)
    assert len(set(names.values())) == len(ids)
    for name in names.values():
        assert name.isidentifier() and name.isascii()
    assert names["class"] == "n_class" and names["self"] == "n_self"
    spec = {"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "x\nimport os", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
        {"id": "'); os.system('x", "op": "ReLU", "inputs": ["x\nimport os"]}]}
    source = to_pytorch_source(Graph.from_dict(spec))
    assert "\nimport os" not in source.replace("import numpy", "")
    namespace = {}
    exec(compile(source, "<export>", "exec"), namespace)
    out = namespace["build"]()(torch.ones(1, 2), return_all=True)
    assert set(out) == {"x\nimport os", "'); os.system('x"}


def test_export_to_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(GraphError, match="cannot export"):
        export_pytorch(load_graph(example_path("spirals_mlp")), tmp_path / "no" / "m.py")


def test_a_float32_graph_takes_float64_data(tmp_path):
    """numpy's default float64 fed to a float32 graph's module: cast, as bpviz's own forward
    does (torch alone refuses: 'mat1 and mat2 must have the same dtype'); the class indices
    stay integers."""
    import json
    spec = json.loads(example_path("spirals_mlp").read_text())
    next(n for n in spec["nodes"] if n["id"] == "x")["attrs"]["dtype"] = "float32"
    g = Graph.from_dict(spec)
    assert g.float_dtype() == np.float32
    rng = np.random.default_rng(1)
    feeds = {"x": rng.normal(size=(4, 2)), "t": rng.integers(0, 3, 4)}
    loss = g.forward(feeds)
    source, params = export_pytorch(g, tmp_path / "f32.py")
    net = import_file(source).build(params)
    assert next(net.parameters()).dtype == torch.float32
    for x in (torch.from_numpy(feeds["x"]), feeds["x"], feeds["x"].tolist()):
        out = net(x, torch.from_numpy(feeds["t"]))
        assert out.dtype == torch.float32
        np.testing.assert_allclose(out.item(), loss, rtol=1e-5)
    values = net.double()(feeds["x"].astype(np.float32), feeds["t"], return_all=True)
    assert values["x"].dtype == torch.float64 and values["t"].dtype == torch.int64
