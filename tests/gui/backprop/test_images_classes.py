"""Images and classes in the Inspector: the image input and dL/dx as images, the rows of W
and dL/dW as class templates, the one-hot target and softmax with class names; the small
lecture example loads with its data and steps; readable in presentation mode."""
import numpy as np
import pytest
from PySide6.QtGui import QFontInfo

from bpviz.core.data import datasets as ds
from bpviz.core.display.images import row_images, signed_uint8
from bpviz.gui.theme import readable_px
from bpviz.gui.widgets.class_vector import ClassVector
from bpviz.gui.widgets.image_grid import ImageGrid
from bpviz.paths import example_path

from .test_stepping import step_to


def view(window, cls, name):
    found = window.inspector.widget().findChild(cls, name)
    assert found is not None, f"no {name} in the inspector"
    return found


@pytest.fixture
def lecture(window):
    window.document.open_example(example_path("lecture_small"))
    return window


def test_the_small_lecture_example_loads_with_its_data_and_steps(lecture):
    classroom = lecture.classroom
    assert classroom.data.source == "colour_shapes" and classroom.problem() == ""
    assert classroom.data.dataset.classes == ds.COLOUR_SHAPES
    lecture.stepper.run_phase()
    lecture.stepper.run_phase()
    assert classroom.gradients_ready
    graph = lecture.document.graph
    np.testing.assert_allclose(graph.value("loss"), np.log(3))     # W = 0: sigma = 1/3


def test_the_image_input_is_shown_as_an_rgb_image(lecture):
    ev = step_to(lecture, "flatten", "forward")
    grid = view(lecture, ImageGrid, "images_in_input")
    (picture,) = grid.pictures
    x = ev.inputs["input"][ev.sample]                      # 0 or 1: colour_shapes
    np.testing.assert_array_equal(picture.pixels, (x * 255).astype(np.uint8).transpose(1, 2, 0))
    assert grid.images[0].width() == 32 and grid.cell_side(grid.width()) >= 64


def test_target_is_one_hot_with_class_names_and_softmax_is_labelled(lecture):
    ev = step_to(lecture, "softmax", "forward")
    probs = view(lecture, ClassVector, "classes_output")
    assert probs.names == ds.COLOUR_SHAPES
    np.testing.assert_allclose(probs.values, ev.output[ev.sample])
    logits = view(lecture, ClassVector, "classes_in_input")
    assert logits.names == ds.COLOUR_SHAPES and "fc" in logits.title
    lecture.data.sample.setValue(3)
    ev = step_to(lecture, "loss", "forward")
    label = int(ev.inputs["target"][3])
    target = view(lecture, ClassVector, "classes_onehot_target")
    np.testing.assert_array_equal(target.values, np.eye(3)[label])
    assert target.names == ds.COLOUR_SHAPES and target.true_class == label
    terms = view(lecture, ClassVector, "classes_loss_terms")
    np.testing.assert_allclose(terms.values, np.log(3) * np.eye(3)[label])
    assert view(lecture, ClassVector, "classes_in_input").true_class == label


def test_rows_of_w_and_dl_dw_are_class_templates(lecture):
    step_to(lecture, "fc", "forward")
    grid = view(lecture, ImageGrid, "templates_weight")
    assert [p.caption for p in grid.pictures] == ds.COLOUR_SHAPES
    assert all(p.pixels.shape == (32, 32, 3) for p in grid.pictures)
    assert all((p.pixels == 128).all() for p in grid.pictures)      # W = 0: mid grey
    step_to(lecture, "fc", "backward")
    grid = view(lecture, ImageGrid, "templates_dweight")
    dw = row_images(lecture.document.graph.param_grad("fc", "weight"), (3, 32, 32))
    limit = np.abs(dw).max()
    for k, picture in enumerate(grid.pictures):
        np.testing.assert_array_equal(picture.pixels,
                                      signed_uint8(dw[k], limit).transpose(1, 2, 0))
    assert "summed over the batch" in grid.title


def test_the_gradient_with_respect_to_the_image_is_an_image(window):
    window.document.open_example(example_path("fc_softmax_ce"))   # the lecture: 224x224x3
    step_to(window, "fc", "forward")
    grid = view(window, ImageGrid, "templates_weight")
    assert len(grid.pictures) == 10 and grid.pictures[0].caption == "kit fox"
    assert grid.pictures[0].pixels.shape == (224, 224, 3)
    ev = step_to(window, "flatten", "backward")
    grid = view(window, ImageGrid, "grad_image_input")
    size, *channels = grid.pictures
    g = ev.dinputs["input"][ev.sample]
    assert [p.caption for p in channels] == ["∂L/∂x R", "∂L/∂x G", "∂L/∂x B"]
    brightest = np.unravel_index(np.argmax(np.sqrt((g ** 2).sum(0))), g.shape[1:])
    assert size.pixels[brightest] == 255 and size.pixels.shape == (224, 224)


def test_a_network_on_2d_points_gets_class_names_but_no_images(window):
    step_to(window, "fc3", "forward")                              # spirals_mlp
    logits = view(window, ClassVector, "classes_output")
    assert logits.names == window.classroom.data.dataset.classes == ["arm 0", "arm 1", "arm 2"]
    assert window.inspector.widget().findChildren(ImageGrid) == []
    window.stepper.reset()
    step_to(window, "fc1", "forward")                              # a hidden layer
    assert window.inspector.widget().findChild(ClassVector, "classes_output") is None


