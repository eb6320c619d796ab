"""What Update & Train draws is what the trainer computed: the train curve per step and the
held-out curve at each check, the last held-out point being the status line's loss."""
import numpy as np

from bpviz.paths import example_path


def trained(qtbot, window, steps: int):
    window.document.open_example(example_path("spirals_mlp"))
    window.show_training()
    panel = window.training.panel
    panel.train(steps)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    return panel, window.classroom.trainer


def test_the_held_out_curve_is_drawn_at_each_check(qtbot, window):
    panel, trainer = trained(qtbot, window, 4)
    assert trainer.steps == 4
    xs, ys = panel.test_curve.getData()
    assert xs is not None and len(xs) == len(trainer.held_out_history) >= 1
    steps, losses = zip(*trainer.held_out_history, strict=True)
    np.testing.assert_array_equal(xs, steps)
    np.testing.assert_allclose(ys, losses)
    assert xs[-1] == 4                                    # checked after the last step
    loss, _ = trainer.evaluate(window.classroom.held_out)
    np.testing.assert_allclose(ys[-1], loss, rtol=1e-12)
    assert f"held-out loss {loss:.4f}" in panel.status.text()


def test_the_train_curve_has_one_point_per_step(qtbot, window):
    panel, trainer = trained(qtbot, window, 3)
    xs, ys = panel.train_curve.getData()
    assert len(xs) == len(ys) == 3
    np.testing.assert_allclose(ys, [record.loss for record in trainer.history])


def test_a_new_run_lets_go_of_the_last_runs_zoom(qtbot, window):
    """Issue 20 (6.8): a lone point at 1.13 was drawn on a y axis of −20…40 (pyqtgraph
    centres one value in the span the axis had); then training draws its whole curve."""
    panel, _ = trained(qtbot, window, 1)
    vb = panel.loss_plot.getPlotItem().vb
    vb.setYRange(-20, 40)                                 # a pan/zoom by the user
    panel.loss.clear()
    panel.loss.set_point(0, 1.13)
    qtbot.wait(50)
    lo, hi = vb.viewRange()[1]
    assert lo < 1.13 < hi and hi - lo < 5
    panel.loss.show_training(([0, 1, 2], [9.0, 5.0, 1.0]), ([], []))
    qtbot.wait(50)
    lo, hi = vb.viewRange()[1]
    assert lo <= 1.0 and hi >= 9.0
