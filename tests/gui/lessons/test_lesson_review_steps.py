"""Steps of lessons 1-3 and 8 that a review of the 1280x720 presentation screenshots found
hard to read (issue 20): each check names the step and what the class could not see."""
import os

import pytest

from bpviz.gui.widgets.jacobian_view import JacobianView

from . import test_lessons_1_to_3_screens as screens
from .test_lessons_1_to_3_screens import go, reveal

projector = screens.projector            # the fixture: 1280x720, presentation mode


def enlarged(window):
    assert window.focus.is_open
    return window.focus.view.content


def test_3_5_the_conv_jacobian_writes_its_weights_in_its_cells(qtbot, projector):
    """Drawn in saturated colours only, 1, 0 and −1 read as "ones and zeros": every one of
    its 32×36 cells now holds its number, at a projector's 16 px or more."""
    go(qtbot, projector, "03_backprop_layers", 5)
    reveal(qtbot, projector)
    view = enlarged(projector)
    assert isinstance(view, JacobianView)
    assert view.visible() == (0, 32, 0, 36)
    block, texts = view.numbers()
    assert set(texts) == {"1", "0", "-1"} and len(texts) == 32 * 36
    assert view.number_font(texts).pixelSize() >= 16
    assert "1 backward pass so far" in view.caption(True)[0]


def test_8_6_the_jacobian_corner_shows_whole_rows_and_columns(qtbot, projector):
    """The 4,096×4,096 Jacobian opens on its corner: row 17 and column 7 were cut at the
    grid's edges (the header "7" half off screen). Now the grid ends on a cell's edge."""
    go(qtbot, projector, "08_alexnet_case_study", 6)
    reveal(qtbot, projector)
    view = enlarged(projector)
    qtbot.waitUntil(view.shows_numbers, timeout=20000)
    g = view.grid_rect()
    r0, r1, c0, c1 = view.visible()
    assert (r0, c0) == (0, 0) and r1 > 10 and c1 > 5
    right, bottom = view.to_widget(c1, r1).x(), view.to_widget(c1, r1).y()
    assert abs(right - g.right()) < 0.5 and abs(bottom - g.bottom()) < 0.5


def test_8_4_the_pictures_keep_their_size_at_the_reveal(qtbot, projector):
    """The added colour's caption wraps from two lines to three at the reveal; the pictures
    above it shrank by about 20 px (a jump on the projector)."""
    go(qtbot, projector, "08_alexnet_case_study", 4)
    demo = projector.training_tab.panel.augment_demo
    before = [view.image_rect().size() for view in demo.views]
    table = demo.components.geometry()           # beside the added colour's widening column
    reveal(qtbot, projector)
    assert "−31.5" in demo.captions[3].text()
    assert [view.image_rect().size() for view in demo.views] == before
    assert demo.components.geometry().topLeft() == table.topLeft()


def test_8_7_the_output_folder_is_shown_whole_and_read_as_typed(qtbot, projector, monkeypatch):
    """The field showed only the path's last 27 characters ("uns/alexnet-2026…"): it now has
    the form's width, the home folder written as ~, which the run's settings expand."""
    go(qtbot, projector, "08_alexnet_case_study", 7)
    form = projector.training_tab.panel.form
    out = form.out
    assert out.text().startswith("~/bpviz-runs/alexnet-")
    room = out.contentsRect().width() - 8                       # the frame's text margins
    assert out.fontMetrics().horizontalAdvance(out.text()) <= room
    assert form.config().out == os.path.expanduser(out.text())


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (1920, 1080)])
def test_full_screen_presentation_with_a_run_open_shows_the_form_whole(qtbot, window,
                                                                       tmp_path, size):
    """Full screen in presentation mode, a run's plots beside it: the form was cut about
    15 px on the right (its Folder… button)."""
    from ..training.test_training_views import cut_controls, fake_run, wholly_shown
    fake_run(tmp_path / "run")
    window.set_presentation(True)
    window.showFullScreen()
    window.resize(*size)                       # a projector's screen
    window.tabs.setCurrentIndex(3)
    tab = window.training_tab.panel
    assert tab.open_run(tmp_path / "run")
    tab.view.flush()
    qtbot.waitUntil(lambda: tab.view.plots["loss"].isVisible(), timeout=10_000)
    qtbot.wait(100)
    assert wholly_shown(tab.form.browse) and wholly_shown(tab.form.out)
    assert cut_controls(tab) == []


