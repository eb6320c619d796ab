"""The Inspector keeps one page per node and phase and shows every later step there on the
same widgets: stepping forward, back and forward again builds each page once; another
sample or new weights show new numbers on the kept page; pages are bounded, hold no arrays
while hidden and go with clear_pages; large pictures are made on a worker thread."""
import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from bpviz.core.display.array_views import as_matrix
from bpviz.gui.backprop import inspector as inspector_module
from bpviz.gui.widgets import drawing
from bpviz.gui.widgets.heatmap import HeatMap
from bpviz.gui.widgets.image_grid import ImageGrid
from bpviz.paths import example_path


def deleted() -> None:
    """What deleteLater asked for, done now."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def walk(window) -> list:
    """Every step of a forward and backward pass, from the start: [(node, phase)]."""
    window.stepper.reset()
    seen = []
    while not window.classroom.gradients_ready:
        window.stepper.step()
        ev = window.classroom.current
        seen.append((ev.node, ev.phase))
    return seen


def test_forward_back_and_forward_again_builds_each_page_once(window):
    inspector = window.inspector
    seen = walk(window)                                   # spirals_mlp: 6 + 6 steps
    assert inspector.pages_built == len(set(seen)) == 12
    pages = dict(inspector.pages)
    for _ in range(5):
        window.stepper.back()
    for _ in range(5):
        window.stepper.step()
    walk(window)
    assert inspector.pages_built == 12                    # filled again, not built
    assert all(inspector.pages[key] is page for key, page in pages.items())
    assert window.classroom.current.node == "fc1"          # the last backward step
    np.testing.assert_array_equal(inspector.heatmaps["grad_weight"].matrix,
                                  as_matrix(window.classroom.graph.param_grad("fc1", "weight")))


def test_a_kept_page_shows_another_sample_and_new_weights(window):
    classroom, inspector = window.classroom, window.inspector
    classroom.step_to("fc1", "forward")
    output = inspector.heatmaps["output"]
    np.testing.assert_array_equal(output.matrix, classroom.graph.value("fc1")[[0]])
    built = inspector.pages_built
    classroom.set_sample(3)                              # the same StepEvent, sample 3
    assert inspector.heatmaps["output"] is output and inspector.pages_built == built
    np.testing.assert_array_equal(output.matrix, classroom.graph.value("fc1")[[3]])
    assert "sample&nbsp;3" in inspector.findChild(object, "inspector_title").text()
    page = inspector.page
    before = classroom.graph.value("fc1")[3].copy()
    classroom.run_phase()
    classroom.run_phase()                                # the backward pass: gradients
    assert classroom.apply_optimizer_step() is not None   # new weights, a new stepper
    built = inspector.pages_built
    classroom.step_to("fc1", "forward")
    after = classroom.graph.value("fc1")[3]
    assert not np.allclose(after, before)
    assert inspector.page is page and inspector.heatmaps["output"] is output
    assert inspector.pages_built == built
    np.testing.assert_array_equal(output.matrix, after[None])


def test_a_hidden_page_holds_no_arrays_and_pages_are_bounded(window, monkeypatch):
    inspector = window.inspector
    window.classroom.step_to("fc1", "forward")
    fc1 = inspector.page
    window.stepper.step()
    assert inspector.page is not fc1 and fc1.heatmaps["output"].matrix is None
    assert inspector.findChild(HeatMap, "heatmap_output") is inspector.heatmaps["output"]
    monkeypatch.setattr(inspector_module, "MAX_PAGES", 4)
    walk(window)
    deleted()
    assert len(inspector.pages) == 4 and not shiboken6.isValid(fc1)


def test_clear_pages_lets_a_new_graph_replace_the_old_pages(window):
    inspector = window.inspector
    walk(window)
    old = list(inspector.pages.values())
    inspector.clear_pages()
    deleted()
    assert inspector.pages == {} and inspector.current is None
    assert not any(shiboken6.isValid(page) for page in old)
    assert drawing._KEPT == {}
    window.document.open_example(example_path("sigmoid_chain"))
    window.stepper.step()
    assert len(inspector.pages) == 1 and inspector.heatmaps["output"].isVisible()


def test_an_enlarged_heat_map_of_a_kept_page(qtbot, window):
    inspector = window.inspector
    window.classroom.step_to("fc2", "forward")
    hm = inspector.heatmaps["output"]
    window.stepper.step()
    window.stepper.back()                                # the same page, filled again
    assert inspector.heatmaps["output"] is hm
    assert window.focus.open(hm)
    np.testing.assert_array_equal(window.focus.view.content.matrix, hm.matrix)
    window.focus.close()
    window.classroom.set_sample(1)
    assert window.focus.open(hm)                         # the copy has the new sample's numbers
    np.testing.assert_array_equal(window.focus.view.content.matrix,
                                  window.classroom.graph.value("fc2")[[1]])
    window.focus.close()
    assert hm.parentWidget() is not None and hm.isVisible()


def test_large_pictures_are_made_by_the_worker_and_kept(qtbot):
    big = np.random.default_rng(0).normal(size=(300, 300))
    heat = HeatMap("big")
    qtbot.addWidget(heat)
    heat.set_array(big)
    qtbot.waitUntil(lambda: heat.image is not None)      # delivered on the GUI thread
    assert heat.caption.startswith("300×300")
    assert not heat.grab().isNull()
    heat.set_array(np.eye(3))                            # a small one: at once
    assert heat.image is not None and heat.image.width() == 3

    from bpviz.core.display.images import value_pictures
    x = np.random.default_rng(1).random((4, 3, 224, 224))
    made = []
    make = lambda: made.append(1) or value_pictures(x[2])              # noqa: E731
    first = drawing.kept_drawing(x[2], ("values", 2), make, within=x)
    assert drawing.kept_drawing(x[2], ("values", 2), make, within=x) is first
    grid = ImageGrid()
    qtbot.addWidget(grid)
    grid.set_pictures("x", first, sizes=[(224, 224)])
    assert grid.sizes == [(224, 224)]                    # its place held meanwhile
    assert grid.pictures[0].pixels.shape == (224, 224, 3) and made == [1]
    x[2, 0, 0, 0] += 1.0                                 # changed in place: drawn again
    assert drawing.kept_drawing(x[2], ("values", 2), make, within=x) is not first


@pytest.mark.parametrize("example, node, phase", [("fc_softmax_ce", "flatten", "backward")])
def test_the_lecture_images_come_from_the_worker(qtbot, window, example, node, phase):
    window.document.open_example(example_path(example))
    window.classroom.step_to(node, phase)
    grid = window.inspector.widget().findChild(ImageGrid, "grad_image_input")
    assert len(grid.sizes) == 4                          # |dL/dx| and R, G, B: held
    qtbot.waitUntil(lambda: grid.drawing is None)        # then drawn
    assert [p.caption for p in grid.pictures][1:] == ["∂L/∂x R", "∂L/∂x G", "∂L/∂x B"]
    shown = grid.images
    window.stepper.back()
    window.stepper.step()                                # dL/dx computed again
    assert grid.images is not shown                      # the new pictures, made now
    assert [p.caption for p in grid.pictures][1:] == ["∂L/∂x R", "∂L/∂x G", "∂L/∂x B"]


def test_every_backward_heading_writes_the_lessons_partial_derivatives(window):
    """The lessons write ∂L/∂W; the Inspector's headings, titles and chain-rule line wrote
    dL/dW beside them (issue 20). Every backward page of a pass, as it is shown."""
    from PySide6.QtWidgets import QLabel

    window.stepper.reset()
    texts = []
    while not window.classroom.gradients_ready:
        window.stepper.step()
        page = window.inspector.page
        texts += [label.text() for label in page.findChildren(QLabel)]
        texts += [t for h in page.heatmaps.values() for t in (h.title, getattr(h, "focus_title", ""))]
    shown = " ".join(texts)
    assert "∂L/∂out" in shown and "∂L/∂weight (summed over the batch)" in shown
    assert "Chain rule: ∂L/∂" in shown
    assert [t for t in texts if "dL/d" in t] == []
