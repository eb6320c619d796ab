"""JacobianView: numbers in every cell of a small Jacobian, in the widget's font; a big one
computes only the rows on screen; pan, zoom and fit from keys, wheel, drag and buttons."""
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QToolTip

from bpviz.core import Stepper, load_graph
from bpviz.gui.widgets.jacobian_view import JacobianView
from bpviz.paths import example_path


def backward_events(example, feeds, train=False):
    s = Stepper(load_graph(example_path(example)), feeds, train=train)
    return {ev.node: ev for ev in iter(s.step, None) if ev.phase == "backward"}


@pytest.fixture(scope="module")
def tiny():
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6))
    return backward_events("tiny_cnn", {"x": x, "t": np.array([0, 3])})


@pytest.fixture(scope="module")
def shapes_cnn():
    x = np.random.default_rng(0).normal(size=(2, 1, 16, 16))
    return backward_events("shapes_cnn", {"x": x, "t": np.array([0, 1])})


def make_view(qtbot, lazy, size=(900, 700), font_px=None):
    view = JacobianView("J")
    view.filler.background = False              # rows only when the test fills them
    if font_px:
        font = QFont(view.font())
        font.setPixelSize(font_px)
        view.setFont(font)
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_jacobian(lazy)
    view.show()
    qtbot.waitExposed(view)
    return view


def paint(view):
    """Paint once (as the screen would), then compute what the paint asked for."""
    view.grab()
    view.filler.fill(view.lazy, view.asked)
    view.grab()


def numbers_drawn(view, monkeypatch):
    drawn = []
    original = view._draw_numbers
    monkeypatch.setattr(view, "_draw_numbers", lambda p, block, texts: drawn.append(
        (view.visible(), sum(map(bool, texts)))) or original(p, block, texts))
    view.grab()
    return drawn


@pytest.mark.parametrize("node", ["conv", "pool"])
def test_the_tiny_cnn_shows_whole_jacobians_with_numbers(qtbot, tiny, node, monkeypatch):
    lazy = tiny[node].lazy_jacobian["input"]
    view = make_view(qtbot, lazy, size=(1400, 900))
    rows, cols = lazy.shape
    assert (rows, cols) == ((32, 36) if node == "conv" else (8, 32))
    assert view.visible() == (0, rows, 0, cols)               # all of it on screen
    assert view.shows_numbers()
    assert numbers_drawn(view, monkeypatch) == [((0, rows, 0, cols), rows * cols)]
    np.testing.assert_array_equal(view.matrix, lazy.dense())
    assert view.text_px() >= 11


@pytest.mark.parametrize("node", ["conv", "pool"])
def test_on_a_projector_the_tiny_cnn_jacobians_fit_with_16_px_numbers(qtbot, tiny, node):
    from bpviz.gui.theme import readable_px
    lazy = tiny[node].lazy_jacobian["input"]
    view = make_view(qtbot, lazy, size=(1280, 720), font_px=readable_px(True))
    assert view.text_px() >= 16 and view.visible() == (0, lazy.shape[0], 0, lazy.shape[1])
    assert view.shows_numbers()


def test_numbers_follow_the_font_and_need_bigger_cells(qtbot, tiny):
    lazy = tiny["conv"].lazy_jacobian["input"]
    normal = make_view(qtbot, lazy, size=(1400, 900))
    big = make_view(qtbot, lazy, size=(1400, 900), font_px=22)
    assert big.text_px() == 22 and big.text_px() > normal.text_px()
    assert big.cell_for_numbers().width() > normal.cell_for_numbers().width()


def test_a_big_jacobian_computes_only_the_rows_on_screen(qtbot, shapes_cnn, monkeypatch):
    lazy = shapes_cnn["conv1"].lazy_jacobian["input"]          # 2,048 x 256, banded
    assert shapes_cnn["conv1"].jacobian["input"] is None or lazy.shape[0] > 256
    view = make_view(qtbot, lazy)
    view.zoom(1000, QPointF(view.grid_rect().topLeft()))      # zoom into the top-left
    r0, r1, c0, c1 = view.visible()
    assert r0 == 0 and r1 < 40 and c1 < cols_of(lazy)
    paint(view)
    assert lazy.missing(range(r0, r1)) == []                   # every visible row computed
    assert len(lazy.missing(range(lazy.shape[0]))) == lazy.shape[0] - r1   # nothing more
    assert lazy.passes == math.ceil(r1 / lazy.rows_per_pass)
    assert view.shows_numbers() and numbers_drawn(view, monkeypatch)
    # zoomed out: one sampled row per pixel row at most, nothing drawn as numbers
    view.fit()
    paint(view)
    rows, step, edges = view.sampled()
    assert len(rows) <= view.grid_rect().height() and step > 1 and not view.shows_numbers()
    assert lazy.missing(rows) == []
    computed = lazy.shape[0] - len(lazy.missing(range(lazy.shape[0])))
    assert computed <= r1 + len(rows)


