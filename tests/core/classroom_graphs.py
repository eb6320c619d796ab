"""Small graphs and data sets that put a Classroom where the examples do not: dropout masks,
a graph of only Inputs, one just big enough to draw its weights ahead, labels the loss
refuses."""
import numpy as np

from bpviz.core import load_graph
from bpviz.core.classroom import DRAW_AHEAD, Classroom
from bpviz.core.data import datasets as ds
from bpviz.core.network.graph import Graph
from bpviz.paths import example_path

X = {"id": "x", "op": "Input", "attrs": {"shape": [2], "dtype": "float64"}, "inputs": []}
T = {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []}
SIGNALS = ("graph_replaced", "data_changed", "sample_changed", "stepped", "reason_changed",
           "optimizer_changed", "trainer_reset", "params_changed")


def classroom_of(name: str, **caps) -> Classroom:
    return Classroom(load_graph(example_path(name)), **caps)


def graph_of(nodes: list, name: str = "made here") -> Graph:
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "name": name, "seed": 3,
                            "nodes": nodes})


def linear(nid: str, source: str, n_in: int, n_out: int) -> dict:
    return {"id": nid, "op": "Linear", "attrs": {"in_features": n_in, "out_features": n_out},
            "inputs": [source]}


def dropout_graph() -> Graph:
    """x (2) -> fc (16) -> Dropout(p=0.5) -> out (3 classes) -> cross-entropy with t."""
    return graph_of([X, T, linear("fc", "x", 2, 16),
                     {"id": "drop", "op": "Dropout", "attrs": {"p": 0.5}, "inputs": ["fc"]},
                     linear("out", "drop", 16, 3),
                     {"id": "loss", "op": "CrossEntropyLoss", "inputs": ["out", "t"]}])


def inputs_only_graph() -> Graph:
    """A data Input and a label Input and nothing to step."""
    return graph_of([X, T])


def big_graph() -> Graph:
    """Exactly DRAW_AHEAD weights to draw: 1,000 x 1,999 and 1,000 biases."""
    graph = graph_of([{"id": "x", "op": "Input", "attrs": {"shape": [1999]}, "inputs": []},
                      linear("fc", "x", 1999, 1000)], name="big")
    assert graph.params_to_draw() == DRAW_AHEAD
    return graph


def labels_out_of_range() -> ds.Dataset:
    """Three class names, but samples labelled 7: it fits a 3-class graph's shapes, and the
    loss refuses the batch when stepping reaches it."""
    y = np.array([0, 1, 2, 7, 0, 1, 2, 7, 1, 1])
    return ds.Dataset("bad labels", np.linspace(-1, 1, 20).reshape(10, 2), y,
                      ["a", "b", "c"])


def recorder(classroom: Classroom) -> list:
    """(signal, its arguments) in the order the views hear them."""
    said: list = []
    for name in SIGNALS:
        getattr(classroom, name).connect(lambda *args, name=name: said.append((name, args)))
    return said
