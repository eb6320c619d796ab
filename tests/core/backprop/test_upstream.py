"""The layers with weights upstream of a node, nearest first (the chain-rule view's offer
for a node without weights)."""
from bpviz.core import load_graph
from bpviz.core.backprop.upstream import weighted_before
from bpviz.paths import example_path


def test_the_weighted_layers_before_a_node_nearest_first_or_all_for_an_input():
    graph = load_graph(example_path("spirals_mlp"))
    assert weighted_before(graph, "relu1") == [("fc1", "weight"), ("fc1", "bias")]
    before_loss = weighted_before(graph, graph.loss_node())
    assert before_loss[0][0] == "fc3" and ("fc1", "weight") in before_loss
    assert weighted_before(graph, "x") == [(n, p) for n in graph.order
                                          for p in graph.param_names(n)]
