"""The Losses and Optimizers tabs driven with qtbot, and the exports."""
import csv

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from bpviz.core.labs import curves
from bpviz.gui.labs.optimizer_lab import RACE_SECONDS, plotted_losses
from bpviz.gui.labs.race_plots import LOSS_PAD
from bpviz.gui.widgets.heatmap import fmt

from ..plot_checks import axis_problems, tick_labels


@pytest.fixture
def losses(window):
    window.tabs.setCurrentIndex(1)
    return window.losses.panel


@pytest.fixture
def optimizers(window):
    window.tabs.setCurrentIndex(2)
    return window.optimizers.panel


def test_lab_tabs_hide_the_editor_docks(window):
    assert window.docks["palette"].isVisible()
    window.tabs.setCurrentIndex(1)
    assert not window.docks["palette"].isVisible()
    window.tabs.setCurrentIndex(0)
    assert window.docks["palette"].isVisible() and window.docks["properties"].isVisible()


def test_curves_come_from_the_engine_and_follow_sliders(losses):
    reg = losses.regression
    huber = reg.items["Huber"][0].getData()[1]
    np.testing.assert_allclose(huber, curves.curve("HuberLoss", reg.xs)[0])
    reg.delta.set_value(2.0)
    huber2 = reg.items["Huber"][0].getData()[1]
    np.testing.assert_allclose(huber2, curves.curve("HuberLoss", reg.xs, delta=2.0)[0])
    assert "δ = 1" in reg.note.text() and "coincide" not in reg.note.text()
    reg.show_derivatives.setChecked(False)
    assert not reg.items["Huber"][1].isVisible()
    cls = losses.classification
    np.testing.assert_allclose(cls.items["hinge"][0].getData()[1], np.maximum(0, 1 - cls.xs))


def test_multiclass_sliders_update_bars_and_values(qtbot, losses):
    mc = losses.multiclass
    mc.logits[3].set_value(1.9)                 # a wrong class close to the true score
    mc.target.setCurrentIndex(0)
    r = curves.multiclass([s.value() for s in mc.logits], 0, mc.margin.value())
    heights = mc.plots["hinge"][1].opts["width"]            # the bars lie down
    np.testing.assert_allclose(heights, r["hinge_grad"])
    assert heights[3] > 0 and heights[0] < 0
    mc.margin.set_value(0.0)
    assert mc.result["hinge_grad"][2] == 0
    assert f"{mc.result['ce']:.4f}" in mc.values.text()


def multiclass_fits(window, qtbot, size):
    """The Multiclass panel at ``size``: every bar plot at least 300 px high, the class
    names on the first plot's axis each whole and none over another, no number on any axis
    over another or cut off, and the window still the size asked for."""
    window.resize(*size)
    window.show_tab("losses")
    lab = window.losses.panel
    lab.setCurrentWidget(lab.multiclass)
    mc = lab.multiclass
    axis = mc.plots["p"][0].getAxis("left")
    qtbot.waitUntil(lambda: window.size().toTuple() == size      # every name, once settled
                    and len(tick_labels(axis)) == len(mc.names))
    for plot, _ in mc.plots.values():
        assert plot.height() >= 300
        assert axis_problems(plot) == []
    names = [text for _, text in tick_labels(axis)]
    assert names == mc.names                            # each on a line of its own, whole
    assert window.size().toTuple() == size


def test_multiclass_layout_fits_normal_and_presentation(qtbot, window):
    multiclass_fits(window, qtbot, (1440, 900))
    window.set_presentation(True)
    window.showNormal()
    multiclass_fits(window, qtbot, (1280, 720))
    assert window.minimumSizeHint().height() < 720


