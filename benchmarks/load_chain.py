"""Time to load, analyze and step through a long chain (the cost must grow linearly).

    .venv/bin/python benchmarks/load_chain.py [--sizes 4000 8000 20000] [--step]

Writes a chain file of each size (Input -> Linear -> Tanh -> Linear -> ... -> MSELoss, node
positions included), then times ``load_graph`` (parse, build, analyze), the loss lookup,
and with ``--step`` a whole forward and backward pass through ``Stepper``.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bpviz.core import Stepper, load_graph


def chain_spec(count: int) -> dict:
    """A valid chain of about ``count`` nodes: 2 Inputs, Linear/Tanh pairs, one loss."""
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
             {"id": "t", "op": "Input", "attrs": {"shape": [2]}, "inputs": []}]
    prev = "x"
    for i in range((count - 3) // 2):
        nodes.append({"id": f"fc{i}", "op": "Linear",
                      "attrs": {"in_features": 2, "out_features": 2}, "inputs": [prev]})
        nodes.append({"id": f"tanh{i}", "op": "Tanh", "inputs": [f"fc{i}"]})
        prev = f"tanh{i}"
    nodes.append({"id": "loss", "op": "MSELoss", "inputs": [prev, "t"]})
    ui = {n["id"]: {"pos": [float(k * 10), 0.0]} for k, n in enumerate(nodes)}
    return {"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes, "ui": ui}


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 8000, 20000])
    parser.add_argument("--step", action="store_true", help="also step forward and backward")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"chain{size}.bpviz.json"
            path.write_text(json.dumps(chain_spec(size)))
            load_s, g = timed(lambda: load_graph(path))
            loss_s, _ = timed(g.loss_node)
            line = f"{len(g.nodes):6d} nodes: load {load_s:6.2f} s, loss lookup {loss_s:6.3f} s"
            if args.step:
                feeds = {"x": np.ones((1, 2)), "t": np.zeros((1, 2))}
                stepper = Stepper(g, feeds)
                step_s, _ = timed(lambda: [None for _ in iter(stepper.step, None)])
                line += f", {len(stepper.history)} steps {step_s:6.2f} s"
            print(line, flush=True)


if __name__ == "__main__":
    main()
