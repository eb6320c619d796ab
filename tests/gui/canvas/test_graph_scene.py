"""Model -> view: the scene builds itself from the graph, then follows its events."""
import pytest
import shiboken6

from bpviz.core import Node, load_graph
from bpviz.gui.canvas.graph_scene import GraphScene
from bpviz.gui.theme import LIGHT
from bpviz.paths import example_path


@pytest.fixture
def scene(qtbot):
    graph = load_graph(example_path("spirals_mlp"))
    scene = GraphScene(graph, LIGHT)
    yield scene
    shiboken6.delete(scene)          # before the QApplication goes, not at interpreter exit


def test_scene_builds_items_from_the_model(scene):
    g = scene.graph
    assert set(scene.nodes) == set(g.nodes)
    assert set(scene.edges) == {(nid, slot) for nid, n in g.nodes.items()
                                for slot, src in enumerate(n.inputs)}
    assert scene.nodes["fc1"].summary == "2 → 64"
    assert scene.nodes["fc1"].out_shape == ("N", 64)
    assert scene.edges[("relu1", 0)].label == "N×64"
    assert scene.nodes["loss"].out_shape == () and scene.nodes["loss"].problem is None


def test_scene_follows_model_changes(scene):
    g = scene.graph
    g.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    assert scene.nodes["fc2"].summary == "64 → 32"
    assert scene.edges[("relu2", 0)].label == "N×32"
    assert "in_features is 64" in scene.nodes["fc3"].problem       # shown in red
    assert "in_features is 64" in scene.nodes["fc3"].toolTip()
    g.add_node(Node("extra", "Tanh", {}, ["relu1"], {"pos": [5, 7]}))
    assert scene.nodes["extra"].pos().x() == 5 and ("extra", 0) in scene.edges
    g.set_input("extra", 0, "fc2")
    assert scene.edges[("extra", 0)].src == "fc2"
    removed = g.remove_node("relu2")
    assert "relu2" not in scene.nodes and ("relu2", 0) not in scene.edges
    assert ("fc3", 0) not in scene.edges
    assert "not connected" in scene.nodes["fc3"].problem
    g.restore_node(removed)
    assert scene.edges[("fc3", 0)].src == "relu2"
    g.move_node("fc1", (100, 50))
    assert (scene.nodes["fc1"].pos().x(), scene.nodes["fc1"].pos().y()) == (100, 50)


def test_edges_follow_moved_nodes(scene):
    edge = scene.edges[("relu1", 0)]
    before = edge.path().pointAtPercent(0)
    scene.graph.move_node("fc1", (400, 300))
    after = edge.path().pointAtPercent(0)
    assert after != before
    item = scene.nodes["fc1"]
    assert after == item.mapToScene(item.output_port())
