"""Engine forward+backward time against torch CPU autograd, same architectures, one process.

    .venv/bin/python benchmarks/engine.py [--repeats 40]

Prints the median time of each and the ratio engine / torch (goal: MLP <= 1.5, CNN <= 3).
Both run in float32 on all cores; runs are interleaved so that machine noise hits both.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

from bpviz.core import Graph
from bpviz.core.export import param_arrays, to_pytorch_source


def node(id, op, inputs=(), **attrs):
    return {"id": id, "op": op, "attrs": attrs, "inputs": list(inputs)}


def graph(nodes) -> Graph:
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes})


def mlp() -> Graph:
    return graph([node("x", "Input", shape=[784], dtype="float32"),
                  node("t", "Input", shape=[], dtype="int64"),
                  node("fc1", "Linear", ["x"], in_features=784, out_features=256),
                  node("relu1", "ReLU", ["fc1"]),
                  node("fc2", "Linear", ["relu1"], in_features=256, out_features=256),
                  node("relu2", "ReLU", ["fc2"]),
                  node("fc3", "Linear", ["relu2"], in_features=256, out_features=10),
                  node("loss", "CrossEntropyLoss", ["fc3", "t"])])


def cnn() -> Graph:
    return graph([node("x", "Input", shape=[1, 28, 28], dtype="float32"),
                  node("t", "Input", shape=[], dtype="int64"),
                  node("conv1", "Conv2d", ["x"], in_channels=1, out_channels=16, kernel_size=3),
                  node("relu1", "ReLU", ["conv1"]),
                  node("pool1", "MaxPool2d", ["relu1"], kernel_size=2),
                  node("conv2", "Conv2d", ["pool1"], in_channels=16, out_channels=32,
                       kernel_size=3),
                  node("relu2", "ReLU", ["conv2"]),
                  node("pool2", "MaxPool2d", ["relu2"], kernel_size=2),
                  node("flat", "Flatten", ["pool2"]),
                  node("fc", "Linear", ["flat"], in_features=800, out_features=10),
                  node("loss", "CrossEntropyLoss", ["fc", "t"])])


def torch_net(g: Graph):
    namespace: dict = {}
    exec(compile(to_pytorch_source(g), "<export>", "exec"), namespace)
    net = namespace["build"]()
    net.load_params(param_arrays(g))
    return net


def bench(name: str, g: Graph, batch: int, repeats: int) -> dict:
    import torch

    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch,) + g.shape("x")[1:]).astype(np.float32)
    t = rng.integers(0, 10, batch)
    feeds = {"x": x, "t": t}
    net = torch_net(g)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)

    def engine_step():
        g.forward(feeds, train=True)
        g.backward()

    def torch_step():
        net.zero_grad(set_to_none=True)
        net(tx, tt).backward()

    # same numbers before timing anything
    g.forward(feeds)
    with torch.no_grad():
        assert abs(float(g.value("loss")) - net(tx, tt).item()) < 1e-4, name
    for _ in range(5):
        engine_step()
        torch_step()
    ours, theirs = [], []
    for _ in range(repeats):
        for fn, out in ((engine_step, ours), (torch_step, theirs)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    e, t_ = statistics.median(ours), statistics.median(theirs)
    return {"model": name, "batch": batch, "engine_ms": round(e * 1e3, 3),
            "torch_ms": round(t_ * 1e3, 3), "ratio": round(e / t_, 2)}


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    results = [bench("MLP 784-256-256-10", mlp(), 128, args.repeats),
               bench("CNN conv16-pool-conv32-pool-fc10", cnn(), 64, args.repeats)]
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"torch {torch.__version__} threads={torch.get_num_threads()}, numpy {np.__version__}")
    for r in results:
        print(f"{r['model']:<36} batch {r['batch']:>3}  engine {r['engine_ms']:8.2f} ms  "
              f"torch {r['torch_ms']:8.2f} ms  ratio {r['ratio']:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
