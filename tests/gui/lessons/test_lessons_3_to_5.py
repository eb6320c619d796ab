"""Lessons 3 to 5 (back-propagation through layers, classification and regression losses):
what each shows is the engine's own number, and the pieces they need (a Losses page by
title, the curves' values at one point, an enlarged Jacobian) work on their own."""
import numpy as np
import pytest

from bpviz.core.labs import curves
from bpviz.core.teaching.lessons import LessonError, load_lesson
from bpviz.gui.lessons.runner import LessonRunner
from bpviz.gui.widgets.jacobian_view import JacobianView
from bpviz.paths import lessons_dir

from .test_lessons import walk


def lesson(name: str):
    return load_lesson(lessons_dir() / f"{name}.lesson.json")


def shown_at(window, qtbot, name: str) -> dict:
    """{step title: (focused matrix or None, the current StepEvent, the focused widget, the
    lesson's graph)} once each step's answer is revealed."""
    seen = {}
    for _index, step in walk(qtbot, window, lesson(name)):
        content = window.focus.view.content if window.focus.is_open else None
        # a matrix view; 3.10 enlarges the gradient flow's plot, which has none
        matrix = (np.array(content.matrix, dtype=float) if hasattr(content, "matrix")
                  else None)
        seen[step.title] = (matrix, window.classroom.current, content, window.document.graph)
    return seen


def test_lesson_3_shows_the_engines_local_jacobians(qtbot, window):
    seen = shown_at(window, qtbot, "03_backprop_layers")
    pool, event, view, _ = seen["Max-pooling"]
    assert isinstance(view, JacobianView) and pool.shape == (8, 32)
    assert ((pool != 0).sum(axis=1) == 1).all() and set(pool[pool != 0]) == {1.0}
    relu, event, _, _ = seen["Activation: ReLU"]
    z = event.inputs["input"][event.sample].ravel()
    np.testing.assert_array_equal(relu, np.diag((z > 0).astype(float)))
    # the sigmoid's slopes on the diagonal: s(1 - s) of the engine's output, never over 1/4
    sig, event, _, _ = seen["A deep sigmoid chain"]
    s = event.output[event.sample]
    np.testing.assert_allclose(sig, np.diag(s * (1 - s)))
    assert 0 < sig.max() <= 0.25
    # fc1's weight gradient as shown, against the whole backward pass of the last step
    fc1, event, _, _ = seen["Vanishing gradients"]
    graph = seen["Seen on the edges"][3]
    np.testing.assert_allclose(fc1, graph.param_grad("fc1", "weight"))
    fc8 = np.abs(graph.param_grad("fc8", "weight")).max()
    assert 5e-4 < fc8 < 1e-3                              # "about 7·10⁻⁴", as the text says
    assert np.abs(fc1).max() < 1e-4 * fc8


def test_a_losses_page_is_shown_by_its_title(window):
    runner = LessonRunner(window)
    runner.run([{"tab": "losses"}, {"set": {"control": "loss_pages", "value": "Regression"}}],
               "do")
    lab = window.losses.panel
    assert lab.currentWidget() is lab.regression
    with pytest.raises(LessonError, match="'loss_pages' has no page 'Cats' \\(pages: "
                                          "Classification, Multiclass, Regression"):
        runner.run([{"set": {"control": "loss_pages", "value": "Cats"}}], "do")


def test_the_curves_are_read_out_at_one_point(window):
    window.show_tab("losses")
    lab = window.losses.panel
    cls, reg = lab.classification, lab.regression
    cls.at.set_value(2.0)
    assert cls.readout.values["hinge"] == (0.0, 0.0)
    assert cls.readout.values["cross-entropy"][0] == pytest.approx(np.log1p(np.exp(-2.0)))
    assert "At <b>t·y = 2</b>" in cls.readout.text() and "0.127" in cls.readout.text()
    assert cls.readout.line.value() == pytest.approx(2.0)
    reg.at.set_value(3.0)
    reg.delta.set_value(2.0)
    values = reg.readout.values
    assert values["L2"] == (9.0, 6.0) and values["L1"] == (3.0, 1.0)
    assert values["Huber"] == pytest.approx((4.0, 2.0))        # δ(|a| − δ/2), slope δ
    assert values["smooth L1"] == pytest.approx((2.5, 1.0))
    # the same numbers as the curves drawn, from the same engine op
    huber = curves.curve("HuberLoss", np.array([3.0]), delta=2.0)
    assert values["Huber"] == (float(huber[0][0]), float(huber[1][0]))


def test_lesson_4_shows_the_engines_hinge_gradients(qtbot, window):
    shown = {}
    for _index, step in walk(qtbot, window, lesson("04_classification_losses")):
        if step.title in ("Inside the margin", "Outside the margin"):
            event = window.classroom.current
            s = event.sample
            y, t = event.inputs["input"][s], event.inputs["target"][s]
            shown[step.title] = (float(window.focus.view.content.matrix[0, 0]), y, t,
                                 float(event.dinputs["input"][s]))
        if step.title == "The multiclass hinge":
            mc = window.losses.panel.multiclass
            assert window.losses.panel.currentWidget() is mc
            shown["multiclass"] = mc.result
            assert f"{mc.result['hinge']:.4f}" in mc.values.text()
    # point 2: t = +1, y = 0.75 inside the margin: -t; point 0 past it: 0 (as the text says)
    value, y, t, engine = shown["Inside the margin"]
    assert (t, round(float(y), 2)) == (1, 0.75) and value == engine == -1.0
    value, y, t, engine = shown["Outside the margin"]
    assert (t, round(float(y), 2)) == (-1, -1.47) and value == engine == 0.0
    # only English setter (1.5, within 1 of the true 2) gets a hinge gradient: 1/C each way
    r = shown["multiclass"]
    np.testing.assert_allclose(r["hinge_grad"], [-0.25, 0.25, 0, 0])
    assert r["hinge"] == pytest.approx((1 - 2 + 1.5) / 4)
    assert (r["ce_grad"][1:] > 0).all()                 # cross-entropy reaches every class


