"""The projector's layout (issue 20): in presentation mode the editing docks are put away
(F9 brings them back), a lesson's strip is a column beside the canvas, the canvas keeps
more than 55 % of a 1280x720 window at every lesson's first step, and Update & Train beside
a lesson keeps its formula, titles and plot whole."""
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetricsF

from bpviz.core.teaching.lessons import lessons_in
from bpviz.gui.shell.presentation_layout import EDITING
from bpviz.paths import lessons_dir

from ..test_readable_sizes import set_mode

LESSONS, _ = lessons_in(lessons_dir())
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


def press(qtbot, window, key) -> None:
    window.activateWindow()
    qtbot.keyClick(window.view, key)
    qtbot.wait(10)


def shown(window) -> dict:
    return {name: window.docks[name].isVisible() for name in EDITING}


def test_editing_docks_are_put_away_and_f9_brings_them_back(qtbot, window):
    assert shown(window) == {"palette": True, "properties": True, "problems": True}
    window.set_presentation(True)
    qtbot.wait(10)
    assert not any(shown(window).values())
    assert window.docks["inspector"].isVisible()
    press(qtbot, window, Qt.Key.Key_F9)
    assert all(shown(window).values())
    press(qtbot, window, Qt.Key.Key_F9)
    assert not any(shown(window).values())
    press(qtbot, window, Qt.Key.Key_F11)                 # the desk again: as they were
    assert not window.presentation
    assert all(shown(window).values()) and window.statusBar().isVisible()


def test_f9_is_in_the_view_menu_and_the_key_list(window):
    texts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.actions()}
    assert texts["Editing Docks in Presentation"] == "F9"
    assert "Editing Docks in Presentation" in window.keys_text() and "F9" in window.keys_text()


def test_a_dock_the_user_had_closed_stays_closed_after_presentation(qtbot, window):
    window.docks["properties"].close()
    window.set_presentation(True)
    window.set_presentation(False)
    qtbot.wait(10)
    assert shown(window) == {"palette": True, "properties": False, "problems": True}


def test_status_messages_show_in_presentation_without_the_status_bar(qtbot, window):
    window.set_presentation(True)
    qtbot.wait(10)
    assert not window.statusBar().isVisible()
    window.say("Graph saved")
    notice = window.presentation_layout.notice
    assert notice.isVisible() and notice.text() == "Graph saved"
    assert window.rect().contains(notice.geometry())


def canvas_share(window) -> float:
    viewport = window.view.viewport()
    return viewport.width() * viewport.height() / (window.width() * window.height())


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_the_canvas_keeps_55_percent_at_every_lessons_first_step(qtbot, window, lesson):
    set_mode(qtbot, window, "projector")
    assert window.lessons.open(str(lesson.path), ask=False) == ""
    window.resize(1280, 720)
    qtbot.wait(50)
    assert window.dockWidgetArea(window.lessons.dock) == RIGHT
    assert window.tabs.currentIndex() != 0 or canvas_share(window) >= 0.55
    panel = window.lessons.panel                       # the step's text is not cut
    assert panel.verticalScrollBar().maximum() == 0 or panel.height() > 0.6 * window.height()


def test_the_strip_goes_back_under_the_canvas_at_the_desk(qtbot, window):
    window.set_presentation(True)
    assert window.lessons.open("01_one_layer", ask=False) == ""
    qtbot.wait(10)
    assert window.dockWidgetArea(window.lessons.dock) == RIGHT and window.lessons.panel.narrow
    window.set_presentation(False)
    qtbot.wait(10)
    assert window.lessons.active and window.lessons.dock.isVisible()
    assert window.dockWidgetArea(window.lessons.dock) == BOTTOM
    assert not window.lessons.panel.narrow
    assert window.docks["palette"].isVisible() and not window.docks["problems"].isVisible()
    window.lessons.leave()
    assert window.docks["problems"].isVisible()


def test_a_lesson_ended_in_presentation_leaves_the_editing_docks_away(qtbot, window):
    window.set_presentation(True)
    window.lessons.open("01_one_layer", ask=False)
    window.lessons.leave()
    qtbot.wait(10)
    assert not any(shown(window).values()) and window.docks["inspector"].isVisible()


