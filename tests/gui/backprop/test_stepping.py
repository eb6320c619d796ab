"""Stepping through the GUI: keys and buttons, the canvas overlays, the inspector checked
against the engine, the gradient check, optimizer steps, training and data import."""
import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from bpviz.core.display.array_views import as_matrix
from bpviz.core.ops.activations import log_softmax
from bpviz.paths import example_path


def step_to(window, node, phase):
    """Step until the event of ``node`` in ``phase``; returns it."""
    for _ in range(200):
        window.stepper.step()
        ev = window.classroom.current
        if ev is not None and ev.node == node and ev.phase == phase:
            return ev
    raise AssertionError(f"never reached {phase} {node}")


def open_spec(window, tmp_path, nodes, name="g"):
    spec = {"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes}
    path = tmp_path / f"{name}.bpviz.json"
    path.write_text(json.dumps(spec))
    assert window.open_file(path)
    return window.document.graph


def test_keys_and_buttons_step_forward_and_back(qtbot, window):
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.stepper.position.text() == "forward 1/6"
    ev = window.classroom.current
    assert ev.node == "fc1" and window.scene.nodes["fc1"].highlight == "forward"
    assert "forward 1/6" in window.inspector.findChild(object, "inspector_title").text()
    assert window.scene.nodes["fc1"].thumbnail.isVisible()
    qtbot.mouseClick(window.stepper.buttons["step"], Qt.MouseButton.LeftButton)
    assert window.stepper.position.text() == "forward 2/6"
    qtbot.keyClick(window.view, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert window.stepper.position.text() == "forward 1/6"
    assert not window.scene.nodes["relu1"].thumbnail.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)     # to the end of forward
    assert window.stepper.position.text() == "forward 6/6"
    qtbot.mouseClick(window.stepper.buttons["phase"], Qt.MouseButton.LeftButton)   # the whole backward
    assert window.stepper.position.text() == "done"
    grads = {k: e.gradient for k, e in window.scene.edges.items()}
    assert all(grads[("fc2", 0)] is not None and g is not None for k, g in grads.items()
               if k[0] != "loss" or k[1] == 0)
    assert window.backprop.legend.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Home)
    assert window.stepper.position.text() == "forward 0/6"
    assert window.inspector.current is None
    assert all(e.gradient is None for e in window.scene.edges.values())


def test_play_steps_on_a_timer_and_edits_reset_stepping(qtbot, window):
    window.stepper.speed.setValue(20)
    window.stepper.toggle_play()
    qtbot.waitUntil(lambda: window.stepper.position.text() == "forward 3/6", timeout=60_000)
    window.stepper.toggle_play()
    assert not window.stepper.timer.isActive()
    window.editor.set_attrs("fc2", {"in_features": 64, "out_features": 32})
    assert window.classroom.stepper is None
    assert window.stepper.position.text() == "ready: press Space"


def test_sigmoid_chain_shows_vanishing_gradients(qtbot, window):
    from bpviz.paths import example_path
    window.document.open_example(example_path("sigmoid_chain"))
    window.stepper.run_phase()
    window.stepper.run_phase()
    edges = window.scene.edges
    late, early = edges[("out", 0)].gradient, edges[("fc2", 0)].gradient
    assert early < late / 100                       # 1/4 per sigmoid, eight of them
    from bpviz.gui.widgets.colormap import gradient_level
    assert gradient_level(early) < gradient_level(late)


def test_inspector_softmax_and_relu_match_the_engine(qtbot, window, tmp_path):
    graph = open_spec(window, tmp_path, [
        {"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
        {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []},
        {"id": "fc", "op": "Linear", "attrs": {"in_features": 2, "out_features": 4},
         "inputs": ["x"]},
        {"id": "relu", "op": "ReLU", "inputs": ["fc"]},
        {"id": "p", "op": "Softmax", "attrs": {"dim": 1}, "inputs": ["relu"]},
        {"id": "logp", "op": "Log", "inputs": ["p"]},
        {"id": "loss", "op": "NLLLoss", "inputs": ["logp", "t"]}])
    window.data.sample.setValue(2)
    ev = step_to(window, "p", "backward")
    p = graph.value("p")[2]
    jac = window.inspector.heatmaps["jac_input"].matrix
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), atol=1e-12)
    assert "diag(p) - p pᵀ" in window.inspector.findChild(object, "structure_input").text()
    # laid out in the dock: the 4x4 numbers fit (a 792 px window's dock is 119 px wide)
    window.resize(1440, 900)
    qtbot.waitUntil(window.inspector.heatmaps["jac_input"].shows_numbers)
    dout = window.inspector.heatmaps["dout"].matrix
    np.testing.assert_allclose(dout, graph.grad("p")[2:3])
    np.testing.assert_allclose(window.inspector.heatmaps["chain_input_prod"].matrix,
                               graph.grad("relu")[2:3], atol=1e-12)   # dout · J
    assert "[1×4] · [4×4] = [1×4]" in window.inspector.findChild(object, "chain_input").text()
    ev = step_to(window, "relu", "backward")
    mask = (graph.value("fc")[2] > 0).astype(float)
    np.testing.assert_array_equal(window.inspector.heatmaps["jac_input"].matrix, np.diag(mask))
    assert ev.sample == 2


