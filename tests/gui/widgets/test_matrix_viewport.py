"""MatrixViewport as people use it, with pytest-qt's exception capture on (an exception in
an event handler fails the test): the mouse moved, wheeled, dragged and double-clicked, and
+, −, arrows, 0, F and Esc pressed over an enlarged heat map (MatrixView in the enlarged view)
and over Jacobian views; zooming a 1×1 Jacobian in a narrow scroll area returns at once
and never makes the scroll bars come and go (issue 25)."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QScrollArea,
    QScrollBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from bpviz.core import Stepper, load_graph
from bpviz.gui.widgets.jacobian_view import JacobianView
from bpviz.gui.widgets.matrix_view import MatrixView
from bpviz.paths import example_path
from tests.gui.widgets.test_enlarged_view import CLASSES, double_click, stepped


@pytest.fixture(scope="module")
def hinge():
    """The binary hinge's backward step: ∂L/∂y is a 1×1 Jacobian (margin 0.5: it is −1)."""
    s = Stepper(load_graph(example_path("binary_hinge")),
                {"x": np.array([[0.5, 1.0], [-0.2, 0.3]]), "t": np.array([1, -1])})
    events = {ev.node: ev for ev in iter(s.step, None) if ev.phase == "backward"}
    return events["hinge"]


def wheel(widget, at: QPointF, notches: float) -> None:
    QApplication.sendEvent(widget, QWheelEvent(
        at, widget.mapToGlobal(at), QPoint(), QPoint(0, int(120 * notches)), Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))


def hover(qtbot, view, cell) -> str:
    """Move the mouse to the middle of cell (row, column); the tooltip's text."""
    r, c = cell
    QToolTip.hideText()
    qtbot.mouseMove(view, view.transform().map(QPointF(c + 0.5, r + 0.5)).toPoint())
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def press(qtbot, view, *keys) -> None:
    for key in keys:
        qtbot.keyClick(view, key)


def open_enlarged(qtbot, window, matrix, **labels) -> MatrixView:
    """A heat map of the inspector set to ``matrix`` and double-clicked: its MatrixView."""
    window.resize(1440, 900)
    hm = stepped(window, qtbot).heatmaps["output"]
    hm.set_array(matrix, title="logits", **labels)
    double_click(qtbot, hm)
    view = window.focus.view.content
    assert isinstance(view, MatrixView)
    qtbot.waitUntil(lambda: view.width() > 600)
    return view


# --- an enlarged heat map ---------------------------------------------------------------------
def test_hovering_an_enlarged_heat_map_names_the_cell(qtbot, window):
    """Every mouse move over an enlarged heat map raised AttributeError (``self.ch_at``)."""
    matrix = np.arange(100).reshape(10, 10) / 7 - 7
    view = open_enlarged(qtbot, window, matrix, row_labels=CLASSES, col_labels=CLASSES)
    assert hover(qtbot, view, (2, 9)) == f"row ship, column car: {matrix[2, 9]:.6g}"
    assert hover(qtbot, view, (0, 0)) == f"row cat, column cat: {matrix[0, 0]:.6g}"
    qtbot.mouseMove(view, QPoint(2, 2))                  # off the grid: nothing to name
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def test_an_enlarged_heat_map_under_the_hands(qtbot, window):
    """Wheel, +, −, arrows, drag, double-click, 0, F and Esc as a lecturer uses them."""
    matrix = np.random.default_rng(1).normal(size=(40, 60))
    view = open_enlarged(qtbot, window, matrix)
    fitted, focus = view.transform(), window.focus
    assert view.hasFocus() and not view.shows_numbers()
    at = QPointF(view.grid_rect().center()) + QPointF(31, -17)
    under = view.to_cell(at)
    wheel(view, at, 3)
    assert view.sx == pytest.approx(fitted.m11() * 1.25 ** 3)
    assert view.to_cell(at) == pytest.approx(under)     # the cell under the mouse stays
    wheel(view, at, -1)
    press(qtbot, view, Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus, Qt.Key.Key_Plus)
    assert view.shows_numbers() and not view.fitted
    r, c = view.cell_at(at)
    assert hover(qtbot, view, (r, c)).endswith(f": {matrix[r, c]:.6g}")
    origin = view.origin
    press(qtbot, view, Qt.Key.Key_Right, Qt.Key.Key_Down)
    assert view.origin.x() > origin.x() and view.origin.y() > origin.y()
    press(qtbot, view, Qt.Key.Key_Left, Qt.Key.Key_Up)
    assert view.origin.toTuple() == pytest.approx(origin.toTuple())
    start = view.grid_rect().center().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, start + QPoint(-90, -45))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start + QPoint(-90, -45))
    assert (view.origin - origin).x() == pytest.approx(90 / view.sx)
    double_click(qtbot, view)                            # nothing to enlarge further
    assert focus.is_open and focus.view.content is view
    press(qtbot, view, Qt.Key.Key_0)
    assert view.fitted and view.transform() == fitted
    press(qtbot, view, Qt.Key.Key_F)                         # F inside the enlarged view: no-op
    assert focus.is_open and focus.view.content is view
    press(qtbot, view, Qt.Key.Key_Escape)
    assert not focus.is_open


def test_zoom_stops_and_panning_keeps_the_matrix_in_sight(qtbot):
    view = MatrixView(np.eye(3))
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    press(qtbot, view, *[Qt.Key.Key_Plus] * 40)
    assert max(view.sx, view.sy) <= 400
    press(qtbot, view, *[Qt.Key.Key_Minus] * 80)
    assert view.sx > 0 and view.sy > 0
    press(qtbot, view, *[Qt.Key.Key_Right] * 50, *[Qt.Key.Key_Down] * 50)
    r0, r1, c0, c1 = view.visible()
    assert r1 > r0 and c1 > c0                           # some of it still on screen


