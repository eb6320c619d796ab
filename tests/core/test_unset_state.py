"""State that may not be there yet (gradients before a backward pass, a trainer before a
graph...): used too early, each gives one clear GraphError, not an AttributeError on None
(the checks mypy asked for, issue 22)."""
import numpy as np
import pytest

from bpviz.core import Graph, GraphError, Stepper
from bpviz.core.data import datasets
from bpviz.core.data.data_source import DataSource
from bpviz.core.errors import DataError

from .network.test_graph import classifier, feeds


def test_backprop_node_before_the_backward_pass_starts_says_so():
    g = Graph.from_dict(classifier())
    g.forward(feeds())
    with pytest.raises(GraphError, match="no gradients yet: start_backward"):
        g.backprop_node("loss")
    g.start_backward()
    dins, _ = g.backprop_node("loss")
    assert dins[0].shape == (5, 3)


def test_a_partial_gradient_state_after_a_new_forward_says_they_were_reset():
    g = Graph.from_dict(classifier())
    g.forward(feeds())
    g.start_backward()
    g.backprop_node("loss")
    before = g.grad_state("fc")
    g.backprop_node("fc")
    g.restore_grad_state(before)                  # the stepper's undo: fine
    assert np.all(g.grad("x") == 0)
    g.forward(feeds(seed=1))                      # the gradients are gone now
    with pytest.raises(GraphError, match="reset since this state was taken"):
        g.restore_grad_state(before)


def test_the_jacobian_of_class_labels_read_whole_says_they_have_no_gradient():
    g = Graph.from_dict(classifier())
    stepper = Stepper(g, feeds())
    event = stepper.run_phase()                          # forward
    event = stepper.step()                               # the loss, backward
    labels = event.lazy_jacobian["target"]
    assert not labels.available and labels.computed(0) is None
    with pytest.raises(GraphError, match="integer values .* have no gradient"):
        labels.dense()
    assert event.lazy_jacobian["input"].dense().shape == (1, 3)


def test_a_batch_before_any_data_is_chosen_says_to_choose_data():
    source = DataSource()
    assert source.samples == 1 and source.problem(Graph()) == "no data: choose a dataset"
    with pytest.raises(DataError, match="no data: choose a dataset"):
        source.current_batch()
    source.dataset = datasets.moons(n=20)
    x, y = source.current_batch()
    assert x.shape == (8, 2) and y.shape == (8,)
