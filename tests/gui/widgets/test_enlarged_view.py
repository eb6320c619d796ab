"""The enlarged view: a heat map, formula or plot enlarged to fill the window (double-click, or
F with the mouse over it), readable numbers in an enlarged matrix, pan and zoom, Esc back to
the untouched layout; hiding the docks; the side docks' width after a shrink."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QFontMetrics, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QSplitter

from bpviz.gui.widgets import matrix_view, matrix_viewport
from bpviz.gui.widgets.enlarged_view import LargeFormula
from bpviz.gui.widgets.matrix_view import MatrixView

CLASSES = ["cat", "dog", "ship", "frog", "horse", "truck", "bird", "deer", "plane", "car"]


def stepped(window, qtbot, steps=2):
    """The inspector after ``steps`` forward steps, in view."""
    for _ in range(steps):
        window.stepper.step()
    window.docks["inspector"].raise_()
    qtbot.waitUntil(lambda: window.inspector.heatmaps and all(
        hm.isVisible() for hm in window.inspector.heatmaps.values()))
    return window.inspector


def covers_centre(window) -> bool:
    """The enlarged view covers the window's central area (and the docks around it)."""
    return window.focus.view.geometry().contains(window.centralWidget().geometry())


def double_click(qtbot, widget, pos=None):
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def test_double_click_enlarges_a_heat_map_and_esc_returns(qtbot, window):
    inspector = stepped(window, qtbot)
    window.resize(900, 500)                       # the inspector has to scroll
    hm = inspector.heatmaps["output"]
    qtbot.waitUntil(lambda: inspector.verticalScrollBar().maximum() > 0)
    bar = inspector.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled, parent, size = bar.value(), hm.parentWidget(), hm.size()
    inspector.ensureWidgetVisible(hm)
    scrolled = bar.value()
    double_click(qtbot, hm)
    focus = window.focus
    assert focus.is_open and covers_centre(window)
    view = focus.view.content
    assert isinstance(view, MatrixView)
    np.testing.assert_array_equal(view.matrix, hm.matrix)
    # named by whose values they are (issue 20: lesson 1.3's was titled just "output")
    assert focus.view.title.text() == "relu1 (ReLU): its output · sample 0" == hm.focus_title
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not focus.is_open and not focus.view.isVisible()
    assert hm.parentWidget() is parent and hm.isVisible() and hm.size() == size
    assert bar.value() == scrolled                 # the page is where it was
    hit = hm.value_at(QPointF(hm._grid_rect().center()))      # and still answers the mouse
    assert hit is not None and hit[2] == hm.matrix[hit[0], hit[1]]


def test_f_enlarges_the_formula_under_the_mouse(qtbot, window):
    inspector = stepped(window, qtbot)
    from bpviz.gui.widgets.formula import Formula
    formula = inspector.body.findChildren(Formula)[0]
    QCursor.setPos(formula.mapToGlobal(formula.rect().center()))
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    large = window.focus.view.content
    assert isinstance(large, LargeFormula) and large.latex == formula.latex
    assert covers_centre(window)
    qtbot.waitUntil(lambda: large.height() > 200)
    # the drawn formula is several times taller than in the inspector
    assert ink_height(large) > 3 * ink_height(formula)
    window.focus.back.click() if hasattr(window.focus, "back") else window.focus.view.back.click()
    assert not window.focus.is_open and formula.isVisible()


def ink_height(widget) -> int:
    """Rows of the widget's picture that hold text-coloured pixels."""
    image = widget.grab().toImage()
    text = widget.palette().windowText().color()
    rows = [y for y in range(0, image.height(), 1)
            if any(QColor(image.pixel(x, y)).lightness() < 100 and text.lightness() < 100
                   for x in range(0, image.width(), 2))]
    return (rows[-1] - rows[0] + 1) if rows else 0


def test_f_with_nothing_under_the_mouse_says_how(qtbot, window):
    QCursor.setPos(window.view.mapToGlobal(window.view.rect().center()))
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    assert not window.focus.is_open
    assert "Double-click a heat map" in window.last_message


