"""Stored parameters and attribute edits: an edit that makes a node's weights misfit takes
them away and returns them, so that its undo gives them back (``Graph.set_attrs``)."""
import json

import numpy as np

from bpviz.core import Graph
from bpviz.paths import example_path


def binary_hinge() -> Graph:
    return Graph.from_dict(json.loads(example_path("binary_hinge").read_text()))


def test_set_attrs_takes_the_weights_that_no_longer_fit_and_gives_them_back():
    graph = binary_hinge()
    opened, attrs = graph.to_dict(), dict(graph.nodes["fc"].attrs)
    taken = graph.set_attrs("fc", {**attrs, "out_features": 2})
    graph.analyze()
    assert "params" not in graph.to_dict() and graph.param("fc", "weight").shape == (2, 2)
    graph.set_attrs("fc", attrs, taken)
    graph.analyze()
    assert graph.to_dict() == opened
    assert np.array_equal(graph.param("fc", "weight"), [[1.0, 0.0]])


def test_an_edit_the_weights_still_fit_keeps_them():
    graph = binary_hinge()
    graph.set_param("fc", "weight", np.array([[2.0, 3.0]]))      # trained, say
    assert graph.set_attrs("fc", dict(graph.nodes["fc"].attrs)) is None
    assert np.array_equal(graph.param("fc", "weight"), [[2.0, 3.0]])


def test_weights_a_file_gives_that_its_attributes_refuse_are_dropped_on_opening():
    """Not at the first analysis after some later edit, which undo could not give back."""
    spec = binary_hinge().to_dict()
    spec["nodes"][2]["attrs"]["out_features"] = 3
    spec["nodes"][2]["inputs"] = [None]                     # no shape: never analysed
    assert "params" not in Graph.from_dict(spec, check=False).to_dict()