def test_linear_model_surface_and_export(qtbot, losses, window, tmp_path):
    losses.setCurrentWidget(losses.surface)
    panel = losses.surface
    panel.loss.setCurrentText("hinge")
    panel.resolution.setValue(51)
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    xs, ys, z = panel.surface
    model = panel.linear_model()
    assert z.shape == (51, 51)
    assert z[10, 40] == pytest.approx(model.value((xs[40], ys[10])), rel=1e-5)
    assert len(panel.plot.contours) >= 5
    assert panel.plot.image.image.shape == (51, 51)
    png, svg, data = tmp_path / "s.png", tmp_path / "s.svg", tmp_path / "s.csv"
    assert window.export_figure(png) and window.export_figure(svg) and window.export_csv(data)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text and len(text) > 2000
    rows = list(csv.reader(data.open()))
    assert rows[0] == ["x", "y", "loss"] and len(rows) == 51 * 51 + 1
    assert float(rows[1][2]) == pytest.approx(z[0, 0])


def test_graph_slice_in_a_worker_with_progress_and_cancel(qtbot, losses):
    losses.setCurrentWidget(losses.surface)
    panel = losses.surface
    panel.source.setCurrentIndex(1)
    panel.resolution.setValue(11)
    panel.compute()
    assert panel.progress.isVisible() and not panel.compute_button.isEnabled()
    qtbot.waitUntil(lambda: panel.compute_button.isEnabled(), timeout=20000)
    xs, ys, z = panel.surface
    assert z.shape == (11, 11) and np.isfinite(z).all()
    assert "slice in" in panel.status.text()
    panel.resolution.setValue(41)
    panel.compute()
    panel.cancel()
    qtbot.waitUntil(lambda: panel.compute_button.isEnabled(), timeout=20000)
    assert panel.status.text() == "Cancelled." and panel.surface[2].shape == (11, 11)


def test_graph_slice_reports_a_graph_that_cannot_run(qtbot, losses, window):
    window.document.graph.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    panel = losses.surface
    panel.source.setCurrentIndex(1)
    panel.compute()
    assert "Cannot slice the graph" in panel.status.text() and "in_features" in panel.status.text()


