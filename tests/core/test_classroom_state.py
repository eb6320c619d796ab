"""The Classroom's state as its views find it: a fresh one, one held change, graph edits,
the data chosen, the weights drawn ahead for a big graph, a graph opened again."""
import threading

import numpy as np
import pytest

from bpviz.core.classroom import Classroom
from bpviz.core.data.data_source import CSV_SOURCE, MAX_BATCH, DataSource
from bpviz.core.optimization.optim import OptimizerSettings

from .classroom_graphs import (
    SIGNALS,
    big_graph,
    classroom_of,
    dropout_graph,
    labels_out_of_range,
    recorder,
)


def test_a_fresh_classroom_shows_an_untitled_graph_ready_to_step():
    c = Classroom()
    assert c.graph.name == "untitled"                 # the window's title
    assert (c.position, c.reason, c.train_mode) == ("ready: press Space", "", False)
    # nothing set aside (a lesson sets the user's work aside only then), no training data
    # for the Update panel's map and held-out curve yet
    assert (c.aside, c.train_data, c.held_out, c.trainer) == (None, None, None, None)
    c.close()


def test_an_opened_graph_waits_for_the_first_step():
    c = classroom_of("spirals_mlp")
    said = recorder(c)
    assert (c.position, c.steps_taken, c.current) == ("ready: press Space", 0, None)
    c.set_train_mode(False)                           # already so: nothing to follow
    assert said == [] and c.train_mode is False


def test_a_held_change_reaches_the_views_once_at_its_end_with_the_last_values():
    c = classroom_of("spirals_mlp")
    other = classroom_of("spirals_mlp").graph
    said = recorder(c)
    told = []
    c.message.connect(told.append)
    with c.held():
        c.set_graph(other)
        c.set_optimizer("SGD", {"lr": 0.2})
        c.apply_optimizer_step()
        c.set_batch(4)
        c.set_sample(2)
        c.set_sample(1)
        c.step()
        c.ensure_trainer()
        c.use_builtin("shapes")                       # 16x16 images for a 2-D input
        c.step()
        assert said == []                             # held, all of it
        assert told == [f"Cannot step: {c.reason}"]   # a message is said at once
    assert [name for name, _ in said] == ["graph_replaced", "optimizer_changed",
                                          "params_changed", "sample_changed",
                                          "data_changed", "stepped", "trainer_reset",
                                          "reason_changed"]
    args = dict(said)
    assert args["graph_replaced"] == (other,) and args["sample_changed"] == (1,)
    assert args["optimizer_changed"] == (OptimizerSettings("SGD", {"lr": 0.2}),)
    assert args["reason_changed"] == (c.reason,) and "'shapes'" in c.reason
    assert args["stepped"] == (None,)
    assert set(args) == set(SIGNALS)


def test_moving_a_node_keeps_the_step_and_any_other_edit_starts_again():
    c = classroom_of("spirals_mlp")
    c.apply_optimizer_step()
    c.step_to("fc2", "forward")
    trainer = c.trainer
    c.graph.move_node("fc2", (10, 20))
    assert c.current.node == "fc2" and c.trainer is trainer
    said = recorder(c)
    c.graph.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    assert (c.current, c.trainer) == (None, None)
    assert ("stepped", (None,)) in said and ("trainer_reset", ()) in said


def test_edits_of_a_graph_no_longer_shown_leave_the_shown_one_alone():
    c = classroom_of("spirals_mlp")
    old = c.graph
    c.set_graph(classroom_of("spirals_mlp").graph)
    c.step()
    old.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    assert c.steps_taken == 1


def test_a_big_graph_has_its_weights_drawn_in_a_named_thread_while_it_is_shown():
    graph = big_graph()
    calls = []

    def draw(stop):                                   # in place of the 2,000,000 draws
        calls.append((threading.current_thread().name, stop()))
    graph.draw_params_ahead = draw
    c = Classroom(graph)
    c.close()                                         # waits for the thread
    assert calls == [("bpviz-draw-params", False)]    # named for a hang's stack dump


def test_a_graph_opened_again_draws_the_dropout_masks_it_drew_when_first_opened():
    c = Classroom(dropout_graph())
    c.set_train_mode(True)
    first = c.step_to("drop", "forward").output.copy()
    weights = c.graph.param("fc", "weight").copy()
    c.new_batch()
    c.set_batch_seed(0)
    assert not np.array_equal(c.step_to("drop", "forward").output, first)   # drawn on
    c.reopen()
    assert c.graph.name == "made here" and c.train_mode
    np.testing.assert_array_equal(c.graph.param("fc", "weight"), weights)
    np.testing.assert_array_equal(c.step_to("drop", "forward").output, first)


def test_data_read_from_a_file_feeds_the_graph():
    c = classroom_of("spirals_mlp")
    c.set_sample(7)
    data = labels_out_of_range()
    said = recorder(c)
    c.use_dataset(data, CSV_SOURCE, "/data/points.csv")
    d = c.data
    assert (d.source, d.dataset, d.file, d.sample) == (CSV_SOURCE, data, "/data/points.csv", 7)
    assert said == [("data_changed", ())]
    x, _ = c.feeds().values()
    assert set(map(tuple, x)) <= set(map(tuple, data.x))


def test_the_sample_shown_stays_in_a_smaller_data_set():
    c = classroom_of("spirals_mlp")
    c.set_sample(7)
    small = labels_out_of_range()
    three = type(small)("three", small.x[:3], small.y[:3], small.classes)
    c.use_dataset(three, CSV_SOURCE, "three.csv")
    assert (c.data.samples, c.data.sample) == (3, 2)


@pytest.mark.parametrize("size", [1, 2, MAX_BATCH])
def test_every_batch_size_from_1_to_the_most_is_taken(size):
    c = classroom_of("spirals_mlp")
    c.set_batch(size)
    assert c.data.batch == size


@pytest.mark.parametrize("size", [0, -3, MAX_BATCH + 1, 2.0])
def test_a_batch_size_out_of_bounds_is_refused_naming_it(size):
    c = classroom_of("spirals_mlp")
    with pytest.raises(ValueError, match=f"1 to {MAX_BATCH:,}, got {size!r}$"):
        c.set_batch(size)
    assert c.data.batch == 8


def test_a_sample_outside_the_batch_is_named():
    c = classroom_of("spirals_mlp")
    with pytest.raises(ValueError, match=r"^sample 8 is not in the batch \(samples 0 to 7\)"):
        c.set_sample(8)


def test_the_inspector_learns_the_class_names_and_the_true_class_of_each_sample():
    c = classroom_of("spirals_mlp")
    context = c.lecture_context()
    _, labels = c.feeds().values()
    assert context.classes == ["arm 0", "arm 1", "arm 2"] and context.image_shape == (2,)
    assert "fc3" in context.class_nodes
    assert context.targets == tuple(labels) and len(labels) == 8
    c.replace_data(DataSource())                      # no data chosen
    assert c.lecture_context().targets == () and c.lecture_context().image_shape == (2,)


def test_built_in_images_are_sized_to_the_graph_when_opened_and_when_chosen():
    c = classroom_of("tiny_cnn")                      # takes 1x6x6 images
    assert (c.data.source, c.data.dataset.x.shape[1:], c.problem()) == ("shapes",
                                                                        (1, 6, 6), "")
    c.use_builtin("spirals")
    assert c.problem() != ""
    c.use_builtin("shapes")
    assert (c.data.dataset.x.shape[1:], c.problem()) == ((1, 6, 6), "")
