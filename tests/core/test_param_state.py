"""Weights drawn ahead in a thread, a graph's parameters kept and given back, and an example
opened again without reading it: each gives exactly what the plain way gives."""
import threading

import numpy as np

from bpviz.core import load_graph
from bpviz.core.classroom import DRAW_AHEAD, Classroom
from bpviz.paths import example_path


def all_params(graph) -> dict:
    return {(nid, p): graph.param(nid, p) for nid in graph.order
            for p in graph.param_names(nid)}


def test_weights_drawn_ahead_are_the_ones_a_run_draws():
    plain, ahead = load_graph(example_path("tiny_cnn")), load_graph(example_path("tiny_cnn"))
    ahead.analyze()
    ahead.draw_params_ahead()
    assert ahead.params_to_draw() == plain.params_to_draw() > 0
    for key, value in all_params(plain).items():
        np.testing.assert_array_equal(ahead.param(*key), value)
        assert ahead.param(*key).dtype == value.dtype
    assert ahead.params_to_draw() == 0


def test_weights_drawn_ahead_for_an_edited_node_are_drawn_again():
    g = load_graph(example_path("spirals_mlp"))
    g.analyze()
    g.draw_params_ahead()
    g.set_attrs("fc1", {**g.nodes["fc1"].attrs, "out_features": 7})
    assert g.param("fc1", "weight").shape == (7, 2)


def test_drawing_stops_when_asked_between_nodes():
    g = load_graph(example_path("tiny_cnn"))
    g.analyze()
    g.draw_params_ahead(stop=lambda: True)
    assert g._drawn_ahead == {}


def test_a_big_graph_is_drawn_in_the_background_and_the_thread_ends_on_close():
    c = Classroom(load_graph(example_path("alexnet")))
    assert c.graph.params_to_draw() >= DRAW_AHEAD
    assert any(t.name == "bpviz-draw-params" for t in threading.enumerate())
    c.close()
    assert not any(t.name == "bpviz-draw-params" for t in threading.enumerate())


def test_param_state_comes_back_after_an_optimizer_step():
    c = Classroom(load_graph(example_path("spirals_mlp")))
    c.step()
    state = c.graph.param_state()
    before = {k: v.copy() for k, v in all_params(c.graph).items()}
    c.apply_optimizer_step()
    assert not np.array_equal(c.graph.param("fc1", "weight"), before["fc1", "weight"])
    c.graph.set_param_state(state)
    for key, value in before.items():
        np.testing.assert_array_equal(c.graph.param(*key), value)


def test_reopening_an_example_gives_what_reading_it_again_gives():
    """Lesson 8 opens AlexNet twice; the second open reuses the untouched graph."""
    fresh = Classroom(load_graph(example_path("spirals_mlp")))
    reused = Classroom(load_graph(example_path("spirals_mlp")))
    reused.use_builtin("blobs")
    reused.set_train_mode(True)
    reused.step_to("loss", "backward")
    reused.reopen()
    assert reused.stepper is None and reused.data.source == fresh.data.source
    for c in (fresh, reused):
        c.step_to("loss", "backward")
    np.testing.assert_array_equal(reused.current.output, fresh.current.output)
