"""Editing the model: events, undoable removal, connection rules, lenient loading, layout."""
import json

import numpy as np
import pytest

from bpviz.core import GraphError, Node, load_graph, save_graph
from bpviz.core.network.layout import COLUMN, layered_layout
from bpviz.paths import example_path


def recorder(graph):
    events = []
    graph.changed.connect(lambda kind, nid: events.append((kind, nid)))
    return events


def test_edits_emit_events_and_reinfer():
    g = load_graph(example_path("spirals_mlp"))
    events = recorder(g)
    g.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    assert events == [("attrs", "fc2")]
    assert [p.node for p in g.analyze().problems] == ["fc3"]
    assert "has 32 features but in_features is 64" in str(g.analyze().problems[0])
    nid = g.new_id("Linear")
    assert nid == "linear1"
    g.add_node(Node(nid, "Linear", {"in_features": 32, "out_features": 64}, [None]))
    problems = {p.node: str(p) for p in g.analyze().problems}
    assert "input 'input' is not connected" in problems[nid]
    g.set_input(nid, 0, "fc2")
    g.set_input("fc3", 0, nid)
    assert g.analyze().problems == []
    g.move_node(nid, (10, 20.5))
    assert g.nodes[nid].ui == {"pos": [10.0, 20.5]}
    assert events[-3:] == [("inputs", nid), ("inputs", "fc3"), ("moved", nid)]


def test_remove_and_restore_node_exactly():
    g = load_graph(example_path("branching"))
    w = np.full(g.param("head_a", "weight").shape, 0.5)
    g.set_param("head_a", "weight", w)
    before = g.to_dict()
    events = recorder(g)
    removed = g.remove_node("head_a")
    assert "head_a" not in g.nodes and g.nodes["scores"].inputs == [None, "gate"]
    assert events == [("removed", "head_a"), ("inputs", "scores")]
    g.restore_node(removed)
    assert g.to_dict() == before
    assert np.array_equal(g.param("head_a", "weight"), w)


@pytest.mark.parametrize("src,dst,slot,reason", [
    ("fc1", "fc1", 0, "cannot feed itself"),
    ("relu2", "fc1", 0, "would make a cycle"),
    ("fc3", "x", 0, "has no input number 1"),
    ("fc3", "loss", 2, "has no input number 3"),
    ("nope", "loss", 0, "both ends"),
])
def test_connections_that_can_never_work_are_refused(src, dst, slot, reason):
    g = load_graph(example_path("spirals_mlp"))
    assert reason in g.connection_problem(src, dst, slot)
    with pytest.raises(GraphError, match=reason):
        g.set_input(dst, slot, src)
    assert g.connection_problem("relu1", "fc3", 0) is None     # allowed (shapes will tell)


def test_half_built_graphs_save_and_load_leniently(tmp_path):
    g = load_graph(example_path("spirals_mlp"))
    g.remove_node("relu1")
    path = tmp_path / "half.bpviz.json"
    save_graph(g, path)
    assert json.loads(path.read_text())["nodes"][3]["inputs"] == [None]
    with pytest.raises(GraphError, match="node 'fc2'.*'input' is not connected"):
        load_graph(path)
    h = load_graph(path, check=False)
    assert [p.node for p in h.analyze().problems] == ["fc2"]
    assert h.to_dict() == g.to_dict()


def test_layout_is_left_to_right_and_keeps_layers_apart():
    g = load_graph(example_path("branching"))
    pos = layered_layout({nid: n.inputs for nid, n in g.nodes.items()}, wrap=100)
    for nid, node in g.nodes.items():
        for src in node.inputs:
            assert pos[src][0] < pos[nid][0], (src, nid)
    assert pos["head_a"][0] == pos["head_b"][0] and pos["head_a"][1] != pos["head_b"][1]
    assert pos["t"][0] == pos["loss"][0] - COLUMN              # labels sit by the loss
    chain = layered_layout({f"n{i}": [f"n{i - 1}"] if i else [] for i in range(8)}, wrap=6)
    assert [chain[f"n{i}"][0] for i in range(8)] == [k * COLUMN for k in (0, 1, 2, 3) * 2]
    assert chain["n4"][1] > chain["n3"][1]                    # the second band is below
    cyc = layered_layout({"a": ["b"], "b": ["a"], "c": [None]})
    assert len(set(cyc.values())) == 3


def test_layout_wraps_to_the_canvas_shape():
    """Six layers on a 1.25-wide canvas: two bands of three read larger than one of six."""
    from bpviz.core.network.layout import best_wrap
    assert best_wrap(6, band=260) == 3
    assert best_wrap(1, band=260) == 1
    assert best_wrap(40, band=160) < 40
