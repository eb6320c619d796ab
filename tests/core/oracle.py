"""torch as the test oracle: run a bpviz graph and its exported nn.Module side by side."""
from __future__ import annotations

import numpy as np

from bpviz.core import Graph
from bpviz.core.network.export import param_arrays, to_pytorch_source

BATCH = 3


def make_feed(spec, rng, batch=BATCH):
    """An array for one input spec: a shape tuple (normal floats) or (kind, shape, arg)."""
    if isinstance(spec, tuple) and spec and isinstance(spec[0], str):
        kind, shape, *rest = spec
    else:
        kind, shape, rest = "float", spec, []
    size = (batch,) + tuple(shape)
    if kind == "float":
        return rng.normal(size=size)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, size=size)
    if kind == "int":
        return rng.integers(0, rest[0], size=size)
    if kind == "pm1":
        return rng.choice([-1.0, 1.0], size=size)
    if kind == "prob":
        p = rng.uniform(0.1, 1.0, size=size)
        return p / p.sum(axis=-1, keepdims=True)
    raise ValueError(kind)


def input_node(i, spec):
    kind = spec[0] if isinstance(spec, tuple) and spec and isinstance(spec[0], str) else "float"
    shape = spec[1] if kind != "float" else spec
    dtype = "int64" if kind == "int" else "float64"
    return {"id": f"in{i}", "op": "Input", "attrs": {"shape": list(shape), "dtype": dtype},
            "inputs": []}


def case_graph(op, attrs, inputs, seed=0):
    """Inputs -> op, then (unless the op is a loss) loss = sum(op * w) with a random w."""
    nodes = [input_node(i, s) for i, s in enumerate(inputs)]
    nodes.append({"id": "op", "op": op, "attrs": attrs,
                  "inputs": [f"in{i}" for i in range(len(inputs))]})
    spec = {"format": "bpviz.graph", "version": 1, "seed": seed, "nodes": nodes}
    graph = Graph.from_dict(spec)
    shape = graph.shape("op")
    if shape != ():
        nodes += [{"id": "w", "op": "Input", "attrs": {"shape": list(shape[1:])},
                   "inputs": []},
                  {"id": "prod", "op": "Mul", "inputs": ["op", "w"]},
                  {"id": "loss", "op": "Sum", "inputs": ["prod"]}]
        graph = Graph.from_dict(spec)
    return graph


def feeds_for(graph, inputs, rng, batch=BATCH):
    feeds = {f"in{i}": make_feed(s, rng, batch) for i, s in enumerate(inputs)}
    if "w" in graph.nodes:
        feeds["w"] = rng.normal(size=(batch,) + graph.shape("op")[1:])
    return feeds


def torch_module(graph):
    namespace = {}
    exec(compile(to_pytorch_source(graph), "<export>", "exec"), namespace)
    net = namespace["build"]()
    net.load_params(param_arrays(graph))
    return net


def torch_run(graph, feeds, train=False):
    """Values of every node, gradients of float inputs and of parameters, from torch."""
    import torch

    net = torch_module(graph)
    net.train(train)
    tensors = {}
    for nid in graph.inputs():
        t = torch.from_numpy(np.array(feeds[nid]))
        if t.is_floating_point():
            t.requires_grad_(True)
        tensors[nid] = t
    values = net(*[tensors[n] for n in graph.inputs()], return_all=True)
    loss = values[graph.loss_node()]
    loss.backward()
    input_grads = {n: t.grad.numpy() for n, t in tensors.items() if t.grad is not None}
    modules = {name: mod for name, mod in net.named_children()}
    from bpviz.core.network.export import identifiers
    names = identifiers(graph.nodes)
    param_grads = {}
    for nid in graph.order:
        for p in graph.param_names(nid):
            param_grads[(nid, p)] = modules[names[nid]].get_parameter(p).grad.numpy()
    return {k: v.detach().numpy() for k, v in values.items()}, input_grads, param_grads


def assert_close(actual, expected, what, rtol=1e-7):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(np.abs(expected).max(initial=0.0), 1e-12)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale * 1e-3,
                               err_msg=what)
    err = np.linalg.norm(actual - expected) / max(np.linalg.norm(expected), 1e-300)
    assert err <= rtol or np.linalg.norm(expected) == 0, f"{what}: relative error {err:.2e}"


def compare_with_torch(graph, feeds, train=False):
    """Assert the engine matches torch.autograd on values and every gradient."""
    loss = graph.forward(feeds, train=train)
    graph.backward()
    values, input_grads, param_grads = torch_run(graph, feeds, train)
    for nid in graph.order:
        assert_close(graph.value(nid), values[nid], f"value of {nid}")
    assert_close(loss, values[graph.loss_node()], "loss")
    for nid, g in input_grads.items():
        assert_close(graph.grad(nid), g, f"dL/d{nid}")
    for (nid, p), g in param_grads.items():
        assert_close(graph.param_grad(nid, p), g, f"dL/d{nid}.{p}")
