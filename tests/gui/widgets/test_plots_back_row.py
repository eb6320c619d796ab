"""Plots read from the back row (issue 20 item 6, issue 21): in presentation mode at 1280x720,
at every step of the lessons that open the Losses and Optimizers tabs, each plot is at least
300 px high, its curves at least 3 px wide, no axis label over another or cut off, the race's
start inside the view, the optimizer cards whole without scrolling; smooth L1 is told apart
from Huber, and every series by dash and marker along it, in the plot and in its legend;
every plot gives its values as text on right-click; the loss surface's title never names
what it does not show. The steps a review of the class's screenshots found wanting (issue
20): SGD's noise seen in 6.4, the step's move on the card in 7.5, 7.7 whole, the multiclass
page (its gradients hidden) in 4.7, the quoted y enlarged in 4.5-4.6, formulas of 16 px, and
no legend over a curve (lessons 4 and 5 had theirs over the curves)."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from bpviz.core.teaching.lessons import load_lesson
from bpviz.gui.widgets.plot_style import COPY_VALUES, CURVE_PX, SHOW_TABLE, ValuesTable
from bpviz.gui.widgets.series_legend import SeriesLegend
from bpviz.paths import lessons_dir

from ..acting import choose
from ..canvas.test_canvas_projector import open_on_projector
from ..labs.test_optimizer_cards import inside, misfits
from ..labs.test_surface_plot import covers, window_rect
from ..lessons.test_lessons import walk
from ..plot_checks import axis_problems, curve_widths, tick_labels

PROJECTOR = (1280, 720)
LAB_TABS = ("losses", "optimizers")


def projector(window, qtbot) -> None:
    window.set_presentation(True)
    window.showNormal()
    window.resize(*PROJECTOR)
    qtbot.waitUntil(lambda: window.size().toTuple() == PROJECTOR)


def shown_plots(window) -> list[pg.PlotWidget]:
    """The plots of the lab tab on screen (none on other tabs)."""
    page = window.tabs.currentWidget()
    panel = getattr(page, "panel", page)
    return [p for p in panel.findChildren(pg.PlotWidget) if p.isVisible()]


def curve_points(plot) -> np.ndarray:
    """(n, 2) window coordinates of every point of the plot's visible curves and markers
    that lies in its view."""
    item = plot.getPlotItem()
    (x0, x1), (y0, y1) = item.vb.viewRange()
    corner = [plot.mapFromScene(item.vb.mapViewToScene(QPointF(x, y))) for x, y in
              ((x0, y0), (x1, y1))]
    origin = plot.viewport().mapTo(plot.window(), QPoint(0, 0))
    found = []
    for curve in item.listDataItems():
        if not isinstance(curve, pg.PlotDataItem) or not curve.isVisible():
            continue                                   # bars: the multiclass page's
        x, y = (np.asarray(v, dtype=float) for v in curve.getOriginalDataset())
        if x.ndim != 1 or not len(x):
            continue
        keep = np.isfinite(x) & np.isfinite(y) & (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)
        u = corner[0].x() + (x[keep] - x0) / (x1 - x0) * (corner[1].x() - corner[0].x())
        v = corner[0].y() + (y[keep] - y0) / (y1 - y0) * (corner[1].y() - corner[0].y())
        found.append(np.stack([u + origin.x(), v + origin.y()], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2))


def legend_rects(window, plot) -> list[QRect]:
    """Window rectangles of the legends shown: the plot's own (pyqtgraph's, inside it) and
    every legend row on screen."""
    rects = []
    legend = plot.getPlotItem().legend
    if legend is not None and legend.isVisible() and legend.items:
        drawn = plot.mapFromScene(legend.sceneBoundingRect()).boundingRect()
        rects.append(drawn.translated(plot.viewport().mapTo(window, QPoint(0, 0))))
    rows = [row for row in window.findChildren(SeriesLegend) if row.isVisible() and row.entries]
    return rects + [window_rect(row) for row in rows]


def legend_over_curves(window, plot) -> list:
    """(legend rectangle, points of curves inside it) for each legend that covers a curve."""
    points = curve_points(plot)
    found = []
    for rect in legend_rects(window, plot):
        under = ((points[:, 0] >= rect.left()) & (points[:, 0] <= rect.right())
                 & (points[:, 1] >= rect.top()) & (points[:, 1] <= rect.bottom()))
        if under.any():
            found.append((rect.getRect(), int(under.sum())))
    return found


def cut_markers(plot) -> list:
    """(x, y) of the markers in the view drawn across its edge: the first and last
    iterations' were cut in half (6.1, 6.4, lesson 7)."""
    item = plot.getPlotItem()
    box, ((x0, x1), (y0, y1)) = item.vb.sceneBoundingRect(), item.vb.viewRange()
    found = []
    for data in item.listDataItems():
        if not isinstance(data, pg.PlotDataItem) or not data.isVisible() \
                or data.opts.get("symbol") is None or data.getData()[0] is None:
            continue
        half = data.opts["symbolSize"] / 2 - 1
        for x, y in zip(*data.getData(), strict=True):
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                continue                            # outside: a diverging run's last step
            at = item.vb.mapViewToScene(QPointF(x, y))
            if min(at.x() - box.left(), box.right() - at.x(), at.y() - box.top(),
                   box.bottom() - at.y()) < half:
                found.append((round(float(x), 3), round(float(y), 3)))
    return found