def test_inspector_linear_conv_and_max_pool_match_the_engine(qtbot, window, tmp_path):
    graph = open_spec(window, tmp_path, [
        {"id": "x", "op": "Input", "attrs": {"shape": [1, 6, 6]}, "inputs": []},
        {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []},
        {"id": "conv", "op": "Conv2d", "attrs": {"in_channels": 1, "out_channels": 2,
                                                 "kernel_size": 3, "padding": 1},
         "inputs": ["x"]},
        {"id": "pool", "op": "MaxPool2d", "attrs": {"kernel_size": 2}, "inputs": ["conv"]},
        {"id": "flat", "op": "Flatten", "inputs": ["pool"]},
        {"id": "fc", "op": "Linear", "attrs": {"in_features": 18, "out_features": 4},
         "inputs": ["flat"]},
        {"id": "loss", "op": "CrossEntropyLoss", "inputs": ["fc", "t"]}])
    assert window.classroom.data.source == "shapes"               # chosen to fit 1x6x6
    step_to(window, "fc", "backward")
    hm = window.inspector.heatmaps              # a new page (and dict) for every step
    np.testing.assert_array_equal(hm["jac_input"].matrix, graph.param("fc", "weight"))
    np.testing.assert_allclose(hm["grad_weight"].matrix, graph.param_grad("fc", "weight"))
    step_to(window, "pool", "backward")
    hm = window.inspector.heatmaps
    routing = hm["jac_input"].matrix
    assert routing.shape == (18, 72) and set(np.unique(routing)) == {0.0, 1.0}
    assert (routing.sum(axis=1) == 1).all()
    step_to(window, "conv", "backward")
    hm = window.inspector.heatmaps
    j = hm["jac_input"].matrix
    assert j.shape == (72, 36)
    # each output pixel sees at most 3x3 inputs, weighted by the kernel
    w = graph.param("conv", "weight")
    assert set(np.round(j[j != 0], 12)) <= set(np.round(w.ravel(), 12))
    np.testing.assert_allclose(hm["grad_weight"].matrix,         # the two kernels, tiled
                               as_matrix(graph.param_grad("conv", "weight")))
    assert "flipped kernel" in window.inspector.findChild(object, "structure_input").text()


def test_large_jacobians_are_browsed_computing_only_what_is_shown(qtbot, window):
    from bpviz.paths import example_path
    window.document.open_example(example_path("shapes_cnn"))
    step_to(window, "relu1", "backward")
    view = window.inspector.heatmaps["jac_input"]          # a JacobianView: any size
    assert view.matrix is None and view.lazy.shape == (8 * 16 * 16, 8 * 16 * 16)
    window.inspector.ensureWidgetVisible(view)
    qtbot.waitUntil(lambda: view.grab() is not None and not view.asked, timeout=20000)
    rows, _, _ = view.sampled()
    assert view.lazy.missing(rows) == []                   # the rows drawn were computed
    # and not the others: a layout that settles late under load may have shown the view at
    # another size first, whose sampled rows were computed too, so allow a few such samplings
    computed = 2048 - len(view.lazy.missing(range(2048)))
    assert len(rows) <= computed <= 4 * len(rows) < 2048


