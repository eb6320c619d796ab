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


def open_at(qtbot, window, name, presentation: bool):
    """``name`` opened in the window at 1440x900, or in presentation mode at 1280x720 (the
    projector's size, not full screen: the offscreen screen is larger)."""
    if presentation:
        window.set_presentation(True)
        window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(*((1280, 720) if presentation else (1440, 900)))
    window.document.open_example(example_path(name))
    qtbot.wait(10)


@pytest.mark.parametrize("presentation", [False, True], ids=["1440x900", "projector"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_opens_readable_and_fitted_where_it_can(qtbot, window, name,
                                                             presentation):
    """The smallest canvas text is 11 px at a desk and 16 px on a projector; a graph that
    fits at that size is shown whole, a larger one from its start at exactly that size."""
    open_at(qtbot, window, name, presentation)
    view = window.view
    assert view.text_px() >= (16 if presentation else 11) - 1e-6
    if clipped(window):
        assert view.zoom_level() == pytest.approx(view.readable_zoom())
        items = window.scene.nodes.values()
        first = min(items, key=lambda item: (item.pos().x(), item.pos().y()))
        assert first.nid not in clipped(window)          # the graph's start: its inputs


def test_stepping_on_a_projector_brings_each_stepped_node_into_view(qtbot, window):
    open_at(qtbot, window, "alexnet", presentation=True)
    window.resize(1024, 600)                        # a small projector: AlexNet cannot be
    qtbot.wait(10)                                  # read whole (at 1280x720 it now can)
    assert clipped(window)
    classroom = window.classroom
    window.stepper.step()
    while classroom.current is not None and not classroom.gradients_ready:
        nid = classroom.current.node
        assert nid not in clipped(window), nid
        window.stepper.step()


def test_a_graph_opened_before_the_window_grows_stays_fitted(qtbot, window):
    window.resize(700, 500)
    window.document.open_example(example_path("hinge_vs_ce"))
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


def test_a_node_added_far_away_is_scrolled_into_view(qtbot, window):
    window.resize(1440, 900)
    qtbot.wait(10)
    far = QPointF(6000, 4000)
    assert not visible_rect(window.view).contains(far)
    nid = window.editor.add_op("ReLU", far)
    item = window.scene.nodes[nid]
    assert visible_rect(window.view).contains(item.sceneBoundingRect())


@pytest.mark.parametrize("name", ["fc_softmax_ce", "tiny_cnn", "lecture_small", "branching",
                                  "spirals_mlp", "hinge_vs_ce"])
def test_the_lecture_sized_examples_fit_whole_and_readable_at_1440x900(qtbot, window, name):
    open_at(qtbot, window, name, presentation=False)
    assert clipped(window) == []
    assert window.view.text_px() >= 11 - 1e-6


def test_the_overview_shows_the_whole_graph_and_the_next_step_reads_again(qtbot, window):
    open_at(qtbot, window, "alexnet", presentation=True)
    window.resize(1024, 600)                        # too small to read AlexNet whole
    qtbot.wait(10)
    assert clipped(window)
    window.view.show_whole()
    assert clipped(window) == []                     # every node, however small its text
    assert window.view.text_px() < 16
    window.stepper.step()
    assert window.view.text_px() >= 16 - 1e-6        # stepping zooms back to read
    assert window.classroom.current.node not in clipped(window)


def test_the_overview_settles_at_every_window_size(qtbot, window):
    """View ▸ Whole Graph, then the window resized as a user drags its edge: the canvas
    settles at each size. Its scroll bars once came and went with each refit, each change
    resizing the viewport, which refitted: an endless loop that froze the window (the
    control survey and tab-order tests hung in it for over an hour). A loop is broken here
    after 60 resizes at one size, so that the test fails instead of hanging."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    view = window.view
    resizes = []

    class Counter(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Resize:
                resizes.append(1)
                if len(resizes) > 60:
                    view._user_moved()          # ends the refitting: the loop stops
            return False

    counter = Counter(view)
    view.viewport().installEventFilter(counter)
    view.show_whole()
    looping = []
    for width in range(700, 1000, 7):
        resizes.clear()
        window.resize(width, 600)
        for _ in range(5):
            QApplication.processEvents()
        if len(resizes) > 60:
            looping.append(width)
            view.show_whole()
    assert not looping, f"the canvas kept resizing at window widths {looping}"
    assert view.fitted() and not view.horizontalScrollBar().isVisible()
    assert not clipped(window)
