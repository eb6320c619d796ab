"""The Update & Train panel: one optimizer step, N steps and continuous training of the
open graph, its failures and its views."""
import json

import numpy as np
from PySide6.QtGui import QKeySequence

from bpviz.core import optim
from bpviz.paths import example_path


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
    assert panel.kind.currentText() == "SGD"
    opt = panel.optimizer()
    assert type(opt) is optim.SGD and opt.momentum == 0 and not opt.nesterov
    assert panel.fields["momentum"].text() == "0.0"


def test_ctrl_u_opens_the_panel_without_a_step(qtbot, window):
    dock = window.docks["training"]
    dock.hide()
    w = window.document.graph.param("fc1", "weight").copy()
    action = action_for(window, "Ctrl+U")
    assert action is action_for(window, "Ctrl+T")
    action.trigger()
    assert dock.isVisible() and window.training.panel.trainer is None
    np.testing.assert_array_equal(window.document.graph.param("fc1", "weight"), w)


def test_ctrl_shift_u_applies_one_step(qtbot, window):
    w = window.document.graph.param("fc1", "weight").copy()
    action_for(window, "Ctrl+Shift+U").trigger()
    panel = window.training.panel
    assert window.docks["training"].isVisible() and panel.trainer.steps == 1
    assert not np.array_equal(window.document.graph.param("fc1", "weight"), w)
    assert "Step 1 applied with SGD" in panel.status.text()


def test_training_timer_stops_on_any_failure(qtbot, window, monkeypatch):
    panel = train_panel(window)
    assert panel._ensure_trainer()

    def boom(*a, **k):
        raise ValueError("operands could not be broadcast")

    monkeypatch.setattr(panel.trainer, "train_step", boom)
    panel.set_continuous(True)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert "Training stopped: ValueError" in window.last_message
    assert not panel.train_button.isChecked()


def test_sum_of_losses_trains_with_a_decision_map(qtbot, window):
    window.document.open_example(example_path("hinge_vs_ce"))
    panel = train_panel(window)
    panel.train(30)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert panel.trainer.steps == 30 and panel.map_image.image is not None


def test_new_data_or_an_edit_starts_a_fresh_optimizer(qtbot, window):
    panel = train_panel(window)
    assert panel.apply_one_step()
    window.data.source.setCurrentText("moons")
    window.data._source_chosen()
    assert panel.trainer is None
    assert panel.apply_one_step()
    g = window.document.graph
    window.editor.set_attrs("fc1", {"in_features": 2, "out_features": 68})
    window.editor.set_attrs("fc2", {"in_features": 68, "out_features": 64})
    assert panel.trainer is None
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
    assert window.data.sample.maximum() == 1
    panel.train(5)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert panel.trainer.steps == 5 and len(panel.held_out) == 1


def test_exploding_loss_stops_training_with_advice(qtbot, window):
    panel = train_panel(window)
    panel.kind.setCurrentText("SGD")
    panel.fields["lr"].setText("1e200")
    panel.train(200)
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=60_000)
    assert "lower the learning rate" in window.last_message


def test_parameter_choice_redraws_the_update(window):
    panel = train_panel(window)
    assert panel.apply_one_step()
    panel.param_choice.setCurrentIndex(panel.param_choice.findText("fc3.bias"))
    assert panel.before.title == "fc3.bias before" and panel.before.matrix.shape == (1, 3)
