"""Found by the fault trials: a session whose graph's Input has a shape that is no list
(a half-built graph opens unchecked) raised TypeError out of Classroom.set_graph into Qt,
and the user's graph was not kept. A shape that is not a list of sizes is no shape."""
import json

import pytest

from bpviz.core.classroom import Classroom
from bpviz.core.data import datasets as ds
from bpviz.core.data.data_source import default_for, fit_dataset, input_shape
from bpviz.core.network.graph import Graph
from bpviz.paths import example_path


@pytest.mark.parametrize("shape", [7, "2", None, [2.5], [[2]], {"a": 1}])
def test_an_input_shape_that_is_no_list_of_sizes_is_no_shape(shape):
    spec = json.loads(example_path("spirals_mlp").read_text())
    x = next(n for n in spec["nodes"] if n["op"] == "Input")
    x.setdefault("attrs", {})["shape"] = shape
    graph = Graph.from_dict(spec, check=False)
    assert input_shape(graph) is None
    assert default_for(graph) in ("spirals", "moons")
    assert "no valid shape" in fit_dataset(ds.spirals(), graph)
    Classroom().set_graph(graph)            # raised TypeError: 'int' object is not iterable
