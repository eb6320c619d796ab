"""View ▸ Gradient Flow: per-layer gradient magnitudes for the stepped batch and over the
optimizer steps; the sigmoid chain's vanishing gradient is said in words and drawn."""
import numpy as np
import pytest

from bpviz.core.backprop.gradient_flow import gradient_flow
from bpviz.paths import example_path

from ..menus import menu_action


@pytest.fixture
def flow(window, qtbot):
    window.open_example(example_path("sigmoid_chain"))
    menu_action(window, "&View", "&Gradient Flow").trigger()
    dock = window.gradient_flow_dock
    qtbot.waitUntil(dock.isVisible)
    return dock.widget()


def run_backward(window, qtbot):
    run = menu_action(window, "&Step", "Run to End of Phase")
    run.trigger()                                     # forward
    run.trigger()                                     # backward
    qtbot.waitUntil(lambda: window.classroom.gradients_ready)


def test_stepped_backward_shows_the_vanishing_gradient(window, qtbot, flow):
    assert "Step a batch" in flow.summary.text()
    run_backward(window, qtbot)
    qtbot.waitUntil(lambda: len(flow.flows) == 9)
    y = flow.curves["weight"].yData                   # as given (getData: log10 of it)
    want = [f.weight for f in gradient_flow(window.classroom.graph)]
    np.testing.assert_allclose(y, want)                # drawn as computed, log axis
    assert y[0] < 1e-4 * y[-1]
    assert "Vanishing gradient: fc1" in flow.summary.text()
    ticks = flow.batch_plot.getAxis("bottom")._tickLevels[0]
    assert [name for _, name in ticks][::8] == ["fc1", "out"]


def test_optimizer_steps_add_points_per_layer_and_a_new_graph_clears_them(window, qtbot, flow):
    step = menu_action(window, "&Step", "Apply One Optimizer Step")
    for _ in range(3):
        step.trigger()
    qtbot.waitUntil(lambda: len(flow.history.steps) == 3)
    steps, values = flow.step_curves["fc1"].xData, flow.step_curves["fc1"].yData
    assert list(steps) == [1.0, 2.0, 3.0] and np.all(values > 0)
    assert set(flow.step_curves) == {f"fc{i}" for i in range(1, 9)} | {"out"}
    window.open_example(example_path("tiny_cnn"))
    assert flow.history.steps == [] and flow.step_curves == {}
    assert "Step a batch" in flow.summary.text()


def test_view_menu_shows_the_same_dock_again_after_closing(window, qtbot, flow):
    window.gradient_flow_dock.close()
    menu_action(window, "&View", "&Gradient Flow").trigger()
    assert window.gradient_flow_dock.widget() is flow and window.gradient_flow_dock.isVisible()


def test_histograms_of_the_picked_layer_follow_the_backward_pass(window, qtbot, flow):
    from bpviz.core.backprop.gradient_flow import histogram

    from ..acting import choose
    flow.pages.setCurrentWidget(flow.histograms)
    hist = flow.histograms
    assert [hist.layer.itemText(i) for i in (0, hist.layer.count() - 1)] == ["fc1", "out"]
    choose(hist.layer, "fc8")
    run_backward(window, qtbot)
    qtbot.waitUntil(lambda: len(hist.curves["gradients"].yData) > 1)
    graph = window.classroom.graph
    _, counts = histogram(graph.param_grad("fc8", "weight"), log_magnitude=True)
    np.testing.assert_array_equal(hist.curves["gradients"].yData, counts)
    assert hist.curves["weights"].yData.sum() == graph.param("fc8", "weight").size


def test_deleting_a_layer_while_shown_breaks_nothing(window, qtbot, flow):
    from PySide6.QtCore import Qt
    flow.pages.setCurrentWidget(flow.histograms)
    run_backward(window, qtbot)
    window.editor.select(["fc1"])
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Delete)    # the graph is now broken
    qtbot.wait(2 * 50)
    assert "fc1" not in window.classroom.graph.nodes
    assert flow.flows == [] and "Step a batch" in flow.summary.text()
    assert "fc1" not in [flow.histograms.layer.itemText(i)
                         for i in range(flow.histograms.layer.count())]


def test_optimizer_steps_with_a_rate_too_large_show_the_gradient_exploding(window, qtbot):
    from ..acting import type_into
    window.open_example(example_path("spirals_mlp"))
    menu_action(window, "&View", "&Gradient Flow").trigger()
    flow = window.gradient_flow_dock.widget()
    window.show_training()
    type_into(qtbot, window.training.panel.optim_form.fields["lr"], "30")
    step = menu_action(window, "&Step", "Apply One Optimizer Step")
    for _ in range(3):
        step.trigger()
    qtbot.waitUntil(lambda: len(flow.history.steps) == 3)
    first = flow.step_curves[flow.history.nodes()[0]]
    assert list(first.xData) == [1, 2, 3]
    assert first.yData[-1] > 1e3 * first.yData[0]          # decades up, step after step
    step.trigger()                                         # the loss overflows: nan
    qtbot.waitUntil(lambda: len(flow.history.steps) == 4)
    assert "lower the learning rate" in flow.summary.text()
    assert np.isnan(first.yData[-1])                       # a gap in the curve
