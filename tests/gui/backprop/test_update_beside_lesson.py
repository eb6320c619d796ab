"""Update & Train beside a lesson at 1280x720 in presentation mode, as the class sees
lesson 2 step 6 (one SGD step with γ = 0.1: the loss 2.44 becomes 66.5) and lesson 6 step 8
(momentum's first step against SGD's)."""
from contextlib import suppress

from PySide6.QtGui import QFontMetricsF
from pytestqt.exceptions import TimeoutError as WaitTimeout

from ..acting import choose, type_into
from ..labs.test_optimizer_cards import inside
from ..readability import too_small
from ..shell.test_presentation_layout import whole_title
from ..test_readable_sizes import set_mode


def open_step(qtbot, window, lesson: str, step: int):
    set_mode(qtbot, window, "projector")
    assert window.lessons.open(lesson, step - 1, ask=False) == ""
    qtbot.wait(50)
    return window.workspace.training.panel


def reveal(qtbot, window) -> None:
    window.lessons.next()
    qtbot.wait(50)


def whole_caption(heat) -> bool:
    """At most the two lines the heat map draws, each as wide as the map allows."""
    lines = heat.caption.splitlines()
    metrics = QFontMetricsF(heat.font())
    return 0 < len(lines) <= 2 and all(metrics.horizontalAdvance(line) <= heat.width() - 8
                                       for line in lines)


def whole_text(button) -> bool:
    return button.minimumSizeHint().width() <= button.width()


def in_sight(widget) -> bool:
    """Drawn whole: no part of it scrolled out or cut by a parent."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_lesson_2_step_6_plots_the_new_loss_and_every_caption_reads_whole(qtbot, window):
    panel = open_step(qtbot, window, "02_chain_rule", 6)
    reveal(qtbot, window)
    steps, losses = panel.loss.stepped.getData()
    assert list(steps) == [0, 1]
    assert round(losses[0], 2) == 2.44 and round(losses[1], 1) == 66.5
    assert panel.loss.value.isVisible() and panel.loss.value.toPlainText() == "66.5"
    panel.loss_plot.grab()                               # its range follows when drawn
    (x0, x1), (y0, y1) = panel.loss_plot.getViewBox().viewRange()
    assert x0 < 0 and x1 > 1 and y0 < 2.44 and y1 > 66.5         # both marks in view
    assert panel.loss_plot.getAxis("bottom").autoSIPrefixScale == 1
    dock = window.docks["training"]
    shown = (panel.loss_plot, panel.before, panel.delta, panel.after, panel.update_formula,
             panel.param_choice)
    # the docks settle their sizes in later event turns (in one -n run the plot was still
    # partly outside): wait for the layout, then say which widget is cut, if one is
    with suppress(WaitTimeout):
        qtbot.waitUntil(lambda: all(inside(w, window) and inside(w, dock) for w in shown),
                        timeout=5000)
    for widget in shown:
        assert inside(widget, window) and inside(widget, dock), widget
    for heat in (panel.before, panel.delta, panel.after):
        assert whole_title(heat) and whole_caption(heat), (heat.title, heat.caption)
        assert heat.caption.startswith("10×150528\n±")
    for button in (panel.step_button, panel.steps, panel.train_n, panel.train_button):
        assert in_sight(button), button.objectName() or button.text()  # 200 steps/Train: cut
    for button in (panel.step_button, panel.train_n, panel.train_button):
        assert whole_text(button), button.text()
    assert panel.update_formula.text_px() >= 16
    assert too_small(panel, 16) == []
    # the class asks "and with γ = 0.001?": typed after the step, the next one uses it
    type_into(qtbot, panel.optim_form.fields["lr"], "0.001")
    panel.step_button.click()
    assert window.classroom.optimizer.all_values["lr"] == 0.001
    window.stepper.run_phase()                          # forward again, as the lesson did
    steps, losses = panel.loss.stepped.getData()
    assert list(steps) == [0, 1, 2] and losses[2] != losses[1]
    assert panel.loss.value.toPlainText() == f"{losses[2]:.3g}"


def test_lesson_6_step_8_compares_momentums_step_with_sgds(qtbot, window):
    panel = open_step(qtbot, window, "06_gradient_descent_momentum", 8)
    assert panel.versus.text() == ""                     # nothing given away before
    for heat in (panel.before, panel.delta, panel.after):
        assert heat.matrix is None and heat.note == "after a step"
    reveal(qtbot, window)
    assert panel.param_choice.currentText() == "fc2.weight"
    assert panel.before.matrix.shape == (64, 64)        # a square, not a 64x2 strip
    assert panel.versus.text() == "ΔW = 1.00 × SGD's"   # the answer: the same
    assert inside(panel.versus, window) and whole_text(panel.versus)
    for heat in (panel.before, panel.delta, panel.after):
        assert whole_title(heat) and whole_caption(heat), (heat.title, heat.caption)
    assert whole_text(panel.kind)                       # "Momentum" whole
    assert too_small(panel, 16) == []
    strip = window.lessons.panel                        # the answer and why, read whole
    for label in (strip.text, strip.ask, strip.feedback, strip.explain):
        assert in_sight(label) and inside(label, window), label.objectName()
    panel.step_button.click()                           # the velocity builds up
    ratio = float(panel.versus.text().split()[2])
    assert 1.3 < ratio < 2.0
    choose(panel.kind, "SGD")                           # plain SGD: nothing to compare
    panel.step_button.click()
    assert panel.versus.text() == ""