def test_2_5_the_enlarged_rows_are_titled_once_with_the_lessons_symbol(qtbot, projector):
    """The enlarged ten rows showed their title twice (the bar's and the grid's own), and
    wrote dL/dW where the lesson writes ∂L/∂W."""
    go(qtbot, projector, "02_chain_rule", 5)
    title = projector.focus.view.title.text()
    assert title.startswith("rows of ∂L/∂W as images") and "dL/d" not in title
    assert enlarged(projector).title == ""


def test_2_6_before_the_answer_the_panel_names_its_parameter_and_the_loss_so_far(
        qtbot, projector):
    """Before the step the parameter combo was empty and the loss plot had no point: now
    it names fc.weight and marks the loss the question starts from (2.44) at step 0."""
    go(qtbot, projector, "02_chain_rule", 6)
    panel = projector.workspace.training.panel
    assert panel.param_choice.currentText() == "fc.weight"
    steps, losses = panel.loss.stepped.getData()
    assert list(steps) == [0] and round(losses[0], 2) == 2.44
    assert panel.loss.value.toPlainText() == "2.44"
    reveal(qtbot, projector)
    steps, losses = panel.loss.stepped.getData()
    assert list(steps) == [0, 1] and round(losses[1], 1) == 66.5


def test_2_6_after_the_answer_update_and_train_does_not_scroll_sideways(qtbot, projector):
    """The captions written after the step (10×150528 under each heat map) made the panel
    9 px wider than its dock: a horizontal scroll bar appeared at its foot and took the
    form's height (the "dampening" row was cut)."""
    from PySide6.QtWidgets import QScrollArea
    go(qtbot, projector, "02_chain_rule", 6)
    panel = projector.workspace.training.panel
    area = panel.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)
    form_height = panel.step_button.geometry().top()
    reveal(qtbot, projector)
    qtbot.waitUntil(lambda: "10×150528" in panel.after.caption, timeout=10_000)
    qtbot.wait(100)
    assert panel.minimumSizeHint().width() <= area.viewport().width()
    assert not area.horizontalScrollBar().isVisible()
    assert panel.step_button.geometry().top() == form_height


@pytest.mark.parametrize("lesson", ["01_one_layer", "02_chain_rule", "03_backprop_layers"])
def test_lessons_1_to_3_draw_their_network_at_16_px_at_every_step(qtbot, projector, lesson):
    """The lecture-sized examples at a projector's 16 px wherever the class sees the canvas,
    before and after each reveal (four steps were checked; AlexNet's overview in lesson 8
    has its own 11 px check)."""
    from bpviz.gui.lessons.controller import find_lesson
    steps = find_lesson(lesson).steps
    seen = 0
    for number, step in enumerate(steps, 1):
        go(qtbot, projector, lesson, number)
        for moment in ("before", "after"):
            if projector.view.isVisible() and not projector.focus.is_open:
                seen += 1
                assert projector.view.text_px() >= 16 - 1e-6, (number, moment)
            if moment == "before" and (step.question is not None or step.reveal):
                reveal(qtbot, projector)
    assert seen >= 3


def test_3_7_the_question_keeps_sigma_prime_of_z_on_one_line(qtbot, projector):
    """In the 1280x720 screenshot the question wrapped between σ′ and (z): "σ′" ended a
    line and "(z) can take?" began the next. A word joiner (U+2060) holds them together;
    the label's own wrap width is not reproduced here, so the joiner is what is checked."""
    go(qtbot, projector, "03_backprop_layers", 7)
    assert "σ′\u2060(z) can take?" in projector.lessons.panel.ask.text()