def hover_everywhere(qtbot, widget, points: int = 5) -> None:
    """Move the mouse over ``widget`` on a grid of points, its edges included."""
    width, height = max(widget.width() - 1, 0), max(widget.height() - 1, 0)
    for i in range(points):
        for j in range(points):
            qtbot.mouseMove(widget, QPoint(width * i // (points - 1), height * j // (points - 1)))


@pytest.mark.parametrize("example, node", [("spirals_mlp", "fc2"), ("shapes_cnn", "conv2"),
                                           ("lecture_small", "fc")])
def test_hovering_over_every_inspector_view_at_a_backward_step(qtbot, window, example, node):
    """Heat maps (values or tooltips under the mouse), the Jacobian views and the formulas:
    the mouse over any point of them raises nothing."""
    window.document.open_example(example_path(example))
    step_to(window, node, "backward")
    page = window.inspector.widget()

    def views():
        return [w for w in page.findChildren(QWidget)
                if type(w).__module__.startswith("bpviz.") and w.isVisible()]

    qtbot.waitUntil(lambda: {"HeatMap", "JacobianView", "Formula"}      # the event loop
                    <= {type(w).__name__ for w in views()})           # shows a new page
    with qtbot.captureExceptions() as raised:
        for view in views():
            window.inspector.ensureWidgetVisible(view)
            hover_everywhere(qtbot, view)
        qtbot.mouseMove(window.view)                   # and away again
        qtbot.wait(10)
    assert raised == [], raised[:1]


def test_gradient_check_button(qtbot, window):
    step_to(window, "fc2", "backward")
    classroom = window.classroom
    steps, event = classroom.steps_taken, classroom.current
    button = window.inspector.findChild(object, "check_gradient")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    text = window.inspector.check_result.text()
    assert text.count("✔") == 3 and "∂L/∂weight" in text and "max relative error" in text
    assert "∂L/∂fc2" in text
    assert classroom.steps_taken == steps and classroom.current is event   # untouched
    window.stepper.step()
    assert window.classroom.current.node == "relu1"


def test_apply_one_step_matches_the_optimizer(qtbot, window):
    panel = window.training.panel
    panel.kind.setCurrentText("SGD")
    panel.optim_form.fields["lr"].setText("0.5")
    window.stepper.run_phase()
    window.stepper.run_phase()                                  # gradients of this batch
    g = window.document.graph
    w, grad = g.param("fc1", "weight").copy(), g.param_grad("fc1", "weight").copy()
    assert panel.apply_one_step()
    np.testing.assert_allclose(g.param("fc1", "weight"), w - 0.5 * grad)
    np.testing.assert_allclose(panel.delta.matrix, -0.5 * grad)
    assert window.stepper.position.text() == "update" and window.classroom.stepper is None
    panel.optim_form.fields["lr"].setText("fast")
    panel.kind.setCurrentText("Adam")
    panel.optim_form.fields["lr"].setText("fast")
    assert not panel.apply_one_step()
    assert "lr: 'fast' is not a number" in window.last_message


def test_training_improves_the_loss_and_draws_the_decision_map(qtbot, window):
    panel = window.training.panel
    panel.kind.setCurrentText("Adam")
    window.data.batch.setValue(32)
    classroom = window.classroom
    assert classroom.ensure_trainer()
    before = classroom.trainer.evaluate(classroom.held_out)[0]
    panel.remaining = 300
    while panel.remaining:
        panel.run_steps()
    panel.refresh_views()
    after, acc = classroom.trainer.evaluate(classroom.held_out)
    assert after < before / 3 and acc > 0.85
    assert panel.map_image.image is not None and panel.map_image.image.shape[:2] == (80, 80)
    xs, ys = panel.train_curve.getData()
    assert len(xs) == 300
    panel.set_continuous(True)
    qtbot.waitUntil(lambda: classroom.trainer.steps > 320, timeout=60_000)
    panel.set_continuous(False)
    assert not panel.timer.isActive()


def write_png(path, color, size=(10, 12)):
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))


def test_image_folder_import_with_a_bad_file(qtbot, window, tmp_path):
    root = tmp_path / "pics"
    for cls, color in (("red", "#ff0000"), ("blue", "#0000ff")):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            write_png(root / cls / f"{i}.png", color)
    (root / "red" / "broken.png").write_bytes(b"not a png")
    from bpviz.paths import example_path
    window.document.open_example(example_path("shapes_cnn"))
    assert window.data.load_image_folder(root)
    data = window.classroom.data.dataset
    assert data.x.shape == (6, 1, 16, 16) and data.classes == ["blue", "red"]
    assert "1 file(s)" in window.last_message and "skipped" in window.last_message
    window.stepper.step()
    assert window.classroom.current.node == "conv1"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not window.data.load_image_folder(empty)
    assert "no subfolders" in window.last_message
    assert window.classroom.data.dataset is data             # nothing changed