def plot_misfits(window) -> list:
    found = []
    for plot in shown_plots(window):
        name = getattr(plot, "heading", None)
        name = name.text() if name is not None else plot.getPlotItem().titleLabel.text
        if plot.height() < 300:
            found.append((name, "height", plot.height()))
        if not inside(plot, window):
            found.append((name, "below the fold or cut off"))
        found += [(name, "pen", k, w) for k, w in curve_widths(plot).items() if w < CURVE_PX]
        found += [(name, *problem) for problem in axis_problems(plot)]
        found += [(name, "marker cut at the edge", at) for at in cut_markers(plot)]
        found += [(name, "legend over curves", *over) for over in legend_over_curves(window, plot)]
        heading = getattr(plot, "heading", None)
        if heading is not None and heading.height() < heading.heightForWidth(heading.width()):
            found.append((name, "title cut"))
    return found


def optimizer_overlaps(window) -> list:
    """The legend row over either plot, the cards over either plot or scrolling, a card cut
    off, or the race's start at the edge of the view."""
    lab = window.optimizers.panel
    found = []
    for plot in (lab.plot, lab.loss_plot):
        if window_rect(lab.legend).intersects(window_rect(plot)):
            found.append(("legend over", plot))
    cards = lab.cards.parentWidget().parentWidget()           # the cards' scroll area
    for plot in (lab.plot, lab.loss_plot):
        if window_rect(cards).intersects(window_rect(plot)):
            found.append(("cards over", plot))
    if cards.verticalScrollBar().maximum() > 0 or cards.horizontalScrollBar().maximum() > 0:
        found.append("the cards scroll")
    found += [("cut", name) for name, _ in misfits(lab, window)]
    (x0, x1), (y0, y1) = lab.plot.getPlotItem().vb.viewRange()
    margin_x, margin_y = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
    if not (x0 + margin_x < lab.start[0] < x1 - margin_x
            and y0 + margin_y < lab.start[1] < y1 - margin_y):
        found.append(("start at the edge", lab.start))
    return found


@pytest.mark.parametrize("name", ["04_classification_losses", "05_regression_losses",
                                  "06_gradient_descent_momentum", "07_adam"])
def test_lesson_plots_read_from_the_back_row(qtbot, window, name):
    projector(window, qtbot)
    lesson = load_lesson(lessons_dir() / f"{name}.lesson.json")
    seen = 0
    for index, _step in walk(qtbot, window, lesson):
        if window.tabs.tabText(window.tabs.currentIndex()).lower() not in LAB_TABS:
            continue
        try:
            qtbot.waitUntil(lambda: bool(shown_plots(window)) and not plot_misfits(window),
                            timeout=3000)
        except Exception:
            raise AssertionError(f"{name} step {index + 1}: {plot_misfits(window)}") from None
        if window.tabs.tabText(window.tabs.currentIndex()).lower() == "optimizers":
            try:
                qtbot.waitUntil(lambda: not optimizer_overlaps(window), timeout=3000)
            except Exception:
                raise AssertionError(f"{name} step {index + 1}: "
                                     f"{optimizer_overlaps(window)}") from None
        for plot in shown_plots(window):
            assert not same_looks(plot), (name, index + 1, same_looks(plot))
        seen += 1
    assert seen >= 5


