"""The Update & Train panel: one optimizer step, N steps and continuous training of the
open graph, its failures and its views."""
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from bpviz.core import optim
from bpviz.paths import example_path

from ..acting import choose, type_into


def train_panel(window):
    window.show_training()
    return window.training.panel


def action_for(window, keys: str):
    """The window's action that the key sequence ``keys`` triggers."""
    matches = [a for a in window.actions() if QKeySequence(keys) in a.shortcuts()]
    assert len(matches) == 1, [a.text() for a in matches]
    return matches[0]


def test_the_panel_starts_on_plain_gradient_descent(qtbot, window):
    panel = train_panel(window)
    assert window.classroom.optimizer.kind == "SGD"
    opt = window.classroom.optimizer.build()
    assert type(opt) is optim.SGD and opt.momentum == 0 and not opt.nesterov
    assert panel.kind.currentText() == "SGD"                   # the panel shows it
    assert panel.optim_form.fields["momentum"].text() == "0.0"


def test_ctrl_u_opens_the_panel_without_a_step(qtbot, window):
    dock = window.docks["training"]
    dock.hide()
    w = window.document.graph.param("fc1", "weight").copy()
    action = action_for(window, "Ctrl+U")
    assert action is action_for(window, "Ctrl+T")
    action.trigger()
    assert dock.isVisible() and window.classroom.trainer is None
    np.testing.assert_array_equal(window.document.graph.param("fc1", "weight"), w)


def test_ctrl_shift_u_applies_one_step(qtbot, window):
    w = window.document.graph.param("fc1", "weight").copy()
    action_for(window, "Ctrl+Shift+U").trigger()
    panel = window.training.panel
    assert window.docks["training"].isVisible() and window.classroom.trainer.steps == 1
    assert not np.array_equal(window.document.graph.param("fc1", "weight"), w)
    assert "Step 1 applied with SGD" in panel.status.text()
    assert window.classroom.position == "update"               # never stepped, yet updated
    assert window.stepper.position.text() == "update"


def test_training_timer_stops_on_any_failure(qtbot, window, monkeypatch):
    panel = train_panel(window)
    assert window.classroom.ensure_trainer()

    def boom(*a, **k):
        raise ValueError("operands could not be broadcast")

    monkeypatch.setattr(window.classroom.trainer, "train_step", boom)
    panel.set_continuous(True)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert "Training stopped: ValueError" in window.last_message
    assert not panel.train_button.isChecked()


def test_sum_of_losses_trains_with_a_decision_map(qtbot, window):
    window.document.open_example(example_path("hinge_vs_ce"))
    panel = train_panel(window)
    panel.train(30)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert window.classroom.trainer.steps == 30 and panel.map_image.image is not None


def test_new_data_or_an_edit_starts_a_fresh_optimizer(qtbot, window):
    panel = train_panel(window)
    assert panel.apply_one_step()
    choose(window.data.source, "moons")
    assert window.classroom.trainer is None
    assert panel.apply_one_step()
    g = window.document.graph
    window.editor.set_attrs("fc1", {"in_features": 2, "out_features": 68})
    window.editor.set_attrs("fc2", {"in_features": 68, "out_features": 64})
    assert window.classroom.trainer is None
    assert panel.apply_one_step()
    assert g.param("fc1", "weight").shape == (68, 2)


def test_graph_without_a_loss_and_tiny_data_are_reported(qtbot, window, tmp_path):
    spec = {"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
        {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []},
        {"id": "fc", "op": "Linear", "attrs": {"in_features": 2, "out_features": 2},
         "inputs": ["x"]}]}
    path = tmp_path / "noloss.bpviz.json"
    path.write_text(json.dumps(spec))
    assert window.open_file(path)
    panel = train_panel(window)
    panel.train(10)
    assert "no loss" in window.last_message and not panel.timer.isActive()
    window.document.open_example(example_path("spirals_mlp"))
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("0.1,0.2,0\n0.3,-0.4,1\n")
    assert window.data.load_csv(tiny)
    assert window.classroom.data.samples == 2 and window.data.sample.maximum() == 1
    panel.train(5)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert window.classroom.trainer.steps == 5 and len(window.classroom.held_out) == 1


def test_exploding_loss_stops_training_with_advice(qtbot, window):
    panel = train_panel(window)
    choose(panel.kind, "SGD")
    type_into(qtbot, panel.optim_form.fields["lr"], "1e200")
    panel.train(200)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert "lower the learning rate" in window.last_message


def test_parameter_choice_redraws_the_update(window):
    panel = train_panel(window)
    assert panel.apply_one_step()
    panel.param_choice.setCurrentIndex(panel.param_choice.findText("fc3.bias"))
    assert panel.before.matrix.shape == (1, 3)
    # the name is the combo's; the titles are short enough to stay whole beside a lesson
    assert panel.param_choice.currentText() == "fc3.bias" and panel.before.title == "W before"


def test_another_graph_empties_the_last_graphs_step(qtbot, window):
    """Lesson 6.8 opened its network under lesson 2's W before, ΔW and W after (10×150528)."""
    panel = train_panel(window)
    choose(panel.optim_form.kind, "Momentum")
    assert panel.apply_one_step() and panel.before.matrix is not None and panel.versus.text()
    window.document.open_example(example_path("binary_hinge"))
    qtbot.waitUntil(lambda: panel.classroom.trainer is None or not panel.classroom.trainer.steps)
    assert [v.matrix for v in (panel.before, panel.delta, panel.after)] == [None] * 3
    assert panel.versus.text() == ""


# --- issue 19: a value typed in the form is used by the next step -------------------------------
KEY = ("fc1", "weight")