def test_csv_import_and_bad_csv(qtbot, window, tmp_path):
    good = tmp_path / "points.csv"
    good.write_text("x1,x2,label\n" + "\n".join(f"{i / 10},{-i / 10},{'ab'[i % 2]}"
                                                for i in range(20)))
    assert window.data.load_csv(good)
    data = window.classroom.data
    assert data.dataset.classes == ["a", "b"] and len(data.dataset) == 20
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,0\n3,oops,1\n")
    assert not window.data.load_csv(bad)
    assert "line 2: 'oops' is not a number" in window.last_message
    assert len(window.classroom.data.dataset) == 20          # nothing changed
    wrong = tmp_path / "wide.csv"
    wrong.write_text("1,2,3,0\n4,5,6,1\n")
    assert window.data.load_csv(wrong)
    window.stepper.step()
    assert "takes 2 per sample but 'wide' gives 3" in window.last_message


def test_loss_formulas_render(qtbot, window):
    ev = step_to(window, "loss", "backward")
    formulas = [w for w in window.inspector.body.findChildren(object)
                if type(w).__name__ == "Formula"]
    assert len(formulas) == 2 and all(f.renderer.isValid() for f in formulas)
    assert r"\sigma(\mathbf{y}) - \mathbf{t}" in formulas[1].latex
    p = np.exp(log_softmax(window.document.graph.value("fc3"), 1))[0]
    assert ev.jacobian["input"].shape == (1, 3)
    assert np.allclose(ev.jacobian["input"][0] * 8, p - np.eye(3)[ev.inputs["target"][0]])


def test_training_mode_shows_the_dropout_mask(qtbot, window, tmp_path):
    graph = open_spec(window, tmp_path, [
        {"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
        {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []},
        {"id": "fc", "op": "Linear", "attrs": {"in_features": 2, "out_features": 8},
         "inputs": ["x"]},
        {"id": "drop", "op": "Dropout", "attrs": {"p": 0.5}, "inputs": ["fc"]},
        {"id": "out", "op": "Linear", "attrs": {"in_features": 8, "out_features": 3},
         "inputs": ["drop"]},
        {"id": "loss", "op": "CrossEntropyLoss", "inputs": ["out", "t"]}])
    window.stepper.train_mode.setChecked(True)
    step_to(window, "drop", "backward")
    jac = window.inspector.heatmaps["jac_input"].matrix
    mask = graph.op("drop").cache["mask"][0]
    np.testing.assert_array_equal(jac, np.diag(mask))
    assert set(np.unique(np.diag(jac))) <= {0.0, 2.0} and 0.0 in np.diag(jac)
    window.stepper.train_mode.setChecked(False)
    assert window.classroom.stepper is None
    step_to(window, "drop", "backward")
    np.testing.assert_array_equal(window.inspector.heatmaps["jac_input"].matrix, np.eye(8))


def test_gradient_check_passes_on_vanishing_gradients_and_kinks(qtbot, window):
    from bpviz.paths import example_path
    for example, node in (("sigmoid_chain", "fc1"), ("shapes_cnn", "relu1")):
        window.document.open_example(example_path(example))
        step_to(window, node, "backward")
        window.inspector.findChild(object, "check_gradient").click()
        text = window.inspector.check_result.text()
        assert "✘" not in text and "✔" in text, text
    assert "not judged" in text


def test_examples_get_data_with_their_number_of_classes(window):
    classroom = window.classroom
    window.document.open_example(example_path("sigmoid_chain"))
    assert classroom.data.source == "moons" and classroom.problem() == ""
    classroom.use_builtin("spirals")
    assert classroom.problem() == ""                     # spirals made with 2 arms
    classroom.use_builtin("shapes")
    assert "takes 2 per sample" in classroom.problem()
    window.document.open_example(example_path("spirals_mlp"))
    import bpviz.core.data.datasets as ds
    classroom.use_dataset(ds.blobs(n=50, classes=5), "blobs", None)
    assert "has 5 classes but the network scores 3" in classroom.problem()


def test_fit_keeps_text_readable_and_stepping_follows_the_node(qtbot, window):
    window.document.open_example(example_path("alexnet"))
    window.resize(900, 600)
    window.view.fit()
    assert window.view.zoom_level() >= window.view.readable_zoom() - 1e-9
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert not visible.contains(window.scene.itemsBoundingRect())   # too long to fit: its start
    for _ in range(12):
        window.stepper.step()
    item = window.scene.nodes[window.classroom.current.node]
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.intersects(item.sceneBoundingRect())
