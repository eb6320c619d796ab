"""The canvas opens a graph fitted, keeps it fitted through the window's first resizes,
and scrolls a new node into view."""

import pytest
from PySide6.QtCore import QPointF

from bpviz.paths import example_path

EXAMPLES = sorted(p.name.split(".")[0]
                  for p in example_path("spirals_mlp").parent.glob("*.bpviz.json"))


def visible_rect(view):
    return view.mapToScene(view.viewport().rect()).boundingRect()


def clipped(window):
    """Nodes not wholly on screen (a pixel's slack: the scroll bars move in whole pixels)."""
    pixel = 1 / window.view.zoom_level()
    visible = visible_rect(window.view).adjusted(-pixel, -pixel, pixel, pixel)
    return [nid for nid, item in window.scene.nodes.items()
            if not visible.contains(item.sceneBoundingRect())]


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_opens_fitted_at_1440x900(qtbot, window, name):
    window.resize(1440, 900)
    window.document.open_example(example_path(name))
    qtbot.wait(10)
    assert clipped(window) == []


def test_a_graph_opened_before_the_window_grows_stays_fitted(qtbot, window):
    window.resize(700, 500)
    window.document.open_example(example_path("sigmoid_chain"))
    qtbot.wait(10)
    assert clipped(window)                       # too long for a small window
    window.resize(1440, 900)                     # maximised, docks laid out: fitted again
    qtbot.wait(10)
    assert clipped(window) == []


def test_after_the_user_zooms_a_resize_keeps_the_view(qtbot, window):
    window.resize(1440, 900)
    qtbot.wait(10)
    window.view.zoom(2.0)
    zoom = window.view.zoom_level()
    window.resize(1300, 850)
    qtbot.wait(10)
    assert window.view.zoom_level() == pytest.approx(zoom)


def test_presentation_opens_the_lecture_fitted_at_1280x720(qtbot, window):
    window.document.open_example(example_path("fc_softmax_ce"))
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(1280, 720)
    qtbot.wait(10)
    assert clipped(window) == []
    assert window.view.zoom_level() >= window.view.readable_zoom() - 1e-9


def test_a_node_added_far_away_is_scrolled_into_view(qtbot, window):
    window.resize(1440, 900)
    qtbot.wait(10)
    far = QPointF(6000, 4000)
    assert not visible_rect(window.view).contains(far)
    nid = window.editor.add_op("ReLU", far)
    item = window.scene.nodes[nid]
    assert visible_rect(window.view).contains(item.sceneBoundingRect())