def whole_title(heat) -> bool:
    bold = heat.font()
    bold.setBold(True)
    return QFontMetricsF(bold).horizontalAdvance(heat.title) <= heat.width() - 8


def inside(widget, outer) -> bool:
    """``widget`` is drawn whole within ``outer`` (not scrolled or cut by it)."""
    top_left = widget.mapTo(outer, QPoint(0, 0))
    return outer.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("name, step", [("02_chain_rule", 6),
                                        ("06_gradient_descent_momentum", 8)])
def test_update_and_train_beside_a_lesson_reads_whole(qtbot, window, name, step):
    set_mode(qtbot, window, "projector")
    assert window.lessons.open(name, step - 1, ask=False) == ""
    window.lessons.next()                          # the reveal: the answer and why
    qtbot.wait(50)
    dock = window.docks["training"]
    panel = window.workspace.training.panel
    assert dock.isVisible()
    assert panel.update_formula.text_px() >= 16
    for heat in (panel.before, panel.delta, panel.after):
        assert whole_title(heat), heat.title
    assert inside(panel.loss_plot, dock)
    assert panel.loss_plot.getPlotItem().getAxis("bottom").label.isVisible()
    lesson = window.lessons.panel
    assert lesson.explain.text() and inside(lesson.explain, lesson.viewport())


def test_a_view_a_lesson_enlarges_leaves_the_lesson_column_in_sight(qtbot, window):
    set_mode(qtbot, window, "projector")
    step = next(i for i, s in enumerate(LESSONS[0].steps) if {"focus": "output"} in s.actions)
    assert window.lessons.open(str(LESSONS[0].path), step, ask=False) == ""
    qtbot.wait(50)
    assert window.focus.is_open
    column = window.lessons.dock.geometry()
    assert window.dockWidgetArea(window.lessons.dock) == RIGHT
    assert not window.focus.view.geometry().intersects(column)


def fits_counted(window) -> list:
    """Every fit of the lesson column from now on, as one entry each."""
    layout, calls = window.presentation_layout, []
    fit = layout.fit
    layout.fit = lambda: (calls.append(1), fit())
    return calls


def test_the_lesson_column_scrolls_only_when_needed_and_settles(qtbot, window):
    """No empty scroll bar beside a text that fits; a bar where it does not; and neither
    case keeps refitting (a bar that changes the width that decides it looped before)."""
    set_mode(qtbot, window, "projector")
    window.lessons.open("06_gradient_descent_momentum", 5, ask=False)
    bar = window.lessons.panel.verticalScrollBar()
    for size, scrolls in (((1280, 720), False), ((1280, 420), True), ((1280, 720), False)):
        window.resize(*size)
        qtbot.waitUntil(lambda wanted=size: window.size().toTuple() == wanted)
        qtbot.wait(50)
        assert bar.isVisible() == scrolls and (bar.maximum() > 0) == scrolls, size
        assert settles(qtbot, window), size


def settles(qtbot, window) -> bool:
    """The column stops refitting: 100 ms pass without a fit within 2 s (a fit that asks
    for the next went on for ever, hundreds a second)."""
    calls = fits_counted(window)
    try:
        for _ in range(20):
            before = len(calls)
            qtbot.wait(100)
            if len(calls) == before:
                return True
        return False
    finally:
        del window.presentation_layout.fit


@pytest.mark.parametrize("lesson, step", [("02_chain_rule", 4), ("03_backprop_layers", 2)])
def test_the_inspector_under_a_long_step_shows_five_lines(qtbot, window, lesson, step):
    """The column widens before the lesson takes the Inspector's height: under these
    steps' questions it showed two lines and a half, cut mid-line."""
    set_mode(qtbot, window, "projector")
    window.lessons.open(lesson, step - 1, ask=False)
    inspector = window.inspector
    def lines() -> float:
        return inspector.viewport().height() / inspector.fontMetrics().lineSpacing()

    for _ in ("asked", "revealed"):
        assert settles(qtbot, window) and inspector.isVisible()
        assert lines() >= 5, lines()
        window.lessons.next()                         # the reveal