def test_images_and_class_names_are_readable_in_presentation_mode(lecture, qtbot):
    lecture.set_presentation(True)
    lecture.resize(1280, 720)
    step_to(lecture, "fc", "backward")
    qtbot.wait(10)
    grid = view(lecture, ImageGrid, "templates_dweight")
    vector = view(lecture, ClassVector, "classes_dout")
    for widget in (grid, vector):
        assert QFontInfo(widget.font()).pixelSize() >= readable_px(True)
        assert widget.height() >= widget.height_for(widget.width())    # nothing cut off
    assert grid.cell_side(grid.width()) >= 64
    assert grid.cell_rect(2).right() <= grid.width() or grid.columns(grid.width()) < 3


def test_feature_maps_and_their_gradients_are_grids_of_channels(window):
    window.document.open_example(example_path("shapes_cnn"))
    ev = step_to(window, "conv1", "forward")
    grid = view(window, ImageGrid, "images_in_input")        # the 1x16x16 grey input
    assert len(grid.pictures) == 1 and grid.pictures[0].pixels.shape == (16, 16)
    grid = view(window, ImageGrid, "images_output")
    assert [p.caption for p in grid.pictures] == [f"channel {k}" for k in range(8)]
    maps = ev.output[ev.sample]
    brightest = np.unravel_index(np.argmax(maps), maps.shape)
    assert grid.pictures[brightest[0]].pixels[brightest[1:]] == 255
    step_to(window, "pool2", "backward")
    many = view(window, ImageGrid, "grad_image_input")      # dL/d(relu2): 16 maps
    assert len(many.pictures) == 1 + 16
    many_side = many.cell_side(400)
    step_to(window, "pool1", "backward")
    grid = view(window, ImageGrid, "grad_image_input")      # dL/d(relu1): 8 maps
    assert len(grid.pictures) == 1 + 8 and grid.pictures[0].caption == "|∂L/∂x| per pixel"
    assert many_side == 64 < grid.cell_side(400)              # fewer maps: larger cells


def test_diverged_values_are_drawn_without_errors(qtbot):
    from bpviz.core.display.images import gradient_pictures, value_pictures
    bad = np.array([[[np.nan, np.inf], [-np.inf, 1.0]]] * 3)
    pictures = value_pictures(bad)[0] + gradient_pictures(bad)[0]
    grid = ImageGrid("diverged", pictures, "note")
    vector = ClassVector("diverged", [np.nan, np.inf, -1.0], ["a", "b", "c"], true_class=1)
    for widget in (grid, vector):
        qtbot.addWidget(widget)
        widget.resize(300, widget.heightForWidth(300))
        assert not widget.grab().isNull()              # painted: an error would fail the test
    assert all(p.pixels.dtype == np.uint8 for p in pictures)


def test_image_grids_and_class_vectors_enlarge_in_the_focus_view(qtbot, window):
    from bpviz.gui.widgets.class_vector import ClassVector
    from bpviz.gui.widgets.image_grid import ImageGrid
    window.resize(1440, 900)
    window.document.open_example(example_path("fc_softmax_ce"))
    window.stepper.step()                                  # flatten: the input as an image
    grid = window.inspector.findChild(ImageGrid)
    assert window.focus.open(grid)
    large = window.focus.view.findChild(ImageGrid)
    qtbot.wait(10)
    assert large.cell_rect(0).width() > 2 * grid.cell_rect(0).width()
    window.focus.close()
    while window.classroom.current.node != "softmax":
        window.stepper.step()
    vector = window.inspector.findChild(ClassVector)
    assert window.focus.open(vector)
    copy = window.focus.view.findChild(ClassVector)
    assert list(copy.names) == list(vector.names) and copy.fontInfo().pixelSize() > \
        vector.fontInfo().pixelSize()
    window.focus.close()


def test_class_templates_are_kept_while_w_is_unchanged_and_redrawn_after_an_update(
        qtbot, window, monkeypatch):
    from bpviz.gui.backprop import lecture_views
    calls = []
    real = lecture_views.template_pictures
    monkeypatch.setattr(lecture_views, "template_pictures",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    window.document.open_example(example_path("lecture_small"))
    step_to(window, "fc", "forward")
    first = window.inspector.findChild(ImageGrid, "templates_weight").pictures
    window.stepper.reset()
    step_to(window, "fc", "forward")
    assert len(calls) == 1                              # the same W: pictures kept
    window.stepper.run_phase()
    window.stepper.run_phase()                          # backward done: a gradient
    window.workspace.apply_optimizer_step()             # W changes in place
    step_to(window, "fc", "forward")
    after = window.inspector.findChild(ImageGrid, "templates_weight").pictures
    assert len(calls) >= 2
    assert any((a.pixels != b.pixels).any() for a, b in zip(first, after, strict=True))


def test_lesson_1_shows_a_photograph_named_as_what_it_is(qtbot, window):
    """Issue 20 item 8: lesson 1's image is a photograph, and the class named for it is what
    it shows (no stripes called 'kit fox')."""
    from bpviz.core.data.photos import photo, resize

    assert window.lessons.open("01_one_layer", 1, ask=False) == ""     # "The input x"
    classroom = window.classroom
    assert classroom.data.source == "photos"
    ev = classroom.current
    assert (ev.node, ev.phase) == ("flatten", "forward")
    x = ev.inputs["input"][ev.sample]
    label = int(classroom.data.current_batch()[1][ev.sample])
    name = classroom.data.dataset.classes[label]
    assert name == "tabby cat"                       # the lesson's step 5 says so
    np.testing.assert_allclose(x, resize(photo(name), 224))   # the whole photo, no crop
    (picture,) = view(window, ImageGrid, "images_in_input").pictures
    assert picture.pixels.shape == (224, 224, 3) and picture.pixels.std() > 20
    assert "here 0, tabby cat" in window.lessons.lesson.steps[4].text
