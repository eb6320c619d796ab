"""Projector-ready contrast: every text colour the themes set, and the text pyqtgraph draws
in the labs' plots (titles, legends, axes), meets WCAG AA (4.5:1) against its background."""
import re

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from bpviz.gui.theme import (
    AA_CONTRAST,
    TEXT_PAIRS,
    THEMES,
    apply_theme,
    contrast_ratio,
    relative_luminance,
)
from bpviz.gui.widgets.series_legend import SeriesLegend


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)   # order-free
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    # pyqtgraph's default foreground grey, the one the plots used to draw text in
    assert contrast_ratio(QColor(150, 150, 150), "#ffffff") < AA_CONTRAST


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_pair_of_the_theme_meets_aa(name):
    theme = THEMES[name]
    pairs = [(getattr(theme, fg), getattr(theme, bg), f"{fg} on {bg}") for fg, bg in TEXT_PAIRS]
    pairs += [(theme.header_text, colour, f"header text on {group}")
              for group, colour in theme.groups.items()]
    low = [(what, round(contrast_ratio(fg, bg), 2)) for fg, bg, what in pairs
           if contrast_ratio(fg, bg) < AA_CONTRAST]
    assert not low, f"{name}: {low}"


def drawn_colour(label) -> QColor:
    """The colour a pyqtgraph LabelItem draws in: the one in its rendered HTML (its
    options can say another until it is redrawn)."""
    colours = set(re.findall(r"color:(#[0-9a-fA-F]{6,8})", label.item.toHtml()))
    assert len(colours) == 1, colours
    return QColor(colours.pop())


def plot_texts(plot):
    """(what, text colour) of a PlotWidget's title, axis text and legend labels, read back
    from the pyqtgraph items."""
    item = plot.getPlotItem()
    found = []
    if item.titleLabel.isVisible():
        found.append(("title", drawn_colour(item.titleLabel)))
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        if axis.isVisible():
            found.append((f"{side} axis", axis.textPen().color()))
    if item.legend is not None:
        found += [(f"legend {label.text}", drawn_colour(label))
                  for _, label in item.legend.items]
    return found


@pytest.fixture(params=sorted(THEMES))
def themed_window(request, window):
    import pyqtgraph as pg

    app = QApplication.instance()
    apply_theme(app, THEMES[request.param])
    # as in the app, where pyqtgraph loads after the theme is set: its own grey
    pg.setConfigOptions(foreground="d")
    yield window, THEMES[request.param]
    apply_theme(app, THEMES["light"])


def test_lab_plots_draw_text_in_the_theme_colour(themed_window):
    import pyqtgraph as pg

    window, theme = themed_window
    checked = 0
    for index, lab in ((1, window.losses), (2, window.optimizers)):
        window.tabs.setCurrentIndex(index)
        for plot in lab.panel.findChildren(pg.PlotWidget):
            background = plot.backgroundBrush().color()
            assert background == QColor(theme.base)
            texts = plot_texts(plot)
            assert texts, plot
            for what, colour in texts:
                ratio = contrast_ratio(colour, background)
                assert ratio >= AA_CONTRAST, f"{theme.name}: {what} {colour.name()} {ratio:.2f}"
                checked += 1
        for legend in lab.panel.findChildren(SeriesLegend):       # rows above the plots
            for _, label in legend.entries.values():
                colours = label.palette()
                ratio = contrast_ratio(colours.windowText().color(), colours.window().color())
                assert ratio >= AA_CONTRAST, f"{theme.name}: legend {label.text()} {ratio:.2f}"
                checked += 1
    assert checked > 20          # titles, legends and axes of several plots were read


def test_switching_theme_restyles_plots_already_built(window):
    import pyqtgraph as pg

    app = QApplication.instance()
    apply_theme(app, THEMES["light"])
    window.tabs.setCurrentIndex(1)
    plot = window.losses.panel.findChildren(pg.PlotWidget)[0]
    try:
        apply_theme(app, THEMES["dark"])
        assert plot.backgroundBrush().color() == QColor(THEMES["dark"].base)
        assert all(colour == QColor(THEMES["dark"].text) for _, colour in plot_texts(plot))
    finally:
        apply_theme(app, THEMES["light"])


def test_error_text_takes_the_themes_error_colour(qtbot, window):
    from bpviz.gui.theme import THEMES, contrast_ratio, error_color
    for name in ("dark", "light"):
        window.set_theme(name)
        qtbot.wait(1)                        # widgets get the new palette through events
        theme = THEMES[name]
        assert error_color() == theme.error
        for label in (window.stepper.reason, window.properties.message):
            shown = label.palette().color(label.foregroundRole()).name()
            assert shown == theme.error
            assert contrast_ratio(shown, theme.window) >= 4.5


def test_a_passed_check_is_green_enough_in_both_themes(qtbot):
    """The gradient check's ✔ takes the theme's ok colour: #1f883d measured 3.94:1 on the
    dark background."""
    import numpy as np

    from bpviz.core.backprop.gradcheck import GradCheck
    from bpviz.gui.backprop.inspector import Inspector
    from bpviz.gui.theme import ok_color

    inspector = Inspector()
    qtbot.addWidget(inspector)
    passed = GradCheck("weight", np.arange(1), np.array([0.5]), np.array([0.5]), (1.0, 1.0),
                       np.zeros(1, bool), 1e-8)
    app = QApplication.instance()
    try:
        for name, theme in THEMES.items():
            apply_theme(app, theme)
            inspector.show_check([passed], "fc")
            assert ok_color() == theme.ok
            assert f"color:{theme.ok}'>✔" in inspector.check_result.text()
            for background in (theme.window, theme.base):
                assert contrast_ratio(theme.ok, background) >= AA_CONTRAST, name
    finally:
        apply_theme(app, THEMES["light"])