def gradient_now(window) -> np.ndarray:
    """dL/dW of fc1 at the weights as they are, on the shown batch (what a step uses when the
    stepper has not finished a backward pass)."""
    graph = window.classroom.graph
    graph.forward(window.classroom.feeds(), train=False)
    graph.backward()
    return graph.param_grad(*KEY).copy()


def same_step(actual, expected) -> None:
    """Equal up to the rounding of W_after - W_before."""
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-15)


def apply_one_step(qtbot, panel) -> np.ndarray:
    """Click "Apply one step"; the step ΔW of fc1.weight it made."""
    steps = panel.classroom.trainer.steps if panel.classroom.trainer else 0
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    assert panel.classroom.trainer.steps == steps + 1, panel.status.text()
    before, after = panel.changes[KEY]
    return after - before


def test_a_rate_typed_after_the_first_step_is_used_by_the_next(qtbot, window):
    """SGD at 0.1, one step; 0.5 typed: the next step, from the same weights, is 5x the step
    at 0.1 (the panel used to keep the rate of its first step)."""
    panel = train_panel(window)
    lr = panel.optim_form.fields["lr"]
    choose(panel.kind, "SGD")
    type_into(qtbot, lr, "0.1")
    grad = gradient_now(window)
    same_step(apply_one_step(qtbot, panel), -0.1 * grad)
    start = window.classroom.snapshot()               # after the first step: a trainer
    at_01 = apply_one_step(qtbot, panel)
    window.classroom.restore(start)
    lr = panel.optim_form.fields["lr"]
    assert lr.text() == "0.1"
    type_into(qtbot, lr, "0.5")
    assert "⚠" not in panel.status.text()             # "0" and "0." on the way are forgotten
    grad = gradient_now(window)
    at_05 = apply_one_step(qtbot, panel)
    same_step(at_05, 5 * at_01)
    same_step(at_05, -0.5 * grad)
    assert window.classroom.trainer.steps == 2


def test_going_back_to_a_snapshot_brings_back_its_rate(qtbot, window):
    """A lesson's earlier step: the rate it had is shown and used again."""
    panel = train_panel(window)
    lr = panel.optim_form.fields["lr"]
    type_into(qtbot, lr, "0.1")
    apply_one_step(qtbot, panel)
    start = window.classroom.snapshot()
    type_into(qtbot, lr, "0.5")
    window.classroom.restore(start)
    assert panel.optim_form.fields["lr"].text() == "0.1"
    grad = gradient_now(window)
    same_step(apply_one_step(qtbot, panel), -0.1 * grad)


@pytest.mark.parametrize("start", ["continuously", "N steps"])
def test_a_rate_typed_while_training_is_used_by_the_next_tick(qtbot, window, start):
    panel = train_panel(window)
    type_into(qtbot, panel.optim_form.fields["lr"], "0.1")
    if start == "continuously":
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    else:
        panel.steps.setValue(100_000)
        qtbot.mouseClick(panel.train_n, Qt.MouseButton.LeftButton)
    classroom = window.classroom
    qtbot.waitUntil(lambda: classroom.trainer is not None and classroom.trainer.steps > 0,
                    timeout=60_000)

    def last_rate() -> float:
        """-ΔW / dL/dW of the latest step (SGD: its learning rate)."""
        state = classroom.trainer.states[KEY]
        return float(-state["update"].ravel() @ state["grad"].ravel()
                     / (state["grad"].ravel() @ state["grad"].ravel()))

    assert last_rate() == pytest.approx(0.1, rel=1e-9)
    type_into(qtbot, panel.optim_form.fields["lr"], "0.5", delay=30)   # ticks in between
    assert panel.timer.isActive()                  # a half-typed "0." did not stop training
    typed_at = classroom.trainer.steps
    qtbot.waitUntil(lambda: classroom.trainer.steps > typed_at, timeout=60_000)
    panel.set_continuous(False)
    assert last_rate() == pytest.approx(0.5, rel=1e-9)


def test_a_rate_that_is_not_a_number_changes_no_weight_and_says_why(qtbot, window):
    panel = train_panel(window)
    w = {k: window.classroom.graph.param(*k).copy() for k in [KEY, ("fc3", "bias")]}
    type_into(qtbot, panel.optim_form.fields["lr"], "fast")
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    for k, before in w.items():
        np.testing.assert_array_equal(window.classroom.graph.param(*k), before)
    assert "lr: 'fast' is not a number" in panel.status.text()
    assert "lr: 'fast' is not a number" in window.statusBar().currentMessage()
    assert window.classroom.trainer is None or window.classroom.trainer.steps == 0


def test_another_optimizer_starts_afresh_a_new_rate_keeps_the_momentum(qtbot, window):
    panel = train_panel(window)
    classroom = window.classroom
    choose(panel.kind, "Momentum")
    type_into(qtbot, panel.optim_form.fields["lr"], "0.05")
    apply_one_step(qtbot, panel)
    apply_one_step(qtbot, panel)
    trainer = classroom.trainer
    buffer = trainer.states[KEY]["momentum_buffer"]
    assert trainer.steps == 2 and np.abs(buffer).max() > 0
    type_into(qtbot, panel.optim_form.fields["lr"], "0.2")
    assert classroom.trainer is trainer and trainer.steps == 2
    assert trainer.states[KEY]["momentum_buffer"] is buffer
    grad = gradient_now(window)
    same_step(apply_one_step(qtbot, panel), -0.2 * (0.9 * buffer + grad))   # W -= lr·buf
    assert trainer.steps == 3
    choose(panel.kind, "Adam")
    assert classroom.trainer is None                      # a fresh state: no steps taken
    assert panel.status.text() == "Not trained yet."
    apply_one_step(qtbot, panel)
    assert classroom.trainer.steps == 1
    assert classroom.trainer.states[KEY]["step"] == 1
