"""Long graphs for tests and benchmarks: a chain of any length, as a graph file."""
from __future__ import annotations


def chain_spec(count: int) -> dict:
    """A valid chain of about ``count`` nodes with positions: x -> Linear -> Tanh -> Linear
    -> ... -> MSELoss(., t)."""
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
