"""View ▸ Signs in Heat Maps (S), issue 21: colour is never the only carrier. With it on,
a heat map too large for its numbers shows + and − in its cells, which a student who sees
no colour at all (the picture in grey) tells apart; where the cells are too small it says
how to see them (enlarge, zoom in), and the enlarged view draws them once zoomed in."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from bpviz.core.display.colour_vision import simulate
from bpviz.gui.widgets import signs
from bpviz.gui.widgets.heatmap import NUMBERS_UP_TO, named_heatmap

from ..menus import menu_action


@pytest.fixture(autouse=True)
def signs_off_after():
    yield
    signs.show_signs(False)


def grey(widget) -> np.ndarray:
    """(h, w) lightness of what ``widget`` shows, as without colour vision."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rgb = rows.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 3]
    rgb = rgb.reshape(image.height(), image.width(), 3).astype(float)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def read_signs(heat, picture: np.ndarray) -> np.ndarray:
    """The sign of each cell as read from a grey picture: a + has a vertical stroke through
    the cell's middle, above its centre; a − has only the bar, where the cell is plain."""
    rows, cols = heat.matrix.shape
    g = heat._grid_rect()
    cw, ch = g.width() / cols, g.height() / rows
    read = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            x, y = int(g.left() + (c + 0.5) * cw), int(g.top() + (r + 0.5) * ch)
            above = picture[int(y - 0.2 * min(cw, ch)), x]
            plain = picture[int(y - 0.2 * min(cw, ch)), int(x - 0.4 * cw)]
            bar = picture[y, int(x - 0.2 * cw)]
            if abs(bar - plain) > 40:                        # a sign is drawn
                read[r, c] = 1 if abs(above - plain) > 40 else -1
    return read


def matrix() -> np.ndarray:
    n = NUMBERS_UP_TO + 4                       # too many columns for the numbers
    return np.random.default_rng(3).choice([-1.0, -0.4, 0.5, 1.0], size=(6, n))


def shown(qtbot, heat, width=700):
    qtbot.addWidget(heat)
    heat.resize(width, heat.sizeHint().height())
    heat.show()
    qtbot.waitExposed(heat)
    qtbot.waitUntil(lambda: heat.image is not None)
    return heat


def test_without_colour_plus_and_minus_are_told_apart_only_with_signs(qtbot):
    m = matrix()
    heat = shown(qtbot, named_heatmap("h", "weights", m))
    assert not heat.shows_numbers()
    assert not read_signs(heat, grey(heat)).any()          # colour alone: no sign to read
    signs.show_signs(True)
    np.testing.assert_array_equal(read_signs(heat, grey(heat)), np.sign(m))


def test_signs_read_under_every_simulated_colour_deficiency(qtbot):
    m = matrix()
    signs.show_signs(True)
    heat = shown(qtbot, named_heatmap("h", "weights", m))
    image = heat.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rgb = rows.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 3]
    rgb = rgb.reshape(image.height(), image.width(), 3)
    for deficiency in ("protanopia", "deuteranopia", "tritanopia"):
        seen = simulate(rgb, deficiency) @ np.array([0.2126, 0.7152, 0.0722])
        np.testing.assert_array_equal(read_signs(heat, seen), np.sign(m), deficiency)


def test_the_view_menu_and_s_turn_signs_on_and_small_cells_say_how(window, qtbot):
    action = menu_action(window, "&View", "&Signs in Heat Maps")
    assert not action.isChecked() and action.shortcut().toString() == "S"
    big = np.random.default_rng(0).normal(size=(300, 300))
    heat = shown(qtbot, named_heatmap("big", "fc weights", big), width=400)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S)       # as a user turns it on
    assert action.isChecked() and signs.signs_shown()
    assert signs.ENLARGE_HINT in heat.caption_text()                # 1 px cells: how to see
    assert window.focus.open(heat)                                  # enlarged: fitted
    view = window.focus.view.content
    qtbot.waitUntil(lambda: view.isVisible() and view.height() > 300)
    view.fit()
    assert not signs.fits(view.sx, view.sy, view.text_px())
    for _ in range(30):                                             # zoomed in until drawn
        if signs.fits(view.sx, view.sy, view.text_px()):
            break
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    r0, r1, c0, c1 = view.visible()
    assert signs.fits(view.sx, view.sy, view.text_px()) and (r1 - r0) * (c1 - c0) > 4
    with_signs = grey(view)
    action.trigger()                                                # off: the cells plain
    assert not signs.signs_shown()
    assert np.abs(grey(view) - with_signs).max() > 100


def test_in_presentation_a_sign_is_as_large_as_the_texts(window, qtbot):
    """On a projector the signs grow with the text: a cell that holds a sign on the desk
    may be too small in presentation mode, and then it says to enlarge instead."""
    signs.show_signs(True)
    heat = shown(qtbot, named_heatmap("h", "weights", matrix()), width=700)
    assert signs.ENLARGE_HINT not in heat.caption_text()
    font = heat.font()
    font.setPixelSize(40)                          # the text as large as a cell and more
    heat.setFont(font)
    assert signs.ENLARGE_HINT in heat.caption_text()
