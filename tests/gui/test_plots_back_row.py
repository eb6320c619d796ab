"""Plots read from the back row (issue 20 item 6, issue 21): in presentation mode at 1280x720,
at every step of the lessons that open the Losses and Optimizers tabs, each plot is at least
300 px high, its curves at least 3 px wide, no axis label over another or cut off; smooth L1
is told apart from Huber, and optimizers by dash and marker; every plot gives its values as
text on right-click; the loss surface's title never names what it does not show."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from bpviz.core.lessons import load_lesson
from bpviz.gui.widgets.plot_style import COPY_VALUES, CURVE_PX, SHOW_TABLE, ValuesTable
from bpviz.paths import lessons_dir

from .acting import choose
from .plot_checks import axis_problems, curve_widths, tick_labels
from .test_lessons import walk
from .test_optimizer_cards import inside
from .test_surface_plot import covers

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
        heading = getattr(plot, "heading", None)
        if heading is not None and heading.height() < heading.heightForWidth(heading.width()):
            found.append((name, "title cut"))
    return found


def optimizer_overlaps(window) -> list:
    """The surface plot's legend outside its view, or the cards over either plot."""
    lab = window.optimizers.panel
    found = []
    vb = lab.plot.getPlotItem().vb
    legend = lab.plot.getPlotItem().legend
    if not vb.sceneBoundingRect().contains(legend.sceneBoundingRect()):
        found.append("legend outside the view")
    cards = lab.cards.parentWidget().parentWidget()           # the cards' scroll area
    area = cards.geometry().translated(cards.parentWidget().mapTo(window, QPoint(0, 0)))
    for plot in (lab.plot, lab.loss_plot):
        rect = plot.geometry().translated(plot.parentWidget().mapTo(window, QPoint(0, 0)))
        if rect.intersects(area):
            found.append(("cards over", plot))
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
            assert optimizer_overlaps(window) == [], (name, index + 1)
        seen += 1
    assert seen >= 5


def test_smooth_l1_is_told_apart_from_huber(window):
    window.show_tab("losses")
    reg = window.losses.panel.regression
    reg.beta.set_value(1.0)
    reg.delta.set_value(1.0)
    smooth, huber = reg.items["smooth L1"][0], reg.items["Huber"][0]
    np.testing.assert_allclose(smooth.getData()[1], huber.getData()[1])   # the same curve ...
    smooth_pen, huber_pen = pg.mkPen(smooth.opts["pen"]), pg.mkPen(huber.opts["pen"])
    assert smooth_pen.style() == Qt.PenStyle.CustomDashLine                # ... dotted
    assert huber_pen.style() == Qt.PenStyle.SolidLine
    assert smooth.zValue() > huber.zValue()                                # over Huber
    legend = {label.text for _, label in reg.plot.getPlotItem().legend.items}
    assert "smooth L1 (dotted)" in legend and "Huber" in legend
    assert "dotted line over Huber" in reg.note.text()


def dashes(pen) -> tuple:
    pen = pg.mkPen(pen)
    return tuple(pen.dashPattern()) if pen.style() == Qt.PenStyle.CustomDashLine else ()


def test_optimizers_differ_by_dash_and_marker_not_colour_alone(window):
    window.show_tab("optimizers")
    lab = window.optimizers.panel
    paths = {name: dashes(item.opts["pen"]) for name, item in lab.paths.items()}
    assert len(set(paths.values())) == len(paths) == 7
    assert {n: dashes(c.opts["pen"]) for n, c in lab.loss_curves.items()} == paths
    symbols = [item.opts["symbol"] for item in lab.heads.values()]
    assert len(set(symbols)) == 7 and None not in symbols
    for sample, _ in lab.plot.getPlotItem().legend.items:        # the legend shows both
        assert sample.item.series_symbol in symbols


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
