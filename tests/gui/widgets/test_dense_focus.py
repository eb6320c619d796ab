"""A matrix too large to fit with a pixel per row enlarged (lesson 8's 4096×4096 dropout
Jacobian, issue 21): it opens on its top-left corner with the numbers written at a readable
size, the caption says which rows and columns are shown and wraps rather than being cut,
and 0 shows it whole."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo

from bpviz.gui.widgets.heatmap import named_heatmap
from bpviz.gui.widgets.matrix_view import MatrixView

UNITS = 1500


def dropout_jacobian() -> np.ndarray:
    """diag(m) / (1 − p) for p = 0.5: 2 where a unit is kept, 0 where it is dropped."""
    kept = np.random.default_rng(0).random(UNITS) < 0.5
    return np.diag(np.where(kept, 2.0, 0.0))


def enlarged(window, qtbot, matrix) -> MatrixView:
    heat = named_heatmap("jac_input", "J (sample 0)", matrix)
    qtbot.addWidget(heat)
    assert window.focus.open(heat)
    view = window.focus.view.content
    qtbot.waitUntil(lambda: view.isVisible() and view.height() > 300)
    return view


def test_a_dense_matrix_opens_on_its_corner_with_readable_numbers(window, qtbot):
    matrix = dropout_jacobian()
    view = enlarged(window, qtbot, matrix)
    qtbot.waitUntil(view.shows_numbers)
    r0, r1, c0, c1 = view.visible()
    assert (r0, c0) == (0, 0) and 4 <= r1 < UNITS and 4 <= c1 < UNITS
    block, texts = view.numbers()
    diagonal = {texts[i * (c1 - c0) + i] for i in range(min(r1, c1))}
    assert diagonal == {"2", "0"}                      # kept and dropped units, both legible
    assert QFontInfo(view.number_font(texts)).pixelSize() >= view.text_px()
    caption = view.caption(True)[0]
    assert f"rows 0–{r1 - 1}, columns 0–{c1 - 1}" in caption and "1,500×1,500" in caption
    qtbot.keyClick(view, Qt.Key.Key_0)                 # the whole matrix, colours only
    assert view.visible() == (0, UNITS, 0, UNITS) and not view.shows_numbers()
    view.resize(view.width() + 40, view.height())     # fitted it stays fitted
    assert view.visible() == (0, UNITS, 0, UNITS)


def test_a_matrix_that_fits_opens_whole(window, qtbot):
    view = enlarged(window, qtbot, np.arange(12.0).reshape(3, 4))
    assert view.visible() == (0, 3, 0, 4) and view.fitted


def test_a_long_caption_wraps_inside_the_view(qtbot):
    view = MatrixView(dropout_jacobian())
    qtbot.addWidget(view)
    view.resize(260, 400)
    view.show()
    qtbot.waitExposed(view)
    view.repaint()
    qtbot.waitUntil(lambda: view.caption_rows > 1)
    view.repaint()
    line = view.line()
    room = view.height() - view.grid_rect().bottom()
    assert room >= view.caption_rows * line            # every caption line below the grid


def test_lesson_8_reveals_the_dropout_jacobians_corner_with_2_and_0(window, qtbot):
    """Lesson 8 step 6 as the class sees it after Page Down reveals the answer: drop7's
    4096×4096 Jacobian enlarged, its corner's numbers written, both 2 and 0 among them."""
    from bpviz.gui.widgets.jacobian_view import JacobianView
    window.resize(1280, 720)
    assert window.lessons.open("08_alexnet_case_study", step=5, ask=False) == ""
    qtbot.keyClick(window.lessons.panel.next, Qt.Key.Key_PageDown)     # the reveal
    view = window.focus.view.content
    assert isinstance(view, JacobianView) and view.lazy.shape == (4096, 4096)
    qtbot.waitUntil(lambda: view.height() > 200 and view.shows_numbers(), timeout=20000)
    r0, r1, c0, c1 = view.visible()
    assert (r0, c0) == (0, 0) and r1 - r0 >= 4 and c1 - c0 >= 4
    block, texts = view.numbers()
    diagonal = [texts[i * (c1 - c0) + i] for i in range(min(r1, c1))]
    assert set(diagonal) == {"2", "0"}, diagonal
    view.repaint()                                     # the caption wraps, never cut
    lines = view.caption_rows or view.caption_lines
    assert view.height() - view.grid_rect().bottom() >= lines * view.line()
