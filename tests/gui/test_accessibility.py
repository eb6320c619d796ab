"""Accessibility (issue 21 item 8): what a screen reader is told of every visible control on
every tab, in the Inspector after some steps, in the Update & Train panel and in a lesson's
strip; Tab focus and a focus ring that shows in every theme; the Tab order follows the
layout (test_tab_order.py); the colour-blind-safe maps and the high-contrast theme."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from bpviz.gui import accessibility
from bpviz.gui.accessibility import RING_MARGIN, RING_WIDTH, controls, says_something, spoken_name
from bpviz.gui.theme import THEMES, contrast_ratio
from bpviz.gui.widgets import colormap
from bpviz.gui.widgets.heatmap import HeatMap

from .menus import menu_action

NON_TEXT_CONTRAST = 3.0            # WCAG 2.1 1.4.11: a focus ring against what is around it


@pytest.fixture(autouse=True)
def app_style(qapp):
    """The theme applied before the window is made, as the app does (app.py): with it the
    focus ring."""
    from bpviz.gui.theme import apply_theme
    apply_theme(qapp, THEMES["light"])


def click_tab(qtbot, window, index: int) -> None:
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def settle(qtbot) -> None:
    """The event loop turns: lazy panels build, controls get their names (deferred)."""
    qtbot.wait(80)
    QApplication.processEvents()


def every_control(window, qtbot) -> dict:
    """{id: (what, name, takes Tab focus)} of the controls on screen in each state a student
    meets, read there (a step replaces the Inspector's pages): the Backprop tab after 12
    steps (the Inspector full of views, the Jacobian's buttons among them), each other tab,
    the Update & Train panel and a lesson's strip."""
    found: dict[int, tuple] = {}

    def walk():
        settle(qtbot)
        found.update((id(w), (described(w), spoken_name(w),
                              bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)))
                     for w in controls(window))

    step = window.findChild(QToolButton, "stepper_step")
    for _ in range(12):
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    walk()
    for index, lazy in ((1, window.losses), (2, window.optimizers), (3, window.training_tab)):
        click_tab(qtbot, window, index)
        qtbot.waitUntil(lambda lazy=lazy: lazy.built)
        walk()
    click_tab(qtbot, window, 0)
    window.workspace.show_training()
    walk()
    assert window.lessons.open("01_one_layer", ask=False) == ""
    walk()
    return found


def described(widget) -> str:
    return f"{type(widget).__name__} {widget.objectName()!r} named {spoken_name(widget)!r}"


def test_every_visible_control_has_a_name_that_says_something_and_takes_tab_focus(
        window, qtbot):
    found = every_control(window, qtbot)
    assert len(found) >= 80, len(found)                      # every tab was reached
    unnamed = [what for what, name, _ in found.values() if not says_something(name)]
    no_tab = [what for what, _, tab in found.values() if not tab]
    assert not unnamed, f"{len(unnamed)} of {len(found)} controls unnamed: {unnamed}"
    assert not no_tab, f"{len(no_tab)} of {len(found)} take no Tab focus: {no_tab}"
    names = {name for _, name, _ in found.values()}
    # those the survey found without a name, or with a symbol for one
    for name in ("Zoom out of the Jacobian", "Zoom into the Jacobian", "t·y", "condition",
                 "Steps in the race", "Play speed (steps per second)", "Batch size",
                 "Sample shown", "Surface", "Training data"):
        assert name in names, name


def test_a_control_made_without_a_name_takes_one_from_its_label_or_tool_tip(qtbot):
    """The central pass that backs up the names given where controls are made."""
    panel = QWidget()
    qtbot.addWidget(panel)
    form = QFormLayout(panel)
    field = QComboBox()
    field.addItems(["spirals", "moons"])
    form.addRow("Data set:", field)
    zoom = QToolButton(text="+", toolTip="Zoom in (+, wheel)")
    form.addRow(zoom)
    search = QLineEdit(placeholderText="Search ops")
    form.addRow(search)
    given = QSlider(accessibleName="Speed", toolTip="Steps per second")
    form.addRow(given)
    assert spoken_name(zoom) == "+" and not says_something(spoken_name(zoom))
    panel.show()
    accessibility.name_controls(panel)            # as a lazy panel does once built
    assert spoken_name(field) == "Data set"       # not its current text
    assert spoken_name(zoom) == "Zoom in"
    assert spoken_name(search) == "Search ops"
    assert spoken_name(given) == "Speed"          # a name given where it is made stays
    field.setCurrentIndex(1)
    assert spoken_name(field) == "Data set"


def tab_to(qtbot, window, target: QWidget, presses: int = 400) -> None:
    """Tab from the canvas until ``target`` has the focus, as a keyboard user does."""
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    for _ in range(presses):
        if target.hasFocus():
            return
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    raise AssertionError(f"{presses} Tab presses never reached {described(target)}")


def around(window, widget) -> QRect:
    margin = RING_MARGIN + 1
    top_left = widget.mapTo(window, QPoint(0, 0))
    return QRect(top_left, widget.size()).adjusted(-margin, -margin, margin, margin)


def pixels(window, rect: QRect) -> np.ndarray:
    """(h, w, 3) RGB of what the window shows in ``rect`` (a copy: the image goes away)."""
    image = window.grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = rows.reshape(image.height(), image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("name", ["stepper_step", "stepper_speed", "data_batch", "data_source",
                                  "train_mode"])
def test_the_focused_control_is_ringed_in_the_selection_colour(window, qtbot, theme, name):
    window.set_theme(theme)
    target = window.findChild(QWidget, name)
    qtbot.waitExposed(window)
    window.activateWindow()
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    settle(qtbot)
    rect = around(window, target)
    before = pixels(window, rect)
    tab_to(qtbot, window, target)
    settle(qtbot)
    after = pixels(window, rect)
    assert (before != after).any(), f"{name} looks the same focused ({theme})"
    ring = QColor(THEMES[theme].selection)
    want = np.array([ring.red(), ring.green(), ring.blue()])
    band = RING_MARGIN + 1 + RING_WIDTH              # from the edge of what was grabbed
    border = np.ones(after.shape[:2], bool)
    border[band:-band, band:-band] = False
    close = (np.abs(after.astype(int) - want).sum(axis=2) < 40) & border
    # all the way round, 2 px or more wide (a panel may clip 1 px of it)
    perimeter = 2 * (rect.width() + rect.height())
    assert close.sum() > 2 * perimeter, (theme, name, close.sum(), perimeter)
    assert contrast_ratio(ring, THEMES[theme].window) >= NON_TEXT_CONTRAST


def test_colour_blind_safe_maps_from_the_view_menu_are_drawn_and_remembered(window, qtbot):
    from bpviz.gui.shell.main_window import MainWindow
    heat = HeatMap("signs")
    qtbot.addWidget(heat)
    heat.set_array(np.array([[-1.0, 0.0, 1.0]]))
    qtbot.waitUntil(lambda: heat.image is not None)
    window.findChild(QToolButton, "stepper_step").click()
    action = menu_action(window, "&View", "Colour-&Blind-Safe Maps")
    try:
        assert not action.isChecked()
        negative = QColor(heat.image.pixel(0, 0))
        assert (negative.red(), negative.green(), negative.blue()) == (33, 102, 172)   # RdBu
        action.trigger()
        assert action.isChecked() and colormap.maps_in_use() == "colour-blind safe"
        heat.set_array(heat.matrix)
        qtbot.waitUntil(lambda: QColor(heat.image.pixel(0, 0)) != negative)
        purple = QColor(heat.image.pixel(0, 0))
        assert (purple.red(), purple.green(), purple.blue()) == (94, 60, 153)        # PuOr
        # the Inspector's heat maps are drawn again with the new colours
        shown = [h for h in window.findChildren(HeatMap) if h.matrix is not None]
        assert shown
        qtbot.waitUntil(lambda: all(h.image is not None for h in shown))
        again = MainWindow()                       # the next start remembers the choice
        qtbot.addWidget(again)
        assert menu_action(again, "&View", "Colour-&Blind-Safe Maps").isChecked()
        action.trigger()
        assert colormap.maps_in_use() == "standard"
    finally:
        colormap.use_maps("standard")


def test_high_contrast_theme_from_the_view_menu_is_aaa_and_remembered(window, qtbot):
    from bpviz.gui.config.settings import setting
    from bpviz.gui.theme import TEXT_PAIRS
    theme = THEMES["high-contrast"]
    low = [(fg, bg) for fg, bg in TEXT_PAIRS
           if contrast_ratio(getattr(theme, fg), getattr(theme, bg)) < 7.0]
    assert not low                                 # WCAG AAA, more than AA's 4.5:1
    menu_action(window, "&View", "High-Contrast Theme").trigger()
    palette = QApplication.palette()
    assert palette.window().color() == QColor("#000000")
    assert palette.text().color() == QColor("#ffffff")
    window.close()
    assert setting("theme", str, "") == "high-contrast"


def test_what_counts_as_a_control(qtbot):
    panel = QWidget()
    qtbot.addWidget(panel)
    spin, label = QSpinBox(panel), QLabel("x", panel)
    assert accessibility.is_control(spin) and not accessibility.is_control(label)
    assert not any(accessibility.is_control(part) for part in spin.findChildren(QWidget))


def test_a_click_focuses_without_a_ring_and_tab_brings_it(window, qtbot):
    """As CSS's :focus-visible: the pointer shows what a click focused; Tab rings."""
    batch = window.findChild(QSpinBox, "data_batch")
    qtbot.mouseClick(batch, Qt.MouseButton.LeftButton, pos=batch.rect().center())
    settle(qtbot)
    assert batch.hasFocus()
    ring = accessibility.RINGS[0]
    assert not ring.isVisible()
    tab_to(qtbot, window, window.findChild(QSpinBox, "data_sample"))
    settle(qtbot)
    assert ring.isVisible() and ring.target is window.findChild(QSpinBox, "data_sample")
