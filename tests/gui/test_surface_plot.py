"""The Optimizers tab's surface plot: the heat map fills whatever range the view shows (on
every landscape, aspect locked or not), and its legend is readable on any heat map: an
opaque box in the theme's colours, measured from the drawn pixels in both themes."""
import re
from collections import Counter

import pytest
from PySide6.QtGui import QColor

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
        plot.getPlotItem().vb.scaleBy((1.7, 1.3))           # zoom out, wider than high
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
    vb.scaleBy((1.5, 1.5))                       # zoomed out: beyond the surface's box
    (x0, x1), (y0, y1) = vb.viewRange()
    xmax, ymax = lab.surface.bounds[1], lab.surface.bounds[3]
    corner = (x1 - 0.01, y1 - 0.01)
    assert corner[0] > xmax and corner[1] > ymax
    lab.set_start(*corner)
    assert lab.start == corner and all(r.points[0].tolist() == list(corner)
                                       for r in lab.runs.values())
    lab.set_start(x1 + 1, y0)                    # outside the view: ignored
    assert lab.start == corner


def legend_pixels(plot):
    """Colour counts inside the legend's box as drawn, and the box in widget pixels."""
    legend = plot.getPlotItem().legend
    box = plot.mapFromScene(legend.mapRectToScene(legend.boundingRect())).boundingRect()
    image = plot.grab().toImage()
    inner = box.adjusted(2, 2, -2, -2)
    counts = Counter(image.pixelColor(x, y).name()
                     for x in range(inner.left(), inner.right())
                     for y in range(inner.top(), inner.bottom()))
    return counts, box


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_legend_is_readable_on_the_heat_map(qtbot, lab, window, theme):
    window.set_theme(theme)
    qtbot.wait(1)                               # widgets get the new palette through events
    plot = lab.plot
    base, text = THEMES[theme].base, THEMES[theme].text
    counts, box = legend_pixels(plot)
    assert box.width() > 60 and box.height() > 100              # seven entries
    centre = plot.getPlotItem().vb.mapSceneToView(plot.mapToScene(box.center()))
    assert plot.image.mapRectToView(plot.image.boundingRect()).contains(centre)  # on the map
    assert counts.most_common(1)[0][0] == base                 # the box hides the map
    drawn = [QColor(c) for c in counts]
    ink = max(drawn, key=lambda c: contrast_ratio(c, base))    # the labels' strongest pixel
    assert contrast_ratio(ink, base) >= AA_CONTRAST
    assert contrast_ratio(text, base) >= AA_CONTRAST
    legend = plot.getPlotItem().legend
    for _sample, label in legend.items:
        assert QColor(label.opts["color"]).name() == text, label.text
    # GD's near-black swatch stands out by its grey edge (3:1, non-text contrast)
    assert contrast_ratio("#808080", base) >= 3


def test_the_legend_text_follows_presentation_mode(qtbot, lab, window):
    def label_px():
        sizes = {label.opts["size"] for _, label in lab.plot.getPlotItem().legend.items}
        assert len(sizes) == 1
        return int(re.fullmatch(r"(\d+)px", sizes.pop()).group(1))
    assert label_px() >= readable_px(False)
    window.set_presentation(True)
    qtbot.waitUntil(lambda: label_px() >= readable_px(True))


def hidden_points(lab) -> int:
    """How many points of the race (all steps, every optimizer) lie under the legend."""
    plot = lab.plot
    legend = plot.getPlotItem().legend
    box = plot.getPlotItem().vb.mapSceneToView(legend.mapRectToScene(legend.boundingRect()))
    box = box.boundingRect()
    return sum(box.contains(float(x), float(y))
               for run in lab.runs.values() for x, y in run.points)


def test_the_legend_keeps_clear_of_the_race(qtbot, lab):
    for kind in [lab.surface_kind.itemText(i) for i in range(lab.surface_kind.count())]:
        lab.surface_kind.setCurrentText(kind)
        qtbot.waitUntil(lambda: covers(lab.plot), timeout=10_000)
        qtbot.waitUntil(lambda: not lab.plot.refill_timer.isActive())
        assert hidden_points(lab) == 0, kind
    lab.surface_kind.setCurrentText("Rosenbrock")
    legend = lab.plot.getPlotItem().legend
    before = legend.pos()
    lab.set_start(-1.8, -0.5)                   # the race runs through the legend's corner
    assert legend.pos() != before and hidden_points(lab) == 0       # so the legend moves