def test_lesson_5_reveals_the_engines_loss_values(qtbot, window):
    for _index, step in walk(qtbot, window, lesson("05_regression_losses")):
        if step.question is not None and not step.question.choices:
            readout = window.losses.panel.regression.readout
            name = {"L2 and outliers": "L2", "Smooth L1": "smooth L1",
                    "Changing δ": "Huber"}[step.title]
            assert readout.values[name][0] == pytest.approx(step.question.answer)
            assert f"{name} <b>{step.question.answer:g}</b>" in readout.text()


def test_a_binary_hinge_graph_gets_labels_plus_minus_one(window):
    from bpviz.paths import example_path
    window.document.open_example(example_path("binary_hinge"))
    classroom = window.classroom
    assert classroom.data.source == "blobs ±1" and classroom.problem() == ""
    assert window.data.source.currentText() == "blobs ±1"
    assert set(classroom.feeds()["t"]) <= {-1, 1}
    runner = LessonRunner(window)
    with pytest.raises(LessonError, match="needs labels t = −1 or \\+1, but 'moons' labels "
                                          "its classes 0, 1, …: pick 'blobs ±1'"):
        runner.run([{"data": "moons"}], "do")
    window.document.open_example(example_path("spirals_mlp"))
    with pytest.raises(LessonError, match="'blobs ±1' has labels t = −1 and \\+1, for a "
                                          "binary hinge loss"):
        runner.run([{"data": "blobs ±1"}], "do")


def test_the_curve_legends_name_each_loss_once_above_the_plot(window):
    window.show_tab("losses")
    lab = window.losses.panel
    for panel, names in ((lab.classification, ["cross-entropy", "hinge", "squared hinge"]),
                         (lab.regression, ["L1", "L2", "smooth L1 (dotted)", "Huber"])):
        assert list(panel.legend.entries) == names                   # dashed: the check box
        assert panel.plot.getPlotItem().legend is None               # none inside the plot


@pytest.mark.parametrize("title", ["Inside the margin", "Outside the margin"])
def test_lesson_4_says_the_output_shown_beside_a_point_is_the_batchs_loss(qtbot, window, title):
    """4.5 and 4.6 enlarge one point's y and t beside the hinge's output, a scalar: the sum
    over the batch (0.461), not that point's hinge (0.246; 0 for point 0)."""
    steps = lesson("04_classification_losses").steps
    index = next(i for i, step in enumerate(steps) if step.title == title)
    assert window.lessons.open("04_classification_losses", index, ask=False) == ""
    event = window.classroom.current
    s = event.sample
    own = max(0.0, 1 - float(event.inputs["target"][s] * event.inputs["input"][s]))
    batch = np.maximum(0, 1 - event.inputs["target"] * event.inputs["input"]).sum()
    assert float(event.output) == pytest.approx(batch) and float(event.output) != own
    assert "batch's" in steps[index].text


def test_lesson_5_zooms_to_the_slopes_near_zero(qtbot, window):
    """5.3 asks whose slope is 1 at residual 0.1: the plot shows ±1, where L2's slope 2x
    (0.2 there) and L1's ±1 stand apart, not ±3 with both squeezed into a sixth of it."""
    steps = lesson("05_regression_losses").steps
    index = next(i for i, step in enumerate(steps) if step.title == "Slopes near zero")
    assert window.lessons.open("05_regression_losses", index, ask=False) == ""
    regression = window.losses.panel.regression
    (x0, x1), _ = regression.plot.getPlotItem().vb.viewRange()
    assert -1.2 < x0 < -0.9 and 0.9 < x1 < 1.2
    window.lessons.next()                                     # the reveal: the marker at 0.1
    assert regression.at.value() == pytest.approx(0.1)
    assert regression.readout.values["L2"][1] == pytest.approx(0.2)


def test_lesson_4_step_7_hides_the_hinge_loss_with_its_gradients(qtbot, window):
    """'Which wrong classes get a gradient?': L_hinge = 0.1250 = (1 − 2 + 1.5)/4 beside the
    scores told it before the reveal; it comes with the gradients."""
    from PySide6.QtWidgets import QScrollArea

    from ..canvas.test_canvas_projector import open_on_projector
    steps = lesson("04_classification_losses").steps
    index = next(i for i, step in enumerate(steps) if step.title == "The multiclass hinge")
    open_on_projector(qtbot, window, "04_classification_losses", index + 1)
    multiclass = window.losses.panel.multiclass
    hinge = f"{multiclass.result['hinge']:.4f}"
    assert hinge == "0.1250" and hinge not in multiclass.values.text()
    assert f"{multiclass.result['ce']:.4f}" in multiclass.values.text()
    # the page as wide as its place, the class names drawn
    qtbot.wait(50)
    area = next(a for a in window.findChildren(QScrollArea) if a.isAncestorOf(multiclass))
    names = multiclass.plots["p"][0].getAxis("left")
    assert area.horizontalScrollBar().maximum() == 0 and names.width() > 100
    window.lessons.next()
    assert hinge in multiclass.values.text()
