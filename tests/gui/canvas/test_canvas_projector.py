"""The network on a projector (issue 20): presentation mode draws compact nodes (name and
shape) in the overview layout, so that the lecture-sized examples fit whole at 16 px text;
AlexNet's overview reads at 11 px; the gradient legend covers no node; edges carrying a
gradient are wide enough to see, wider for larger gradients; a node's heat-map strip
enlarges on a double-click and Esc closes it."""

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt

from bpviz.core import load_graph
from bpviz.gui.canvas.edge_item import GRADIENT_PX, gradient_pen
from bpviz.gui.canvas.graph_scene import GraphScene
from bpviz.gui.canvas.graph_view import GraphView
from bpviz.gui.theme import LIGHT, PRESENTATION_SCALE
from bpviz.paths import example_path

from .test_canvas_view import clipped, open_at

LECTURE_SIZED = ["lecture_small", "fc_softmax_ce", "sigmoid_chain", "branching",
                 "binary_hinge", "hinge_vs_ce", "spirals_mlp", "tiny_cnn", "shapes_cnn"]


def nodes_outside(view):
    pixel = 1 / view.zoom_level()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    shown.adjust(-pixel, -pixel, pixel, pixel)
    return [nid for nid, item in view.scene().nodes.items()
            if not shown.contains(item.sceneBoundingRect())]


@pytest.fixture
def projector_view(qtbot):
    """A canvas alone in presentation mode, its viewport 900x420 (a projector's canvas
    beside a lesson strip)."""
    views = []

    def make(name: str, width: int = 900, height: int = 420) -> GraphView:
        scene = GraphScene(load_graph(example_path(name)), LIGHT, PRESENTATION_SCALE)
        view = GraphView(scene)
        qtbot.addWidget(view)
        frame = 2 * view.frameWidth()
        view.keep_fitted()                  # (it sets the view's own scroll bar policy)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.resize(width + frame, height + frame)
        view.show()
        qtbot.waitExposed(view)
        assert (view.viewport().width(), view.viewport().height()) == (width, height)
        views.append((view, scene))
        return view
    yield make
    for view, scene in views:
        view.close()
        shiboken6.delete(scene)


def test_presentation_mode_switches_the_compact_style(qtbot, window):
    assert not any(item.compact for item in window.scene.nodes.values())
    window.set_presentation(True)
    items = window.scene.nodes.values()
    assert items and all(item.compact for item in items)
    item = window.scene.nodes["fc1"]
    assert item.width() < 150 * PRESENTATION_SCALE and item.height() < 45 * PRESENTATION_SCALE
    assert not item.flags() & item.GraphicsItemFlag.ItemIsMovable    # the layout's place
    window.set_presentation(False)
    assert not any(item.compact for item in window.scene.nodes.values())
    assert window.scene.nodes["fc1"].flags() & item.GraphicsItemFlag.ItemIsMovable


@pytest.mark.parametrize("name", LECTURE_SIZED)
def test_lecture_examples_fit_whole_at_16_px_on_a_900x420_canvas(projector_view, name):
    view = projector_view(name)
    assert view.text_px() >= 16 - 1e-6
    assert nodes_outside(view) == []


@pytest.mark.parametrize("name", LECTURE_SIZED)
def test_lecture_examples_fit_whole_at_16_px_in_the_projector_window(qtbot, window, name):
    open_at(qtbot, window, name, presentation=True)
    assert window.view.text_px() >= 16 - 1e-6
    assert clipped(window) == []


def test_a_lecture_example_still_fits_after_the_window_shrinks(qtbot, window):
    open_at(qtbot, window, "sigmoid_chain", presentation=True)
    window.resize(1100, 700)              # the layout wraps into more bands
    qtbot.wait(10)
    assert window.view.text_px() >= 16 - 1e-6
    assert clipped(window) == []


@pytest.mark.parametrize("size", [(900, 420), None], ids=["900x420", "window"])
def test_alexnets_overview_shows_every_layer_at_11_px(qtbot, window, projector_view, size):
    if size:
        view = projector_view("alexnet", *size)
    else:
        open_at(qtbot, window, "alexnet", presentation=True)
        view = window.view
    view.show_whole()
    assert nodes_outside(view) == []
    assert view.text_px() >= 11 - 1e-6


def run_backward(window):
    window.stepper.step()
    while not window.classroom.gradients_ready:
        window.stepper.step()