def place(widget):
    """(holder, index): where a widget sits in its splitter or layout."""
    holder = widget.parentWidget()
    if isinstance(holder, QSplitter):
        return holder, holder.indexOf(widget)
    return holder, holder.layout().indexOf(widget)


def borrow_and_return(qtbot, window, plot):
    where, size = place(plot), plot.size()
    double_click(qtbot, plot.viewport())
    assert window.focus.is_open and window.focus.view.content is plot
    assert covers_centre(window) and plot.width() > size.width()
    assert window.focus.view.title.text() == plot.getPlotItem().titleLabel.text
    QCursor.setPos(plot.mapToGlobal(plot.rect().center()))
    qtbot.keyClick(plot, Qt.Key.Key_F)                        # F inside the enlarged view: no-op
    assert window.focus.view.content is plot
    qtbot.keyClick(plot, Qt.Key.Key_Escape)
    assert not window.focus.is_open and place(plot) == where
    qtbot.waitUntil(lambda: plot.isVisible() and plot.size() == size)
    curve = plot.plot([0, 1, 2], [3, 2, 1])               # and it still plots
    assert curve.getData()[1].tolist() == [3, 2, 1]


def test_a_lab_plot_is_borrowed_and_put_back(qtbot, window):
    import pyqtgraph as pg
    window.show_tab("losses")
    lab = window.losses.panel
    qtbot.waitUntil(lambda: any(p.isVisible() for p in lab.findChildren(pg.PlotWidget)))
    plot = next(p for p in lab.findChildren(pg.PlotWidget) if p.isVisible())
    borrow_and_return(qtbot, window, plot)


def test_a_plot_in_a_splitter_is_put_back_in_its_slot(qtbot, window):
    import pyqtgraph as pg
    inspector = stepped(window, qtbot)
    splitter = QSplitter()
    plots = [pg.PlotWidget(title=f"plot {k}") for k in range(3)]
    for plot in plots:
        splitter.addWidget(plot)
    splitter.setMinimumHeight(200)
    inspector.layout_.addWidget(splitter)
    qtbot.waitUntil(lambda: all(p.isVisible() for p in plots))
    borrow_and_return(qtbot, window, plots[1])
    assert [splitter.widget(k) for k in range(3)] == plots


def test_a_widget_with_focus_copy_shows_its_copy(qtbot, window):
    inspector = stepped(window, qtbot)

    class Card(QLabel):
        def focus_copy(self):
            return QLabel("the large card")

    card = Card("a card")
    inspector.layout_.addWidget(card)
    qtbot.waitUntil(card.isVisible)
    double_click(qtbot, card)
    assert window.focus.view.content.text() == "the large card"
    window.focus.close()
    assert card.isVisible() and not window.focus.is_open


def open_matrix(window, qtbot, matrix, **labels):
    inspector = stepped(window, qtbot)
    hm = inspector.heatmaps["output"]
    hm.set_array(matrix, title="logits", **labels)
    inspector.ensureWidgetVisible(hm)             # in large type the page scrolls
    double_click(qtbot, hm)
    view = window.focus.view.content
    qtbot.waitUntil(lambda: view.width() > 600)
    return view


@pytest.mark.parametrize("presentation, size, px", [(False, (1440, 900), 11),
                                                    (True, (1280, 720), 16)])
def test_a_10x10_matrix_shows_its_numbers_and_names_readably(qtbot, window, presentation,
                                                             size, px):
    if presentation:
        window.set_presentation(True)
        window.showNormal()
        qtbot.waitUntil(lambda: window.fontInfo().pixelSize() >= px)   # the app's, posted
    window.resize(*size)
    matrix = np.arange(100).reshape(10, 10) / 7 - 7
    view = open_matrix(window, qtbot, matrix, row_labels=CLASSES, col_labels=CLASSES)
    assert view.fitted and view.shows_numbers()
    assert view.text_px() >= px
    assert QFontMetrics(view.number_font()).height() >= px
    r0, r1, c0, c1 = view.visible()
    assert (r0, r1, c0, c1) == (0, 10, 0, 10)             # all of it, fitted
    # each number fits its cell whole
    metrics = QFontMetrics(view.number_font())
    assert max(metrics.horizontalAdvance(f"{v:.3g}") for v in matrix.flat) < view.sx
    assert view.row_name(2) == "ship" and view.col_name(9) == "car"
    grid = view.grid_rect()
    names = QFontMetrics(view.font())
    assert grid.left() > max(names.horizontalAdvance(n) for n in CLASSES)   # room for names


