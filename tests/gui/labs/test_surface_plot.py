"""The Optimizers tab's surface plot: the heat map fills whatever range the view shows (on
every landscape, aspect locked or not); the view holds the whole race, its start never at
the edge; the racers are named in a legend row above the plots, never over the heat map,
in the theme's text colour and at a readable size in both modes."""
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontInfo

from bpviz.gui.theme import AA_CONTRAST, THEMES, contrast_ratio, readable_px


@pytest.fixture
def lab(window):
    window.show_tab("optimizers")
    return window.optimizers.panel


def covers(plot) -> bool:
    """The heat map's rectangle (in data units) holds the view box's whole range."""
    (x0, x1), (y0, y1) = plot.getPlotItem().vb.viewRange()
    rect = plot.image.mapRectToView(plot.image.boundingRect())
    eps = 1e-9 * max(x1 - x0, y1 - y0)
    return (rect.left() <= x0 + eps and rect.right() >= x1 - eps
            and rect.top() <= y0 + eps and rect.bottom() >= y1 - eps)


@pytest.mark.parametrize("locked", [True, False])
def test_the_heat_map_fills_the_view_on_every_landscape(qtbot, lab, locked):
    plot = lab.plot
    plot.setAspectLocked(locked)
    for kind in [lab.surface_kind.itemText(i) for i in range(lab.surface_kind.count())]:
        lab.surface_kind.setCurrentText(kind)
        qtbot.waitUntil(lambda: covers(plot), timeout=10_000)
        levels = plot.bar.levels()
        plot.getPlotItem().vb.scaleBy((4, 3))      # zoom out past the race's view, wider
        assert not covers(plot), kind                        # the old grid: part of the view
        qtbot.waitUntil(lambda: covers(plot), timeout=10_000)
        assert plot.bar.levels() == levels, kind             # the same colours mean the same z


def test_the_surface_is_computed_once_after_a_burst_of_view_changes(qtbot, lab):
    plot = lab.plot
    qtbot.waitUntil(lambda: not plot.refill_timer.isActive() and covers(plot))
    fill, calls = plot.fill, []
    plot.fill = lambda bounds: calls.append(bounds) or fill(bounds)
    vb = plot.getPlotItem().vb
    for _ in range(5):                                       # a drag: many small moves
        vb.translateBy(x=0.3, y=0.1)
    assert calls == []                                       # debounced: nothing yet
    qtbot.waitUntil(lambda: covers(plot), timeout=10_000)
    (x0, x1), (y0, y1) = vb.viewRange()
    assert calls == [(x0, x1, y0, y1)]                       # once, over the final range


def test_a_click_in_the_enlarged_view_sets_the_start(lab):
    vb = lab.plot.getPlotItem().vb
    vb.scaleBy((4, 4))                           # zoomed out: beyond the surface's box
    (x0, x1), (y0, y1) = vb.viewRange()
    xmax, ymax = lab.surface.bounds[1], lab.surface.bounds[3]
    corner = (x1 - 0.01, y1 - 0.01)
    assert corner[0] > xmax and corner[1] > ymax
    lab.set_start(*corner)
    assert lab.start == corner and all(r.points[0].tolist() == list(corner)
                                       for r in lab.runs.values())
    (x0, x1), (y0, y1) = vb.viewRange()          # the view follows the new race ...
    assert x0 < corner[0] < x1 and y0 < corner[1] < y1     # ... and keeps its start inside
    lab.set_start(x1 + 1, y0)                    # outside the view: ignored
    assert lab.start == corner


def window_rect(widget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_legend_row_names_the_racers_above_the_plots(qtbot, lab, window, theme):
    window.set_theme(theme)
    qtbot.wait(1)                               # widgets get the new palette through events
    legend = lab.legend
    assert list(legend.entries) == list(lab.runs)          # the racers only, in race order
    lab.optimizers.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert list(legend.entries) == list(lab.runs) and "GD" not in legend.entries
    qtbot.waitUntil(lambda: legend.isVisible() and lab.plot.isVisible()
                    and all(icon.isVisible() for icon, _ in legend.entries.values()))
    for plot in (lab.plot, lab.loss_plot):                 # over neither plot
        assert not window_rect(legend).intersects(window_rect(plot))
    assert window_rect(legend).bottom() < window_rect(lab.plot).top()
    base, text = THEMES[theme].base, THEMES[theme].text
    for icon, label in legend.entries.values():               # names in the text colour
        palette = label.palette()
        assert contrast_ratio(palette.windowText().color(), palette.window().color()) \
            >= AA_CONTRAST
        assert icon.isVisible() and icon.width() >= 40        # the dash and marker sample
    assert contrast_ratio(text, base) >= AA_CONTRAST
    assert contrast_ratio("#808080", base) >= 3     # GD's near-black swatch: its grey edge


def test_the_legend_text_follows_presentation_mode(qtbot, lab, window):
    def smallest():
        return min(QFontInfo(label.font()).pixelSize() for _, label in lab.legend.entries.values())
    assert smallest() >= readable_px(False)
    window.set_presentation(True)
    qtbot.waitUntil(lambda: smallest() >= readable_px(True))


def test_the_view_holds_the_whole_race_with_the_start_inside(qtbot, lab):
    for kind in [lab.surface_kind.itemText(i) for i in range(lab.surface_kind.count())]:
        lab.surface_kind.setCurrentText(kind)
        (x0, x1), (y0, y1) = lab.plot.getPlotItem().vb.viewRange()
        sx, sy = x1 - x0, y1 - y0
        start = lab.start
        assert x0 + 0.03 * sx < start[0] < x1 - 0.03 * sx, kind        # not at the edge
        assert y0 + 0.03 * sy < start[1] < y1 - 0.03 * sy, kind
        xmin, xmax, ymin, ymax = lab.surface.bounds
        for run in lab.runs.values():                    # all but a diverging run's far steps
            px, py = run.points.T
            near = ((xmin - (xmax - xmin) <= px) & (px <= xmax + (xmax - xmin))
                    & (ymin - (ymax - ymin) <= py) & (py <= ymax + (ymax - ymin)))
            px, py = run.points[near].T
            assert px.min() >= x0 and px.max() <= x1 and py.min() >= y0 and py.max() <= y1, \
                (kind, run.name)