def test_smooth_l1_is_told_apart_from_huber(window):
    window.show_tab("losses")
    reg = window.losses.panel.regression
    reg.beta.set_value(1.0)
    reg.delta.set_value(1.0)
    smooth, huber = reg.items["smooth L1"][0].line, reg.items["Huber"][0].line
    np.testing.assert_allclose(smooth.getData()[1], huber.getData()[1])   # the same curve ...
    smooth_pen, huber_pen = pg.mkPen(smooth.opts["pen"]), pg.mkPen(huber.opts["pen"])
    assert smooth_pen.style() == Qt.PenStyle.CustomDashLine                # ... dotted
    assert huber_pen.style() == Qt.PenStyle.SolidLine
    assert smooth.zValue() > huber.zValue()                                # over Huber
    legend = reg.legend.entries
    assert "smooth L1 (dotted)" in legend and "Huber" in legend
    assert "dotted line over Huber" in reg.note.text()
    marks = [reg.items[n][0].marks.getData()[0] for n in ("smooth L1", "Huber")]
    assert len(marks[0]) >= 5 and not set(marks[0]) & set(marks[1])   # markers apart


def dashes(pen) -> tuple:
    pen = pg.mkPen(pen)
    return tuple(pen.dashPattern()) if pen.style() == Qt.PenStyle.CustomDashLine else ()


def series_looks(plot) -> dict:
    """{curve: (dash pattern, marker)} of each named curve: its line's dashes and the
    marker drawn along it (a MarkedCurve's markers share its colour, not its name)."""
    items = plot.getPlotItem().listDataItems()
    looks = {}
    for item in items:
        if not item.name() or item.getData()[0] is None or not len(item.getData()[0]):
            continue
        colour = pg.mkPen(item.opts["pen"]).color().name()
        along = [m for m in items if m.opts.get("pen") is None and m.opts.get("symbol")
                 and m.getData()[0] is not None and len(m.getData()[0]) >= 2
                 and pg.mkPen(m.opts["symbolPen"]).color().name() == colour]
        symbols = {m.opts["symbol"] for m in along}
        looks[item.name()] = (dashes(item.opts["pen"]), frozenset(symbols))
    return looks


def same_looks(plot) -> list:
    """Pairs of curves in one plot told apart by their colour alone."""
    looks = series_looks(plot)
    return [(a, b) for a in looks for b in looks if a < b and looks[a] == looks[b]]


def test_loss_curves_differ_by_marker_not_colour_alone(window):
    window.show_tab("losses")
    for panel in (window.losses.panel.classification, window.losses.panel.regression):
        looks = series_looks(panel.plot)
        assert len(looks) >= 3 and all(symbols for _, symbols in looks.values()), looks
        assert same_looks(panel.plot) == []
        icons = [icon for icon, _ in panel.legend.entries.values()]   # it shows the marker
        assert all(icon.symbol for icon in icons)
        assert len({icon.symbol for icon in icons}) == len(looks)
        assert [dashes(icon.pen) for icon in icons] == [looks[n][0] for n in looks]


def test_optimizers_differ_by_dash_and_marker_not_colour_alone(window):
    window.show_tab("optimizers")
    lab = window.optimizers.panel
    lab.show_step(lab.steps.value())
    paths = {name: dashes(item.line.opts["pen"]) for name, item in lab.paths.items()}
    assert len(set(paths.values())) == len(paths) == 7
    assert {n: dashes(c.line.opts["pen"]) for n, c in lab.loss_curves.items()} == paths
    for plot in (lab.plot, lab.loss_plot):
        assert len(series_looks(plot)) == 7 and same_looks(plot) == []
    symbols = [item.opts["symbol"] for item in lab.heads.values()]
    assert len(set(symbols)) == 7 and None not in symbols
    icons = [icon for icon, _ in lab.legend.entries.values()]    # the legend shows both
    assert [icon.symbol for icon in icons] == symbols
    assert [dashes(icon.pen) for icon in icons] == list(paths.values())