def legend_covers(window) -> list[str]:
    """The nodes drawn under the legend (in the band below the viewport it covers none)."""
    legend = window.backprop.legend
    view = window.view
    over = legend.geometry().intersected(view.viewport().geometry())
    if over.isEmpty():
        return []
    on_canvas = over.translated(-view.viewport().geometry().topLeft())
    shown = view.mapToScene(on_canvas).boundingRect()
    return [nid for nid, item in view.scene().nodes.items()
            if shown.intersects(item.sceneBoundingRect())
            or (item.thumbnail.isVisible()
                and shown.intersects(item.thumbnail.sceneBoundingRect()))]


def open_on_projector(qtbot, window, lesson: str, step: int) -> None:
    """The lesson open at ``step`` (from 1) in presentation mode, in a 1280x720 window."""
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)
    window.lessons.open(lesson, step - 1, ask=False)
    qtbot.wait(10)


@pytest.mark.parametrize("lesson, step", [("02_chain_rule", 2), ("03_backprop_layers", 5)])
def test_the_gradient_legend_covers_no_node_in_a_lesson(qtbot, window, lesson, step):
    open_on_projector(qtbot, window, lesson, step)
    assert window.backprop.legend.isVisible()
    assert legend_covers(window) == []


@pytest.mark.parametrize("name", ["fc_softmax_ce", "sigmoid_chain", "branching"])
@pytest.mark.parametrize("presentation", [False, True], ids=["desk", "projector"])
def test_the_gradient_legend_covers_no_node_when_stepping(qtbot, window, name,
                                                          presentation):
    open_at(qtbot, window, name, presentation)
    window.stepper.step()
    while not window.classroom.gradients_ready:
        window.stepper.step()
        if window.backprop.legend.isVisible():
            assert legend_covers(window) == [], window.classroom.current
    window.view.zoom(0.5)                  # the user zooms out: still clear
    assert legend_covers(window) == []


def test_edges_show_the_gradient_fade_by_width_at_projector_size(qtbot, window):
    """Lesson 3 step 9's fade along sigmoid_chain, read by width as well as by colour."""
    open_at(qtbot, window, "sigmoid_chain", presentation=True)
    run_backward(window)
    zoom = window.view.zoom_level()
    scale = window.scene.scale_
    widths = {key: gradient_pen(edge.gradient, scale, zoom).widthF() * zoom
              for key, edge in window.scene.edges.items() if edge.gradient is not None}
    assert len(widths) >= 15
    assert min(widths.values()) >= GRADIENT_PX[0] - 1e-6          # pixels on screen
    at_loss = widths[("loss", 0)]
    at_input = widths[("fc1", 0)]
    assert at_loss >= 3 * at_input                 # the fade is seen in the width too
    # and at an overview's zoom the strongest edge is still a few pixels wide
    pen = gradient_pen(window.scene.edges[("loss", 0)].gradient, scale, 0.2)
    assert pen.widthF() * 0.2 >= 6


def strip_centre(window, nid) -> QPoint:
    view = window.view
    strip = view.scene().nodes[nid].thumbnail
    return view.mapFromScene(strip.sceneBoundingRect().center())


