"""Pen and highlighter over the window: a stroke drawn with the mouse, C clears, Backspace
takes one back (and deletes no node), Esc stops drawing with the strokes kept and the mouse
given back, a resize clears them, and nothing reaches the graph, the document or the
settings."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from bpviz.gui.config.settings import settings
from bpviz.gui.theme import THEMES, contrast_ratio
from bpviz.gui.widgets.annotations import HIGHLIGHTER, PEN, PEN_COLORS

from ..readability import too_small
from ..test_readable_sizes import set_mode


def draw(qtbot, overlay, points):
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=points[0])
    for p in points[1:]:
        qtbot.mouseMove(overlay, p)
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=points[-1])


def line(x0, y, x1, n=12):
    return [QPoint(x0 + (x1 - x0) * k // n, y) for k in range(n + 1)]


def pixel(window, overlay, point) -> QColor:
    image = window.grab().toImage()
    at = overlay.mapTo(window, point)
    return QColor(image.pixel(at.x(), at.y()))


def test_pen_key_draws_a_stroke_in_the_pen_colour(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    notes = window.annotations
    overlay = notes.overlay
    assert overlay.drawing and overlay.tool == PEN and notes.actions[PEN].isChecked()
    centre = window.view.mapTo(window, window.view.rect().center())
    assert window.childAt(centre) is overlay           # the mouse goes to the page now
    start = overlay.mapFrom(window, centre)
    draw(qtbot, overlay, line(start.x() - 120, start.y(), start.x() + 120))
    assert len(notes.strokes) == 1 and len(notes.strokes[0].points) == 13
    seen = pixel(window, overlay, start)
    red = QColor(PEN_COLORS["red"])
    assert abs(seen.red() - red.red()) + abs(seen.green() - red.green()) < 40


def test_highlighter_is_translucent_and_as_wide_as_a_line_of_text(qtbot, window):
    window.annotations.start(HIGHLIGHTER)
    overlay = window.annotations.overlay
    draw(qtbot, overlay, line(100, 200, 400))
    stroke = overlay.strokes[0]
    assert stroke.tool == HIGHLIGHTER and stroke.color.alpha() < 160
    assert stroke.width >= window.fontMetrics().height() * 0.9


def test_c_clears_every_stroke_and_backspace_takes_back_one_without_deleting_nodes(qtbot,
                                                                                 window):
    nodes = len(window.document.graph.nodes)
    window.editor.select([next(iter(window.scene.nodes))])      # Backspace would delete it
    window.annotations.start(PEN)
    overlay = window.annotations.overlay
    for y in (100, 160, 220):
        draw(qtbot, overlay, line(100, y, 300))
    qtbot.keyClick(overlay, Qt.Key.Key_Backspace)
    assert len(overlay.strokes) == 2
    assert len(window.document.graph.nodes) == nodes
    qtbot.keyClick(overlay, Qt.Key.Key_C)
    assert overlay.strokes == [] and overlay.drawing


def test_esc_stops_drawing_keeps_the_strokes_and_gives_the_mouse_back(qtbot, window):
    notes = window.annotations
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    notes.start(PEN)
    draw(qtbot, notes.overlay, line(100, 150, 300))
    qtbot.keyClick(notes.overlay, Qt.Key.Key_Escape)
    overlay = notes.overlay
    assert not overlay.drawing and not notes.actions[PEN].isChecked()
    assert overlay.isVisible() and len(overlay.strokes) == 1       # still on the screen
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert not overlay.toolbar.isVisible()
    centre = window.view.mapTo(window, window.view.rect().center())
    assert window.childAt(centre) is not overlay
    assert window.view.hasFocus()                       # the keys are the canvas's again
    assert notes.clear_action.isEnabled()               # C clears them from anywhere now
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert overlay.strokes == [] and not overlay.isVisible()
    assert not notes.clear_action.isEnabled()


def test_the_toolbar_chooses_tools_and_done_stops(qtbot, window):
    notes = window.annotations
    notes.start(PEN)
    bar = notes.overlay.toolbar
    qtbot.mouseClick(bar.buttons["blue"], Qt.MouseButton.LeftButton)
    assert notes.overlay.color == QColor(PEN_COLORS["blue"]) and bar.buttons["blue"].isChecked()
    qtbot.mouseClick(bar.buttons[HIGHLIGHTER], Qt.MouseButton.LeftButton)
    assert notes.overlay.tool == HIGHLIGHTER and not bar.buttons["blue"].isChecked()
    qtbot.mouseClick(bar.buttons["done"], Qt.MouseButton.LeftButton)
    assert not notes.overlay.drawing


def test_the_same_key_again_stops_and_the_other_key_switches_tool(qtbot, window):
    notes = window.annotations
    notes.actions[PEN].trigger()
    notes.actions[HIGHLIGHTER].trigger()
    assert notes.overlay.drawing and notes.overlay.tool == HIGHLIGHTER
    assert notes.actions[HIGHLIGHTER].isChecked() and not notes.actions[PEN].isChecked()
    notes.actions[HIGHLIGHTER].trigger()
    assert not notes.overlay.drawing


def test_annotating_changes_no_graph_document_or_settings(qtbot, window):
    before = window.document.graph.to_dict()
    keys = set(settings().allKeys())
    notes = window.annotations
    notes.start(PEN)
    draw(qtbot, notes.overlay, line(50, 120, 400))
    notes.start(HIGHLIGHTER)
    draw(qtbot, notes.overlay, line(50, 180, 400))
    notes.stop()
    window._save_settings()
    assert window.document.graph.to_dict() == before
    assert not window.document.undo_stack.canUndo()
    assert not [k for k in settings().allKeys() if k not in keys and "annot" in k.lower()]
    assert "annot" not in str(before).lower()


def test_a_resize_clears_the_strokes_and_the_page_follows_the_window(qtbot, window):
    notes = window.annotations
    notes.start(PEN)
    draw(qtbot, notes.overlay, line(50, 120, 300))
    window.resize(window.width() - 100, window.height() - 60)
    qtbot.waitUntil(lambda: notes.overlay.width() == window.width())
    assert notes.strokes == [] and "cleared" in window.last_message
    assert notes.overlay.drawing                      # still drawing, on a clean page


def test_the_page_stays_above_an_enlarged_view(qtbot, window):
    window.screen_help.explain("canvas")              # the enlarged view opens over the window
    assert window.focus.is_open
    window.annotations.start(PEN)
    centre = window.rect().center()
    assert window.childAt(centre) is window.annotations.overlay
    window.annotations.stop()
    window.focus.close()
    window.annotations.start(PEN)
    window.screen_help.explain("inspector")           # opened while drawing: still on top
    qtbot.waitUntil(lambda: window.childAt(centre) is window.annotations.overlay)


@pytest.mark.parametrize("theme", THEMES)
def test_pen_colours_stand_out_on_both_themes(theme):
    t = THEMES[theme]
    for colour in PEN_COLORS.values():
        for background in (t.window, t.base, t.node):
            assert contrast_ratio(colour, background) >= 3.0, (colour, background)


def test_the_toolbar_is_readable_on_a_projector_and_fits(qtbot, window):
    px = set_mode(qtbot, window, "projector")
    window.annotations.start(PEN)
    bar = window.annotations.overlay.toolbar
    qtbot.waitUntil(bar.isVisible)
    assert too_small(bar, px) == []
    assert 0 <= bar.x() and bar.geometry().right() <= window.annotations.overlay.width()