def cols_of(lazy):
    return lazy.shape[1]


def test_a_worker_thread_fills_the_picture_coarse_rows_first(qtbot, shapes_cnn):
    from bpviz.gui.widgets.row_filler import coarse_to_fine
    assert coarse_to_fine(list(range(10, 19))) == [10, 18, 14, 12, 16, 11, 13, 15, 17]
    view = make_view(qtbot, shapes_cnn["conv2"].lazy_jacobian["input"])
    view.filler.background = True
    view.update()
    qtbot.waitUntil(lambda: view.grab() is not None and not view.asked, timeout=20000)
    rows, _, _ = view.sampled()
    assert view.lazy.missing(rows) == []


def test_rows_that_cannot_be_computed_are_said_so(qtbot, shapes_cnn, monkeypatch):
    lazy = shapes_cnn["conv2"].lazy_jacobian["weight"]

    def fail(rows, cancelled=None):
        raise MemoryError("no room")
    monkeypatch.setattr(lazy, "compute", fail)
    view = make_view(qtbot, lazy)
    view.filler.background = True
    view.update()
    qtbot.waitUntil(lambda: bool(view.filler.failed), timeout=20000)
    assert view.filler.failed == "could not compute rows: MemoryError: no room"
    view.set_jacobian(shapes_cnn["conv2"].lazy_jacobian["input"])
    assert view.filler.failed == ""


def test_keys_wheel_drag_and_fit(qtbot, shapes_cnn):
    view = make_view(qtbot, shapes_cnn["pool1"].lazy_jacobian["input"])
    fitted = (view.sx, view.sy)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.sx > fitted[0] and not view.fitted
    origin = QPointF(view.origin)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.origin.x() > origin.x()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.origin.y() > origin.y()
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.fitted and (view.sx, view.sy) == fitted
    centre = view.grid_rect().center().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(view, centre - QPoint(40, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre - QPoint(40, 0))
    assert view.origin.x() > 0
    view.findChild(object, "jacobian_fit").click()
    assert view.fitted and view.origin == QPointF(0, 0)


def test_hover_names_the_cell_and_its_value(qtbot, tiny):
    view = make_view(qtbot, tiny["conv"].lazy_jacobian["input"], size=(1400, 900))
    pos = view.to_widget(2.5, 3.5).toPoint()               # column 2, row 3
    assert view.cell_at(QPointF(pos)) == (3, 2)
    qtbot.mouseMove(view, pos)
    qtbot.waitUntil(lambda: QToolTip.isVisible())
    value = tiny["conv"].lazy_jacobian["input"].dense()[3, 2]
    assert QToolTip.text() == f"[3, 2] = {value:.6g}"


def test_no_gradient_shows_why(qtbot, tiny):
    view = make_view(qtbot, tiny["loss"].lazy_jacobian["target"])
    assert view.lazy is None and "no gradient" in view.note and view.matrix is None
    assert not any(b.isVisible() for b in view.buttons)


def test_views_still_fill_after_the_workers_were_stopped_once(qtbot):
    """stop_workers() (the end of a screenshot or of the event loop) drops what was asked
    so far; a view made later is filled again (a permanent stop left every later view of
    the test session empty)."""
    from bpviz.gui.widgets.row_filler import RowFiller, stop_workers
    stop_workers()
    filler = RowFiller()
    filled = []
    filler.filled.connect(lambda: filled.append(1))

    class Lazy:
        rows_per_pass = 1
        done: set = set()

        def missing(self, rows):
            return [r for r in rows if r not in self.done]

        def compute(self, rows):
            self.done.update(rows)

    lazy = Lazy()
    filler.request(lazy, [0, 1, 2])
    qtbot.waitUntil(lambda: lazy.missing([0, 1, 2]) == [], timeout=10000)
    qtbot.waitUntil(lambda: len(filled) == 3, timeout=10000)
