"""Lesson 3's vanishing gradient in View ▸ Gradient Flow (the lesson action
``gradient_flow``): its last step opens the dock, every layer of the sigmoid chain at once,
the first powers of ten below the last; 'Seen on the edges' before it keeps (or makes) the
canvas whole, the dock closed."""
import pytest
from PySide6.QtCore import Qt

from bpviz.core.teaching.lessons import check_action

LESSON = "03_backprop_layers"


def test_the_action_takes_true_or_false_only():
    assert check_action({"gradient_flow": True}, "do[0]") == {"gradient_flow": True}
    with pytest.raises(ValueError, match=r"do\[0\].gradient_flow: expected one of"):
        check_action({"gradient_flow": "yes"}, "do[0]")


def test_page_down_to_every_layer_at_once_shows_the_gradient_flow(qtbot, window):
    assert window.lessons.open(LESSON, 8, ask=False) == ""          # Seen on the edges
    edges = window.lessons.lesson.steps[8]
    assert edges.title == "Seen on the edges" and "drag the canvas" not in edges.text
    dock = getattr(window, "gradient_flow_dock", None)
    assert dock is None or not dock.isVisible()       # the whole chain keeps the canvas
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.lessons.index == 9
    dock = window.gradient_flow_dock
    qtbot.waitUntil(dock.isVisible)
    flow = dock.widget()
    assert [f.node for f in flow.flows][:2] == ["fc1", "fc2"] and len(flow.flows) == 9
    assert flow.summary.text().startswith("Vanishing gradient: fc1 gets")
    assert not flow.steps_box.isVisible()          # no Update yet: the batch's plot alone
    assert "Gradient Flow" in window.lessons.lesson.steps[9].text
    window.lessons.leave()
    assert window.lessons.open(LESSON, 8, ask=False) == ""         # reached afresh
    assert not dock.isVisible()