def right_click_menu(qtbot, plot):
    """Right-click the middle of the plot's view; the menu that opens."""
    centre = plot.mapFromScene(plot.getPlotItem().vb.sceneBoundingRect().center())
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.RightButton, pos=centre)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    return QApplication.activePopupWidget()


def act(menu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    menu.close()
    action.trigger()


def test_a_plots_values_as_a_table_and_copied(qtbot, window):
    window.show_tab("losses")
    cls = window.losses.panel.classification
    menu = right_click_menu(qtbot, cls.plot)
    assert {SHOW_TABLE, COPY_VALUES} <= {a.text() for a in menu.actions()}
    act(menu, SHOW_TABLE)
    table = cls.plot.values_table
    assert isinstance(table, ValuesTable) and table.isVisible()
    model = table.model
    assert model.names[0] == "margin t·y" and "hinge" in model.names
    hinge = cls.items["hinge"][0].getData()[1]
    column = model.names.index("hinge")
    assert model.rowCount() == len(hinge) == 601
    assert float(model.index(100, column).data()) == pytest.approx(hinge[100], rel=1e-2)
    qtbot.keyClick(table.table, Qt.Key.Key_Escape)
    assert not table.isVisible()
    act(right_click_menu(qtbot, cls.plot), COPY_VALUES)
    rows = QGuiApplication.clipboard().text().splitlines()
    assert rows[0].split("\t")[0] == "margin t·y" and len(rows) == 602
    assert float(rows[101].split("\t")[column]) == hinge[100]                 # full precision


def test_every_lab_plot_offers_its_values(window):
    for tab in ("losses", "optimizers", "training"):
        window.show_tab(tab)
        page = window.tabs.currentWidget()
        panel = getattr(page, "panel", page)
        plots = [p for p in panel.findChildren(pg.PlotWidget)          # curves and bars (a
                 if any(isinstance(i, (pg.PlotDataItem, pg.BarGraphItem))   # picture's pixels
                        for i in p.getPlotItem().items)]                    # are no table)
        assert len(plots) >= 2, tab
        for plot in plots:
            texts = {a.text() for a in plot.getPlotItem().vb.menu.actions()}
            assert SHOW_TABLE in texts, (tab, plot)


def test_the_optimizer_tables_hold_the_race(qtbot, window):
    window.show_tab("optimizers")
    lab = window.optimizers.panel
    lab.show_step(5)
    columns = lab.loss_columns()
    assert list(columns["iteration"]) == list(range(6))
    for name, run in lab.runs.items():
        np.testing.assert_array_equal(columns[f"{name} loss"], run.losses[:6])


def test_the_loss_surface_title_says_what_is_shown_or_that_it_is_stale(qtbot, window):
    window.show_tab("losses")
    panel = window.losses.panel.surface
    title = panel.plot.heading
    choose(panel.loss, "hinge")
    assert title.text().startswith("hinge loss") and "stale" not in title.text()
    choose(panel.dataset, panel.dataset.itemText(0))
    assert panel.dataset.itemText(0) in title.text()          # at once: milliseconds
    choose(panel.source, "graph in the Backprop tab")
    assert "stale" in title.text() and "press Compute" in title.text()
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert panel.wait(60_000)
    qtbot.waitUntil(lambda: "graph" in title.text() and "stale" not in title.text(),
                    timeout=10_000)


def test_lesson_6_step_4_leaves_no_white_bands_after_the_reveal(qtbot, window):
    projector(window, qtbot)
    assert window.lessons.open("06_gradient_descent_momentum", 3, ask=False) == ""
    step = window.lessons.lesson.steps[3]
    window.lessons.answer(int(step.question.answer))
    lab = window.optimizers.panel
    qtbot.waitUntil(lambda: covers(lab.plot) and not lab.plot.refill_timer.isActive(),
                    timeout=10_000)
    lab.new_surface()               # the same surface drawn again: the view's range is the
    assert not covers(lab.plot)      # same, so no range signal; its box alone ...
    qtbot.waitUntil(lambda: covers(lab.plot) and not lab.plot.refill_timer.isActive(),
                    timeout=10_000)                  # ... is filled out all the same


def test_the_log_loss_axis_labels_stand_apart(qtbot, window):
    """Less than two decades (lesson 6 step 4: 0.05 to 3): pyqtgraph labelled each of
    0.05, 0.06, ... 0.9 a few pixels apart; now 1-2-5 steps, a line apart at least."""
    projector(window, qtbot)
    window.show_tab("optimizers")
    plot = window.optimizers.panel.loss_plot
    plot.setYRange(np.log10(0.05), np.log10(3), padding=0)
    axis = plot.getAxis("left")
    qtbot.waitUntil(lambda: len(tick_labels(axis)) >= 3)
    labels = sorted(tick_labels(axis), key=lambda label: label[0].top())
    assert {text for _, text in labels} <= {"0.05", "0.1", "0.2", "0.5", "1", "2"}
    gaps = [b.top() - a.bottom() for (a, _), (b, _) in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= labels[0][0].height() / 2, labels
    assert axis_problems(plot) == []


def pixel_path(plot, points) -> np.ndarray:
    """The points (n, 2) in the plot's scene pixels."""
    vb = plot.getPlotItem().vb
    return np.array([(p.x(), p.y()) for p in
                     (vb.mapViewToScene(pg.Point(float(x), float(y))) for x, y in points)])


def wiggle_px(plot, points) -> float:
    """How far, in pixels, a path strays from its own 5-step moving average: noise seen."""
    px = pixel_path(plot, points)
    smooth = np.stack([np.convolve(px[:, k], np.ones(5) / 5, mode="valid") for k in (0, 1)], 1)
    return float(np.max(np.hypot(*(px[2:-2] - smooth).T)))


def test_lesson_6_step_4_shows_sgds_noise_and_its_start(qtbot, window):
    open_on_projector(qtbot, window, "06_gradient_descent_momentum", 4)
    lab = window.optimizers.panel
    qtbot.waitUntil(lambda: not optimizer_overlaps(window), timeout=3000)  # start inside
    noisy = wiggle_px(lab.plot, lab.runs["SGD"].points)
    assert noisy >= 6, noisy                         # batches of 2: a zigzag the class sees
    window.lessons.answer(1)                         # the reveal: batches of 256
    qtbot.waitUntil(lambda: not optimizer_overlaps(window), timeout=3000)
    assert wiggle_px(lab.plot, lab.runs["SGD"].points) < noisy / 2


def card_text(lab, name: str, symbol: str) -> tuple[str, str]:
    x, y = lab.cards.cards[name].values[symbol]
    return x.text(), y.text()


def test_lesson_7_step_5_the_card_gives_the_step_asked_about(qtbot, window):
    open_on_projector(qtbot, window, "07_adam", 5)
    lab = window.optimizers.panel
    assert card_text(lab, "Adam", "Δθ") == ("–", "–")           # before: nothing moved yet
    window.lessons.answer(0.1)
    assert card_text(lab, "Adam", "Δθ") == ("0.1", "-0.1")      # x moves by η = 0.1
    # the head that made that step is drawn over the start's cross, not under it
    assert lab.drawn.heads["Adam"].zValue() > lab.drawn.start_marker.zValue()
    qtbot.waitUntil(lambda: not optimizer_overlaps(window), timeout=3000)


def test_lesson_7_step_7_fits_whole(qtbot, window):
    open_on_projector(qtbot, window, "07_adam", 7)
    lab = window.optimizers.panel
    assert set(lab.runs) == {"Momentum", "Adam"} and lab.cards.cards["Adam"].bias is None
    qtbot.waitUntil(lambda: not optimizer_overlaps(window) and not plot_misfits(window),
                    timeout=3000)
    window.lessons.previous()                       # back a step: the bias table again
    assert lab.cards.cards["Adam"].bias is not None


def test_lesson_4_step_7_asks_on_the_multiclass_page_without_the_gradients(qtbot, window):
    open_on_projector(qtbot, window, "04_classification_losses", 7)
    losses = window.losses.panel
    multiclass = losses.multiclass
    assert losses.currentWidget() is multiclass
    qtbot.waitUntil(lambda: multiclass.columns["p"].isVisible())
    assert not multiclass.columns["ce"].isVisible() and not multiclass.columns["hinge"].isVisible()
    assert " of 4 here" not in multiclass.values.text()           # no count of the answer
    # every score's slider long enough to drag ("y[Australian terrier]"'s was 25 px), and
    # the class names written beside the bars (the axis built hidden showed none)
    assert min(s.slider.width() for s in multiclass.logits) >= 150
    names = multiclass.plots["p"][0]
    longest = max(names.fontMetrics().horizontalAdvance(n) for n in multiclass.names)
    assert names.getAxis("left").width() >= longest
    window.lessons.answer(0)
    qtbot.waitUntil(lambda: multiclass.columns["hinge"].isVisible())
    assert "(2 of 4 here)" in multiclass.values.text()
    # three panels whose bars read from the back (about 90 px each before), rows level
    boxes = [plot.getPlotItem().vb for plot, _ in multiclass.plots.values()]
    assert min(box.width() for box in boxes) >= 140, [box.width() for box in boxes]
    assert len({plot.mapTo(window, plot.rect().topLeft()).y()
                for plot, _ in multiclass.plots.values()}) == 1


@pytest.mark.parametrize("lesson, step", [("05_regression_losses", 4),
                                          ("05_regression_losses", 5),
                                          ("06_gradient_descent_momentum", 7)])
def test_lesson_formulas_are_16_px_on_the_projector(qtbot, window, lesson, step):
    open_on_projector(qtbot, window, lesson, step)
    panel = window.lessons.panel
    qtbot.waitUntil(lambda: panel.formula.text_px() is not None)
    for formula in (panel.formula, panel.formula_rest):
        if formula.latex:
            assert formula.text_px() >= 16 - 1e-6, (formula.latex, formula.text_px())


@pytest.mark.parametrize("steps", [50, 100, 200])
def test_the_iteration_axis_is_labelled_apart_beside_the_cards(qtbot, window, steps):
    """All seven racing at 1280x720: the loss plot is narrow beside the cards (pyqtgraph
    ran "100" into "150"); its iterations are labelled 1-2-5 steps apart, none over
    another."""
    projector(window, qtbot)
    window.show_tab("optimizers")
    lab = window.optimizers.panel
    lab.steps.setValue(steps)
    axis = lab.loss_plot.getAxis("bottom")
    qtbot.waitUntil(lambda: lab.loss_plot.isVisible() and len(tick_labels(axis)) >= 1)
    at = sorted(float(text) for _, text in tick_labels(axis))
    assert all(str(round(b - a))[0] in "125" for a, b in zip(at, at[1:], strict=False)), at
    assert axis_problems(lab.loss_plot, sides=("bottom",)) == []


@pytest.mark.parametrize("lesson, step", [("06_gradient_descent_momentum", 1),
                                          ("07_adam", 7)])
def test_the_iteration_axis_has_two_labels_in_a_lesson(qtbot, window, lesson, step):
    open_on_projector(qtbot, window, lesson, step)
    axis = window.optimizers.panel.loss_plot.getAxis("bottom")
    qtbot.waitUntil(lambda: len(tick_labels(axis)) >= 2)
    assert axis_problems(window.optimizers.panel.loss_plot, sides=("bottom",)) == []


@pytest.mark.parametrize("low, high, powers", [(1e-6, 30, True), (0.01, 30, False),
                                               (0.05, 3, False), (2.0, 5e5, True)])
def test_the_log_loss_axis_writes_its_labels_in_one_format(qtbot, window, low, high, powers):
    """'0.0001' beside '10⁻⁶', '10¹' above '1' (lesson 6 and 7): each range in one format,
    plain numbers from 0.001 to 1000, powers of ten beyond."""
    projector(window, qtbot)
    window.show_tab("optimizers")
    plot = window.optimizers.panel.loss_plot
    plot.setYRange(np.log10(low), np.log10(high), padding=0)
    axis = plot.getAxis("left")
    qtbot.waitUntil(lambda: len(tick_labels(axis)) >= 2)
    texts = [text for _, text in tick_labels(axis)]
    assert {"10" in text and text[-1] in "⁰¹²³⁴⁵⁶⁷⁸⁹" for text in texts} == {powers}, texts
