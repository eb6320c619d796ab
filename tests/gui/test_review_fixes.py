"""Failures found by trying the app as a new user: each is reproduced, then must not recur."""
import json

import numpy as np

from bpviz.paths import example_path


def train_panel(window):
    window.show_training()
    return window.training.panel


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


def test_examples_get_data_with_their_number_of_classes(window):
    window.document.open_example(example_path("sigmoid_chain"))
    assert window.data.source.currentText() == "moons" and window.data.problem() == ""
    window.data.source.setCurrentText("spirals")
    window.data._source_chosen()
    assert window.data.problem() == ""                   # spirals made with 2 arms
    window.data.source.setCurrentText("shapes")
    window.data._source_chosen()
    assert "takes 2 per sample" in window.data.problem()
    window.document.open_example(example_path("spirals_mlp"))
    import bpviz.core.datasets as ds
    window.data._use(ds.blobs(n=50, classes=5))
    assert "has 5 classes but the network scores 3" in window.data.problem()


def test_parameter_choice_redraws_the_update(window):
    panel = train_panel(window)
    assert panel.apply_one_step()
    panel.param_choice.setCurrentIndex(panel.param_choice.findText("fc3.bias"))
    assert panel.before.title == "fc3.bias before" and panel.before.matrix.shape == (1, 3)


def test_bad_positions_in_a_file_fall_back_to_the_layout(window, tmp_path):
    spec = json.loads(example_path("spirals_mlp").read_text())
    spec["ui"] = {"x": {"pos": "left"}, "fc1": {"pos": [1e400, None]}, "fc2": {"pos": [5, 6]}}
    path = tmp_path / "odd.bpviz.json"
    path.write_text(json.dumps(spec).replace("Infinity", "1e400"))
    assert window.open_file(path)
    g = window.document.graph
    assert g.nodes["fc2"].ui["pos"] == [5, 6]
    assert all(np.isfinite(g.nodes[n].ui["pos"]).all() for n in ("x", "fc1"))
    assert len(window.scene.nodes) == len(g.nodes)


def test_fit_keeps_text_readable_and_stepping_follows_the_node(qtbot, window):
    window.document.open_example(example_path("alexnet"))
    window.resize(900, 600)
    window.view.fit()
    assert window.view.zoom_level() >= 0.5 - 1e-9
    for _ in range(12):
        window.stepper.step()
    item = window.scene.nodes[window.stepper.current().node]
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.intersects(item.sceneBoundingRect())
