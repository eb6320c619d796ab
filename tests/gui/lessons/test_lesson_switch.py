"""A lesson started while another runs begins as it would on its own: not with the panels
the lesson before it had open (Update & Train from 2.6, Gradient Flow from 3.10)."""
from PySide6.QtCore import Qt


def on_projector(qtbot, window):
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)
    qtbot.wait(10)


def panels(window) -> tuple[bool, bool]:
    flow = getattr(window, "gradient_flow_dock", None)
    return (window.workspace.docks["training"].isVisible(),
            flow is not None and flow.isVisible())


def test_update_and_train_from_lesson_2_does_not_follow_into_lesson_3(qtbot, window):
    on_projector(qtbot, window)
    assert window.lessons.open("03_backprop_layers", 0, ask=False) == ""
    alone = panels(window)
    window.lessons.leave()
    assert window.lessons.open("02_chain_rule", 5, ask=False) == ""
    window.lessons.next()                                 # 2.6's reveal: Update & Train
    qtbot.wait(10)
    assert panels(window)[0]
    assert window.lessons.open("03_backprop_layers", 0, ask=False) == ""
    qtbot.wait(10)
    assert panels(window) == alone == (False, False)


def test_gradient_flow_from_lesson_3_does_not_follow_into_lesson_1(qtbot, window):
    on_projector(qtbot, window)
    assert window.lessons.open("03_backprop_layers", 9, ask=False) == ""
    qtbot.wait(10)
    assert panels(window)[1]                              # 3.10 opens Gradient Flow
    assert window.lessons.open("01_one_layer", 0, ask=False) == ""
    qtbot.wait(10)
    assert panels(window) == (False, False)
    window.lessons.leave()
    assert panels(window) == (False, False)               # the user's window, as it was
