"""The chain-rule view: after the backward pass, a parameter's whole product from the loss,
factor by factor with shapes and numbers, next to the engine's gradient."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from bpviz.gui.backprop.chain_view import ChainDialog, expression
from bpviz.paths import example_path

from ..readability import too_small


def open_with_keys(qtbot, window) -> ChainDialog:
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.workspace.chain_dialog
    qtbot.waitExposed(dialog)
    return computed(qtbot, dialog.view) and dialog


def computed(qtbot, view) -> bool:
    """Wait for the chain computed off the GUI thread (if one is under way)."""
    qtbot.waitUntil(lambda: not view.computing, timeout=30_000)
    return True


def shapes(view) -> list[str]:
    return [view.findChild(QLabel, f"chain_shape_{k}").text()
            for k in range(len(view.chain.factors))]


def test_lecture_example_shows_the_three_factor_product_next_to_the_engine(qtbot, window):
    window.document.open_example(example_path("fc_softmax_ce"))
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["fc"])
    dialog = open_with_keys(qtbot, window)
    view = dialog.view
    chain = view.chain
    assert chain is not None and not view.message.isVisible()
    assert (chain.node, chain.param) == ("fc", "weight")
    assert shapes(view) == ["[1×10]", "[10×10]", "[10×10]", "[10×1505280]"]
    assert view.shapes.text() == "[1×10] · [10×10] · [10×10] · [10×1505280] = [1×1505280]"
    latex = expression(chain)
    assert latex.count(r"\frac") == 5 and r"\mathrm{softmax}" in latex
    assert view.formula.error == "" and view.formula.height() > 0
    assert view.heatmaps["factor_2"].matrix.shape == (10, 10)          # ∂σ/∂y, with numbers
    assert view.heatmaps["factor_2"].shows_numbers()
    dydw = view.jacobians["factor_3"]                  # ∂y/∂W: 15 M entries, by the row
    assert dydw.lazy.shape == (10, 1_505_280) and "as they are looked at" in dydw.note
    x = window.document.graph.value("flatten")[0]
    np.testing.assert_array_equal(dydw.lazy.block(1, 2, 150_528, 150_538)[0], x[:10])
    np.testing.assert_array_equal(view.heatmaps["engine"].matrix,
                                  window.document.graph.param_grad("fc", "weight"))
    assert chain.difference < 1e-12
    assert "max |Σ − engine| = " in view.difference.text()
    assert f"sample 0 of {chain.batch}" in view.title.text()
    dialog.grab().save("/tmp/chain_lecture.png")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_inspector_button_opens_it_for_the_stepped_parameter(qtbot, window):
    window.stepper.run_phase()
    for _ in range(2):                                   # loss, then fc3
        window.stepper.step()
    assert window.classroom.current.node == "fc3"
    button = window.inspector.findChild(object, "chain_open_bias")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    view = window.workspace.chain_dialog.view
    computed(qtbot, view)
    assert (view.chain.node, view.chain.param) == ("fc3", "bias")
    assert view.param_box.currentText() == "bias"
    assert view.chain.literal_difference < 1e-12              # every factor is built here
    assert "matrix products" in view.difference.text()


def test_branching_graph_offers_both_routes_and_sums_them(qtbot, window):
    window.document.open_example(example_path("branching"))
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["fc"])
    view = open_with_keys(qtbot, window).view
    assert view.route_box.count() == 2 and view.route_box.isEnabled()
    first = view.chain.product.copy()
    view.route_box.setCurrentIndex(1)
    view.route_box.activated.emit(1)
    computed(qtbot, view)
    assert view.chain.route.nodes[2] == "gate" and "gate" in view.route_box.currentText()
    assert np.abs(view.chain.product - first).max() > 0
    assert view.chain.difference < 1e-12 and "2 routes reach fc" in view.relation.text()
    view.sample_box.setValue(1)                      # another sample, the same route
    computed(qtbot, view)
    assert view.chain.sample == 1 and view.chain.route.nodes[2] == "gate"


def test_before_the_backward_pass_it_says_what_to_do(qtbot, window):
    window.editor.select(["fc1"])
    view = open_with_keys(qtbot, window).view
    assert view.chain is None and "Step the backward pass through 'fc1'" in view.message.text()
    window.editor.select(["relu1"])
    window.workspace.chain_dialog.open_for()
    assert "'relu1' (ReLU) has no parameters" in view.message.text()
    window.stepper.run_phase()
    window.stepper.run_phase()                       # the open dialog follows the stepper
    window.editor.select(["fc1"])
    window.workspace.chain_dialog.open_for()
    computed(qtbot, view)
    assert view.chain is not None and view.chain.node == "fc1"
    window.stepper.back()                            # fc1's backward step undone
    assert view.chain is None and "Step the backward pass" in view.message.text()


@pytest.mark.parametrize("presentation,size,px", [(False, (1440, 900), 11),
                                                  (True, (1280, 720), 16)])
def test_every_text_is_readable_at_desk_and_projector_sizes(qtbot, window, presentation,
                                                            size, px):
    window.document.open_example(example_path("fc_softmax_ce"))
    if presentation:
        window.set_presentation(True)
        window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(*size)
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["fc"])
    dialog = open_with_keys(qtbot, window)
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    assert dialog.view.chain is not None
    assert too_small(dialog, px) == []
    assert dialog.view.formula.sizeHint().height() >= 2 * px       # a fraction: two lines
    dialog.grab().save(f"/tmp/chain_{'projector' if presentation else 'desk'}.png")


def test_ctrl_r_on_a_node_without_weights_says_why_and_offers_the_layers_before_it(
        qtbot, window):
    """Issue 20 item 11: not a nearly empty window, but why there is no ∂L/∂W and buttons
    for the parameters whose chains pass through the node."""
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["relu1"])
    dialog = open_with_keys(qtbot, window)
    view = dialog.view
    assert view.chain is None and "No ∂L/∂W for 'relu1'" in view.title.text()
    assert "'relu1' (ReLU) has no parameters" in view.message.text()
    assert not view.controls.isVisible()                 # no route or sample to pick
    assert view.message.foregroundRole() == QPalette.ColorRole.WindowText    # not a fault
    offered = [b.text() for b in view.offers.findChildren(QPushButton)]
    assert offered == ["∂L/∂weight of fc1", "∂L/∂bias of fc1"]
    assert dialog.height() < window.height() // 2        # sized to what it says
    dialog.grab().save("/tmp/chain_no_weights.png")
    qtbot.mouseClick(view.offers.findChild(QPushButton, "chain_offer_fc1.weight"),
                     Qt.MouseButton.LeftButton)
    computed(qtbot, view)
    assert view.chain is not None and (view.chain.node, view.chain.param) == ("fc1", "weight")
    assert view.controls.isVisible() and not view.offers.isVisible()
    window.editor.select(["x"])                          # the data: nothing before it
    dialog.open_for()
    names = [b.text() for b in view.offers.findChildren(QPushButton)]
    assert "∂L/∂weight of fc1" in names and len(names) >= 4
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


@pytest.fixture
def gated_chain(monkeypatch):
    """chain_path held until the test lets it go: a chain as slow as AlexNet's conv1
    (1.6 s) on any machine, without waiting for one."""
    import threading

    from bpviz.gui.backprop import chain_view
    gate, started, real = threading.Event(), threading.Event(), chain_view.chain_path

    def held(*args, **kwargs):
        started.set()
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(chain_view, "chain_path", held)
    yield gate, started
    gate.set()


def test_a_slow_chain_is_computed_off_the_gui_thread_and_closing_drops_it(
        qtbot, window, gated_chain):
    """Open, close at once, reopen: the window answers while the chain is computed, the
    dropped chain never shows up, and nothing escapes into Qt."""
    gate, started = gated_chain
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["fc1"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.workspace.chain_dialog
    view = dialog.view
    assert dialog.isVisible() and view.computing and view.chain is None
    assert view.busy.isVisible() and "Computing ∂L/∂weight of fc1" in view.busy.label.text()
    assert started.wait(10)                       # the worker has it; the GUI answers keys
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)     # closed at once
    assert not dialog.isVisible() and not view.computing
    gate.set()                                    # the dropped chain finishes meanwhile
    qtbot.wait(200)
    assert view.chain is None
    gate.clear()
    started.clear()
    assert open_chain_now(qtbot, window) is view        # reopened
    assert dialog.isVisible() and view.computing
    assert started.wait(10)
    gate.set()
    computed(qtbot, view)
    assert view.chain is not None and (view.chain.node, view.chain.param) == ("fc1", "weight")
    assert not view.busy.isVisible() and view.chain.difference < 1e-12


def test_cancel_then_compute_again(qtbot, window, gated_chain):
    gate, started = gated_chain
    window.stepper.run_phase()
    window.stepper.run_phase()
    window.editor.select(["fc2"])
    view = open_chain_now(qtbot, window)
    assert started.wait(10)
    qtbot.mouseClick(view.busy.button, Qt.MouseButton.LeftButton)     # "Cancel"
    assert not view.computing and "Cancelled" in view.busy.label.text()
    assert view.busy.button.text() == "Compute again"
    gate.set()
    qtbot.wait(200)
    assert view.chain is None
    qtbot.mouseClick(view.busy.button, Qt.MouseButton.LeftButton)
    assert view.computing
    computed(qtbot, view)
    assert view.chain is not None and view.chain.node == "fc2"


def open_chain_now(qtbot, window):
    """Ctrl+R without waiting for the chain, back in the main window as a user clicks."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    return window.workspace.chain_dialog.view