@pytest.mark.parametrize("presentation", [False, True], ids=["desk", "projector"])
def test_a_double_click_on_a_canvas_heat_map_enlarges_it_and_esc_closes(
        qtbot, window, presentation):
    from bpviz.gui.widgets.matrix_view import MatrixView
    open_at(qtbot, window, "fc_softmax_ce", presentation)
    for _ in range(4):                                   # x, t, flatten, fc forward
        window.stepper.step()
    view = window.view
    assert view.scene().nodes["fc"].thumbnail.isVisible()
    view.ensureVisible(view.scene().nodes["fc"], 10, 10)
    at = strip_centre(window, "fc")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert window.focus.is_open
    content = window.focus.view.content
    assert isinstance(content, MatrixView)
    assert content.matrix.shape == (1, 10)                # fc's 10 scores of one sample
    assert "fc" in window.focus.view.title.text()
    for x in range(10, content.width(), max(content.width() // 6, 1)):   # a mouse over it
        qtbot.mouseMove(content, QPoint(x, content.height() // 2))
    qtbot.keyClick(content, Qt.Key.Key_Escape)
    assert not window.focus.is_open


def test_a_double_click_beside_the_heat_maps_enlarges_nothing(qtbot, window):
    open_at(qtbot, window, "fc_softmax_ce", presentation=True)
    window.stepper.step()
    view = window.view
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert not window.focus.is_open


def dark_pixels_inside(view, nid) -> int:
    """Dark pixels (text) inside a node's box on screen, its border left out."""
    item = view.scene().nodes[nid]
    body = item.mapToScene(item.body_rect()).boundingRect()
    box = view.mapFromScene(body).boundingRect().adjusted(2, 2, -2, -2)
    image = view.viewport().grab().toImage()
    return sum(1 for x in range(max(box.left(), 0), min(box.right(), image.width()))
               for y in range(max(box.top(), 0), min(box.bottom(), image.height()))
               if image.pixelColor(x, y).lightness() < 90)       # the header band: 112


def test_zoomed_out_at_a_desk_a_node_still_names_itself(qtbot, window):
    """Below a readable zoom the full style's text is not drawn; the node's name and shape
    are, in type large enough to fill its box."""
    window.resize(1440, 900)
    qtbot.wait(10)
    view = window.view
    view.zoom(0.3 / view.zoom_level())
    assert view.text_px() < 5                              # the full style's text: specks
    item = window.scene.nodes["fc1"]
    view.centerOn(item)
    assert dark_pixels_inside(view, "fc1") > 10          # none: a blank box


def test_the_overview_stays_whole_through_resizes_and_fits(qtbot, window):
    """A lesson shows AlexNet whole before the window has its final size (a start on the
    command line, a screenshot): the overview holds through the resize and a fit."""
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1000, 600)
    window.document.open_example(example_path("alexnet"))
    window.view.show_whole()
    window.resize(1280, 720)
    qtbot.wait(10)
    window.view.fit()
    assert clipped(window) == []
    assert window.view.text_px() >= 11 - 1e-6
    bars = (window.view.horizontalScrollBar(), window.view.verticalScrollBar())
    assert not any(bar.isVisible() for bar in bars)     # nothing more to scroll to
    window.stepper.step()                              # stepping reads at 16 px again
    assert window.view.text_px() >= 16 - 1e-6


def test_f_over_a_canvas_heat_map_enlarges_it(qtbot, window):
    from PySide6.QtGui import QCursor
    open_at(qtbot, window, "fc_softmax_ce", presentation=True)
    for _ in range(4):
        window.stepper.step()
    QCursor.setPos(window.view.viewport().mapToGlobal(strip_centre(window, "fc")))
    if window.view.viewport().mapFromGlobal(QCursor.pos()) != strip_centre(window, "fc"):
        pytest.skip("this platform does not move the mouse pointer")
    window.focus.enlarge_under_cursor()
    assert window.focus.is_open
    assert "fc" in window.focus.view.title.text()
    window.focus.close()


@pytest.mark.parametrize("lesson, step", [("01_one_layer", 2), ("02_chain_rule", 2),
                                          ("03_backprop_layers", 5), ("03_backprop_layers", 9)])
def test_a_lessons_network_is_whole_and_readable_beside_its_strip(qtbot, window, lesson, step):
    """At 1280x720 in presentation mode with the lesson open, as the class sees it."""
    open_on_projector(qtbot, window, lesson, step)
    assert window.view.text_px() >= 16 - 1e-6
    assert clipped(window) == []


def test_alexnets_overview_after_the_backward_pass_shows_every_edges_gradient(qtbot, window):
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)
    window.lessons.open("08_alexnet_case_study", 0, ask=False)      # batch 1, the overview
    run_backward(window)
    window.view.show_whole()
    view, scene = window.view, window.scene
    assert nodes_outside(view) == [] and view.text_px() >= 11 - 1e-6
    carrying = [edge for edge in scene.edges.values() if edge.gradient is not None]
    assert len(carrying) >= len(scene.edges) - 1                # all but the label's edge
    zoom = view.zoom_level()
    assert all(gradient_pen(edge.gradient, scene.scale_, zoom).widthF() * zoom >= 2 - 1e-6
               for edge in carrying)


def test_the_network_under_the_gradient_flow_plot_scrolls_down_only(qtbot, window):
    """Lesson 3 step 10 opens Gradient Flow under the canvas: the network's bands are as
    wide as the short canvas at the readable size (it had a horizontal scroll bar), and
    the legend covers no node."""
    open_on_projector(qtbot, window, "03_backprop_layers", 10)
    qtbot.wait(50)                             # the dock is sized after it is laid out
    view = window.view
    assert window.gradient_flow_dock.isVisible()
    assert view.text_px() >= 16 - 1e-6
    assert not view.horizontalScrollBar().isVisible()
    assert window.backprop.legend.isVisible() and legend_covers(window) == []
    qtbot.keyClick(window, Qt.Key.Key_PageUp)  # step 9: the canvas tall again, whole
    qtbot.wait(50)
    assert not view.horizontalScrollBar().isVisible()
    assert legend_covers(window) == []