def test_optimizers_race_animate_and_step(qtbot, optimizers):
    lab = optimizers
    assert set(lab.runs) == {"GD", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam"}
    assert lab.shown == 0
    now = [100.0]
    lab.clock = lambda: now[0]                   # the animation follows this clock
    lab.toggle_run()
    now[0] += RACE_SECONDS / 2
    qtbot.waitUntil(lambda: lab.shown == lab.steps.value() // 2, timeout=60_000)
    lab.toggle_run()                             # pause: time passing changes nothing
    now[0] += 10
    qtbot.wait(50)
    assert lab.shown == lab.steps.value() // 2 and not lab.timer.isActive()
    lab.toggle_run()                             # resume where it was
    now[0] += RACE_SECONDS / 2 + 0.01
    qtbot.waitUntil(lambda: lab.shown == lab.steps.value(), timeout=60_000)
    assert not lab.timer.isActive() and lab.run_button.text() == "Run"
    adam = lab.runs["Adam"]
    xs, ys = lab.paths["Adam"].getData()
    np.testing.assert_allclose(xs, adam.points[:, 0])
    lab.reset()
    lab.step()
    lab.step()
    assert lab.shown == 2
    m_hat = [label.text() for label in lab.cards.cards["Adam"].values["m̂"]]
    assert m_hat == [fmt(c) for c in adam.states[2]["m_hat"]]


def test_accumulators_of_g_squared_have_their_own_fields(optimizers):
    lab = optimizers
    lab.step()
    lab.step()
    for name, symbol, key in (("Adagrad", "G = Σg²", "sum"),
                              ("RMSprop", "s = E[g²]", "square_avg")):
        card = lab.cards.cards[name]
        assert list(card.values) == ["Δθ", symbol]           # no 'velocity' beside it
        shown = [label.text() for label in card.values[symbol]]
        assert shown == [fmt(c) for c in lab.runs[name].states[2][key]]
    heads = lab.cards.grid.parentWidget().findChildren(QLabel)
    tips = {h.text(): h.toolTip() for h in heads if h.toolTip()}
    assert "square_avg" in tips["<i>s = E[g²]</i>"] and "sum" in tips["<i>G = Σg²</i>"]


def test_integer_sliders_read_integers(optimizers):
    lab = optimizers
    assert lab.batch.label.text() == "batch size = 16" and lab.batch.value() == 16
    assert lab.condition.label.text() == "condition = 10"
    lab.batch.set_value(64)
    assert lab.batch.label.text() == "batch size = 64" and isinstance(lab.batch.value(), int)


def test_loss_axes_before_a_run(optimizers):
    lab = optimizers
    assert lab.shown == 0
    (x0, x1), (y0, y1) = lab.loss_plot.getViewBox().viewRange()
    steps = lab.steps.value()               # with a margin for the end markers each side
    assert (x0, x1) == pytest.approx((-LOSS_PAD * steps, (1 + LOSS_PAD) * steps))
    assert lab.loss_plot.getAxis("bottom").autoSIPrefixScale == 1      # no "(x0.001)"
    losses = np.concatenate([plotted_losses(r) for r in lab.runs.values()])
    assert y0 <= np.log10(losses.min()) and np.log10(losses.max()) <= y1   # log axis
    assert y1 - y0 < 30
    lab.steps.setValue(50)
    assert lab.loss_plot.getViewBox().viewRange()[0] == pytest.approx(
        [-LOSS_PAD * 50, (1 + LOSS_PAD) * 50])


def test_click_sets_the_start_and_unticking_removes_a_runner(qtbot, optimizers):
    lab = optimizers
    lab.set_start(1.0, -1.0)
    assert all(np.allclose(r.points[0], [1.0, -1.0]) for r in lab.runs.values())
    lab.optimizers.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert "GD" not in lab.runs and len(lab.cards.cards) == 6
    lab.set_start(100, 100)                       # outside the view: ignored
    assert np.allclose(lab.start, (1.0, -1.0))


def test_surfaces_hyperparameters_and_fair_comparison(qtbot, optimizers):
    lab = optimizers
    lab.surface_kind.setCurrentText("Rosenbrock")
    assert lab.surface.name == "Rosenbrock" and not lab.condition.isVisible()
    lab.optimizers.setCurrentRow(0)               # GD
    lab.form.fields["lr"].setText("0.0005")
    lab.apply_form()
    assert lab.configs["GD"]["lr"] == 0.0005
    lab.form.fields["lr"].setText("x")
    lab.apply_form()
    assert "lr: 'x' is not a number" in lab.status.text()
    lab.steps.setValue(60)
    lab.fair_comparison()
    assert "Tuned learning rates" in lab.status.text() and lab.configs["GD"]["lr"] != 0.0005
    lab.surface_kind.setCurrentText("linear model (real data)")
    assert lab.batch.isVisible() and lab.model is not None
    sgd, gd = lab.runs["SGD"], lab.runs["GD"]
    assert not np.allclose(sgd.points[1:5], gd.points[1:5])   # mini-batch noise


def test_optimizer_csv_export(optimizers, window, tmp_path):
    path = tmp_path / "runs.csv"
    assert window.export_csv(path)
    rows = list(csv.reader(path.open()))
    assert "Adam x" in rows[0] and len(rows) == optimizers.steps.value() + 2


def test_without_opengl_the_3d_view_is_offered_disabled(losses):
    panel = losses.surface
    assert not panel.gl                                        # offscreen: no GL context
    assert not panel.view_mode.model().item(1).isEnabled()
    assert "OpenGL" in panel.view_mode.toolTip()
    panel.view_mode.setCurrentIndex(1)
    assert panel.stack.currentWidget() is panel.plot_box


def test_quitting_while_a_slice_computes_cancels_it_and_waits(qtbot, losses, window):
    """Issue 25 item 4: a QThread destroyed while it ran aborted the process at quit."""
    from bpviz.gui.app import stop_workers
    losses.setCurrentWidget(losses.surface)
    panel = losses.surface
    panel.source.setCurrentIndex(1)
    panel.resolution.setValue(401)                     # minutes of work
    panel.compute()
    assert panel.slice_thread.isRunning()
    stop_workers(window)
    assert panel.slice_thread is None or not panel.slice_thread.isRunning()
    assert panel.status.text() == "Cancelled." and panel.compute_button.isEnabled()