def test_numbers_are_drawn_in_a_contrasting_colour(qtbot, window):
    from bpviz.gui.theme import contrast_ratio
    from bpviz.gui.widgets.colormap import DIVERGING
    for k, colour in enumerate(DIVERGING):
        assert contrast_ratio(matrix_viewport.TEXT_ON[k], QColor(*map(int, colour[:3]))) >= 4.5


def drag(widget, start: QPointF, end: QPointF) -> None:
    """A left-button drag, as the widget receives it."""
    for kind, pos, buttons in ((QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
                               (QEvent.Type.MouseMove, end, Qt.MouseButton.LeftButton),
                               (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)):
        QApplication.sendEvent(widget, QMouseEvent(kind, pos, widget.mapToGlobal(pos),
                                                   Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier))


def test_the_matrix_pans_and_zooms(qtbot, window):
    view = open_matrix(window, qtbot, np.random.default_rng(0).normal(size=(40, 60)))
    assert not view.shows_numbers()                       # 40×60 fitted: colours only
    before = view.transform()
    at = QPointF(view.grid_rect().center()) + QPointF(37, 11)
    under = before.inverted()[0].map(at)
    wheel = QWheelEvent(at, view.mapToGlobal(at), QPoint(), QPoint(0, 120 * 4), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view, wheel)
    after = view.transform()
    assert after.m11() == pytest.approx(before.m11() * 1.25 ** 4)
    assert after.inverted()[0].map(at).x() == pytest.approx(under.x())   # the cell under
    assert after.inverted()[0].map(at).y() == pytest.approx(under.y())   # the mouse stays
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.shows_numbers()                           # zoomed in: numbers appear
    origin = view.origin
    start = view.grid_rect().center().toPoint()
    drag(view, QPointF(start), QPointF(start + QPoint(-120, -60)))
    moved = view.origin - origin
    assert moved.x() == pytest.approx(120 / view.sx)
    assert moved.y() == pytest.approx(60 / view.sy)
    qtbot.keyClick(view, Qt.Key.Key_Right)                    # further right, as a scroll bar
    assert view.origin.x() > origin.x() + moved.x()
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.fitted and view.transform() == before


def test_a_long_gradient_colours_only_what_is_on_screen(qtbot, monkeypatch):
    """A 1×150528 row (an image's dL/dx) costs what the screen shows, not its length."""
    view = MatrixView(np.linspace(-1, 1, 150528).reshape(1, -1))
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    shapes = []
    real = matrix_view.to_image
    monkeypatch.setattr(matrix_view, "to_image",
                        lambda m, **kw: shapes.append(m.shape) or real(m, **kw))
    for zoom in (1.0, 300.0, 1e6):
        view.zoom(zoom)
        view.grab()
    grid = view.grid_rect()
    assert len(shapes) == 3
    assert all(r * c <= (grid.width() + 2) * (grid.height() + 2) for r, c in shapes)
    assert view.shows_numbers() and shapes[-1][1] <= grid.width() / 100   # a few cells, read


def test_hide_docks_stays_hidden_across_tabs(qtbot, window):
    shown = [name for name, d in window.docks.items() if d.isVisible()]
    assert shown
    window.hide_docks_action.trigger()
    assert not any(d.isVisible() for d in window.docks.values())
    window.show_tab("losses")
    window.show_tab("backprop")
    assert not any(d.isVisible() for d in window.docks.values())
    window.hide_docks_action.trigger()
    assert [name for name, d in window.docks.items() if d.isVisible()] == shown
    assert window.hide_docks_action.shortcut().toString() == "Ctrl+Shift+D"


def test_side_docks_get_their_width_back_after_a_shrink(qtbot, window):
    window.resize(1440, 900)
    right = window.docks["properties"]
    # (the first start's widths: down to 240 px where the canvas needed the room, and
    # back to 380 px in a wider window; or the widths a previous test's window saved)
    qtbot.waitUntil(lambda: window.width() == 1440 and right.width() >= 240)
    qtbot.wait(50)                                           # the docks widened, if they do
    wide, left = right.width(), window.docks["palette"].width()
    window.resize(640, 400)
    qtbot.waitUntil(lambda: right.width() < wide * 0.6)
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: right.width() == wide and window.docks["palette"].width() == left)
    title = QFontMetrics(right.font()).horizontalAdvance("Properties")
    assert right.width() > 2 * title                       # no "Inspe…"


