"""The Training form keeps its whole width when presentation mode comes after the tab was
built (issue 20: at 1280x720 the form was cut at its right edge, 291 px of its 421 shown,
only when the tab had been opened before presentation mode)."""
from bpviz.gui.training.training_form import FormArea
from tests.gui.test_readable_sizes import set_mode, show_tab


def shown_form(window) -> FormArea:
    return next(area for area in window.findChildren(FormArea) if area.isVisible())


def test_the_form_widens_with_presentation_mode(qtbot, window):
    window.resize(1440, 900)
    show_tab(qtbot, window, "training")
    area = shown_form(window)
    before = area.form.width()
    set_mode(qtbot, window, "projector")               # then the lecture starts
    qtbot.waitUntil(lambda: area.form.minimumSizeHint().width() > before)
    qtbot.waitUntil(lambda: area.viewport().width() >= area.form.minimumSizeHint().width())
    assert area.form.width() <= area.viewport().width()
    assert not area.horizontalScrollBar().isVisible()
