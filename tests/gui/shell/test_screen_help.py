"""F1, "what is on screen": the help page of the panel under the mouse (or with the focus),
for every panel that has one; every page is readable on a projector and at a desk."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor

from bpviz.core.teaching.help_pages import SUFFIX
from bpviz.gui.shell import screen_help
from bpviz.gui.shell.screen_help import OVERVIEW, PANELS, HelpTopic, help_dir
from bpviz.gui.widgets.help_page import HelpPageView

from ..readability import too_small
from ..test_readable_sizes import set_mode, show_tab


def press_f1_over(qtbot, window, widget, pos=None):
    QCursor.setPos(widget.mapToGlobal(pos or widget.rect().center()))
    qtbot.keyClick(widget, Qt.Key.Key_F1)


def shown_page(window) -> str | None:
    if not window.focus.is_open or not isinstance(window.focus.origin, HelpTopic):
        return None
    return window.focus.origin.page.key


def explained(qtbot, window, widget, pos=None) -> str | None:
    """The help page F1 over ``widget`` opens (closed again afterwards)."""
    press_f1_over(qtbot, window, widget, pos)
    key = shown_page(window)
    window.focus.close()
    return key


def test_every_panel_has_a_page_and_every_page_a_panel():
    files = {p.name.removesuffix(SUFFIX) for p in help_dir().glob(f"*{SUFFIX}")}
    assert set(PANELS.values()) | {OVERVIEW} == files


def test_f1_over_each_backprop_panel_opens_its_page(qtbot, window):
    window.stepper.step()
    window.docks["inspector"].raise_()
    window.show_training()
    qtbot.waitUntil(lambda: window.training.built)
    panels = {"canvas": window.view, "stepper": window.stepper.buttons["step"],
              "data": window.data.batch, "inspector": window.inspector,
              "layers": window.op_palette, "problems": window.problems,
              "update": window.training.panel.step_button}
    for key, widget in panels.items():
        qtbot.waitUntil(widget.isVisible)
        assert explained(qtbot, window, widget) == key
    # the train-mode box sits in the data row but is the stepper's
    assert explained(qtbot, window, window.stepper.train_mode) == "stepper"
    window.docks["properties"].raise_()
    assert explained(qtbot, window, window.properties) == "properties"


def test_f1_over_each_page_of_the_other_tabs(qtbot, window):
    show_tab(qtbot, window, "losses")
    lab = window.losses.panel
    for index, key in enumerate(("losses_classification", "losses_multiclass",
                                 "losses_regression", "losses_surface")):
        lab.setCurrentIndex(index)
        qtbot.wait(10)
        assert explained(qtbot, window, lab.currentWidget()) == key
        assert explained(qtbot, window, lab.tabBar()) == key       # a tab names its page
    show_tab(qtbot, window, "optimizers")
    assert explained(qtbot, window, window.optimizers.panel.run_button) == "optimizers"
    show_tab(qtbot, window, "training")
    assert explained(qtbot, window, window.training_tab.panel) == "training"


def test_f1_over_the_lesson_and_an_enlarged_view(qtbot, window):
    assert window.lessons.open("01_one_layer", ask=False) == ""
    panel = window.lessons.panel
    qtbot.waitUntil(panel.isVisible)
    assert explained(qtbot, window, panel.next) == "lesson"
    window.lessons.leave()
    window.stepper.step()
    window.docks["inspector"].raise_()
    heatmap = window.inspector.heatmaps["output"]
    qtbot.waitUntil(heatmap.isVisible)
    assert window.focus.open(heatmap)
    assert explained(qtbot, window, window.focus.view.content) == "focus"


def test_elsewhere_f1_gives_the_overview_and_f1_again_closes(qtbot, window):
    bar = window.tabs.tabBar()
    press_f1_over(qtbot, window, bar, bar.tabRect(0).center())
    assert shown_page(window) == OVERVIEW
    page = window.focus.view.content
    assert isinstance(page, HelpPageView) and "Backprop tab" in page.text()
    qtbot.keyClick(page, Qt.Key.Key_F1)
    assert not window.focus.is_open
    press_f1_over(qtbot, window, window.view)
    qtbot.keyClick(window.focus.view.content, Qt.Key.Key_Escape)
    assert not window.focus.is_open


def test_with_the_mouse_outside_the_window_f1_explains_the_focused_panel(qtbot, window):
    window.data.batch.setFocus()
    qtbot.waitUntil(window.data.batch.hasFocus)
    QCursor.setPos(window.mapToGlobal(QPoint(-400, -400)))
    qtbot.keyClick(window.data.batch, Qt.Key.Key_F1)
    assert shown_page(window) == "data"


def test_f1_while_drawing_stops_the_pen_and_explains_the_panel_below(qtbot, window):
    window.annotations.start()
    press_f1_over(qtbot, window, window.view)
    assert shown_page(window) == "canvas" and not window.annotations.overlay.drawing


def test_a_broken_page_is_a_message_not_an_exception(qtbot, window, tmp_path, monkeypatch):
    (tmp_path / "canvas.md").write_text("no title here\n", encoding="utf-8")
    monkeypatch.setattr(screen_help, "help_dir", lambda: tmp_path)
    press_f1_over(qtbot, window, window.view)
    assert not window.focus.is_open
    assert "canvas.md, line 1" in window.last_message
    press_f1_over(qtbot, window, window.op_palette)           # no file at all
    assert "layers.md: cannot be read" in window.last_message


@pytest.mark.parametrize("mode", ["desk", "projector"])
def test_every_page_is_readable(qtbot, window, mode):
    px = set_mode(qtbot, window, mode)
    for key in sorted(set(PANELS.values()) | {OVERVIEW}):
        assert window.screen_help.explain(key), key
        page = window.focus.view.content
        qtbot.waitUntil(lambda page=page: page.isVisible() and page.widget().width() > 100)
        assert too_small(window.focus.view, px) == [], key
        assert page.formulas == [] or all(f.text_px() >= px for f in page.formulas), key
        # the text column fits the window: nothing to scroll sideways
        assert page.horizontalScrollBar().maximum() == 0, key
        window.focus.close()