def test_a_whole_inspector_section_enlarges_from_its_heading(qtbot, window):
    """The chain-rule product dL/dout · J = product as one page: double-click its heading."""
    from bpviz.gui.backprop.sections import SectionTitle
    from bpviz.gui.widgets.jacobian_view import JacobianView
    from bpviz.paths import example_path
    window.resize(1440, 900)
    window.document.open_example(example_path("fc_softmax_ce"))
    window.classroom.step_to("softmax", "backward")
    window.docks["inspector"].raise_()
    heading = next(t for t in window.inspector.findChildren(SectionTitle)
                   if t.title.startswith("Local Jacobian"))
    qtbot.waitUntil(heading.isVisible)
    window.inspector.ensureWidgetVisible(heading)
    double_click(qtbot, heading)
    assert window.focus.is_open and window.focus.view.title.text() == heading.title
    page = window.focus.view.content
    assert page.findChildren(JacobianView)                   # the local Jacobian
    product = [m for m in page.findChildren(MatrixView)]     # dL/dout, J and the product
    assert len(product) >= 3
    big = [label for label in page.findChildren(QLabel) if label.text()]
    assert big and all(label.fontInfo().pixelSize() > heading.fontInfo().pixelSize()
                       for label in big)
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert not window.focus.is_open and heading.isVisible()


def test_a_view_enlarged_before_the_window_shows_can_be_closed(qtbot):
    """A lesson step from the command line enlarges and closes views before the window is
    first shown: closing must not depend on being visible."""
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path
    win = MainWindow()
    qtbot.addWidget(win)
    win.document.open_example(example_path("spirals_mlp"))
    win.stepper.step()
    win.stepper.step()
    assert win.focus.open(next(iter(win.inspector.heatmaps.values())))
    assert win.focus.is_open
    win.focus.close()
    assert not win.focus.is_open and win.focus.view.isHidden()
    win.document.autosave.stop()


def test_a_wide_row_in_focus_shows_its_numbers(qtbot):
    """A 1x10 row enlarged: cells are tall and narrow, the numbers still show (a font sized
    by the cell's height alone did not fit its width, and the numbers were hidden)."""
    row = MatrixView(np.linspace(-0.123456, 0.98765, 10)[None, :])
    qtbot.addWidget(row)
    row.resize(1280, 500)
    row.show()
    qtbot.waitExposed(row)
    row.fit()
    assert row.shows_numbers()
    assert row.number_font().pixelSize() >= row.fontInfo().pixelSize()


def test_a_loss_reduced_over_the_batch_is_not_titled_as_one_samples(qtbot, window):
    """The mean loss is the whole batch's: an enlarged loss output titled "· sample 0"
    told the class it was sample 0's loss (lesson 4.5)."""
    from bpviz.paths import example_path
    window.document.open_example(example_path("fc_softmax_ce"))
    window.classroom.step_to("loss", "forward")
    hms = window.inspector.heatmaps
    qtbot.waitUntil(lambda: "output" in hms and "in_input" in hms)
    assert hms["output"].focus_title == "loss (NLLLoss): its output · the whole batch"
    assert hms["in_input"].focus_title.endswith("from log · sample 0")