# --- Jacobian views -----------------------------------------------------------------------------
def test_a_jacobian_in_the_inspector_enlarges_and_answers_the_hands(qtbot, window):
    """Double-clicking a Jacobian view enlarges it (its presses went nowhere before); there
    hover, wheel, keys and drag work as on a heat map, and Esc returns."""
    window.resize(1440, 900)
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6))
    s = Stepper(load_graph(example_path("tiny_cnn")), {"x": x, "t": np.array([0, 3])})
    pool = next(ev for ev in iter(s.step, None) if (ev.node, ev.phase) == ("pool", "backward"))
    window.inspector.show_event(pool)
    window.docks["inspector"].raise_()
    small = window.inspector.heatmaps["jac_input"]
    assert small.lazy.shape == (8, 32)
    window.inspector.ensureWidgetVisible(small)
    qtbot.waitUntil(lambda: small.isVisible() and small.height() > 100)
    double_click(qtbot, small, small.grid_rect().center().toPoint())
    view = window.focus.view.content
    assert window.focus.is_open and isinstance(view, JacobianView) and view is not small
    qtbot.waitUntil(lambda: view.width() > 600)
    dense = view.lazy.dense()
    assert hover(qtbot, view, (3, 5)) == f"[3, 5] = {dense[3, 5]:.6g}"
    fitted = (view.sx, view.sy)
    wheel(view, QPointF(view.to_widget(5.5, 3.5)), 2)
    assert view.sx > fitted[0] and view.cell_at(view.to_widget(5.5, 3.5)) == (3, 5)
    press(qtbot, view, Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left)
    start = view.grid_rect().center().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, start + QPoint(30, 20))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start + QPoint(30, 20))
    press(qtbot, view, Qt.Key.Key_0)
    assert view.fitted and (view.sx, view.sy) == fitted
    press(qtbot, view, Qt.Key.Key_Escape)
    assert not window.focus.is_open and small.isVisible()


def test_a_view_without_a_gradient_ignores_the_hands(qtbot, hinge):
    view = JacobianView("J")
    qtbot.addWidget(view)
    view.set_jacobian(hinge.lazy_jacobian["target"])       # class labels: no gradient
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    press(qtbot, view, Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_Right, Qt.Key.Key_0)
    wheel(view, QPointF(100, 100), 1)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(view, QPoint(120, 110))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(120, 110))
    assert view.lazy is None and view.cell_at(QPointF(100, 100)) is None and view.fitted


class LayoutGuard(QObject):
    """Counts what a layout loop repeats (scroll bars shown and hidden, the view resized,
    layouts redone); past ``most`` it eats the scroll bars' Show and Hide, which ends such
    a loop, so the test fails on the count instead of hanging."""

    WATCHED = (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Resize, QEvent.Type.LayoutRequest)

    def __init__(self, most: int = 40):
        super().__init__()
        self.most, self.seen = most, 0

    def eventFilter(self, obj, event):
        if event.type() in self.WATCHED:
            self.seen += 1
            return self.seen > self.most and isinstance(obj, QScrollBar) and \
                event.type() in (QEvent.Type.Show, QEvent.Type.Hide)
        return False


def narrow_area(lazy, width: int) -> tuple[QScrollArea, JacobianView]:
    """The Inspector's arrangement, ``width`` px wide: a wrapped label over a Jacobian view
    in a resizable scroll area that shows its scroll bars as needed."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    body = QWidget()
    column = QVBoxLayout(body)
    column.addWidget(QLabel("The hinge: ∂L/∂y is −t where the margin t·y is under 1",
                            wordWrap=True))
    view = JacobianView("J (input)")
    view.set_jacobian(lazy)
    column.addWidget(view)
    area.setWidget(body)
    area.resize(width, 260)
    return area, view


@pytest.mark.timeout(120, method="thread")       # a loop that escapes the guard still ends
def test_zooming_a_1x1_jacobian_in_a_narrow_area_returns(qtbot, hinge):
    """Issue 25: + on the hinge's 1×1 Jacobian in a ~71 px Inspector froze the app (a scroll
    bar shown and hidden in turn). At every width from 40 to 140 px, a few presses of +
    and a click of the + button: events are processed to the end, nothing is resized, no
    scroll bar toggles, and the zoom took effect."""
    lazy = hinge.lazy_jacobian["input"]
    assert lazy.shape == (1, 1)
    for width in range(40, 141, 3):
        area, view = narrow_area(lazy, width)
        qtbot.addWidget(area)
        area.show()
        qtbot.waitExposed(area)
        qtbot.wait(1)
        size, hint, guard = view.size(), view.sizeHint(), LayoutGuard()
        watched = [view, area.viewport(), area.widget(), area.verticalScrollBar(),
                   area.horizontalScrollBar()]
        for widget in watched:
            widget.installEventFilter(guard)
        sx = view.sx
        view.setFocus()
        press(qtbot, view, Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Plus)
        view.findChildren(object, "jacobian_zoom")[1].click()            # the + button
        for _ in range(50):                      # a bounded loop: each call must return
            QApplication.processEvents()
        assert guard.seen == 0, f"{width} px: {guard.seen} layout events while zooming"
        assert view.size() == size and view.sizeHint() == hint
        assert view.sx > sx or view.sx == view.zoom_limits()[0][1]
        for widget in watched:
            widget.removeEventFilter(guard)
        area.close()
