"""An edge coloured by its gradient stands out 3:1 from the canvas (WCAG 2.1 1.4.11) in
every theme with every colour map (issue 21): where the scale's colour has less (its pale
end on a light canvas, the colour-blind-safe map's dark purple on a dark one), a rim in a
shade of the line's own colour runs along it (issue 20: the theme's grey read as two lines)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from bpviz.gui.canvas.edge_item import EdgeItem
from bpviz.gui.canvas.node_item import PHASE_COLORS
from bpviz.gui.theme import THEMES, contrast_ratio
from bpviz.gui.widgets import colormap

from ..test_accessibility import NON_TEXT_CONTRAST

# RMS gradients from vanishing to large: both ends of the log scale and between
GRADIENTS = (1e-9, 1e-6, 1e-4, 1e-2, 0.3, 1.0, 50.0)


@pytest.fixture(params=sorted(colormap.MAPS))
def maps(request):
    colormap.use_maps(request.param)
    yield request.param
    colormap.use_maps("standard")


def drawn_across(theme, gradient: float) -> np.ndarray:
    """(n, 3) RGB down a column across a straight edge carrying ``gradient``, drawn on the
    canvas's colour at 1:1 as the graph view draws it."""
    return drawn(theme, gradient)[:, 100]


def drawn(theme, gradient: float, active: str | None = None) -> np.ndarray:
    """(80, 200, 3) RGB of a straight edge from (0, 40) to (200, 40) carrying ``gradient``
    (``active``: being stepped in that phase), drawn on the canvas's colour at 1:1."""
    scene = QGraphicsScene()
    edge = EdgeItem("a", "b", 0)
    edge.theme = theme
    edge.set_ends(QPointF(0, 40), QPointF(200, 40))
    edge.set_overlay(gradient, active)
    scene.addItem(edge)
    image = QImage(200, 80, QImage.Format.Format_RGB888)
    image.fill(theme.color("base"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, 200, 80), QRectF(0, 0, 200, 80))
    painter.end()
    rows = image.constBits().tobytes()
    return np.frombuffer(rows, np.uint8).reshape(80, image.bytesPerLine())[:, :600] \
        .reshape(80, 200, 3).astype(int)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_a_gradient_edge_stands_out_3_to_1_from_the_canvas(qapp, theme, maps):
    theme = THEMES[theme]
    base = theme.color("base")
    for gradient in GRADIENTS:
        column = drawn_across(theme, gradient)
        stroke = np.flatnonzero(np.abs(column - base.getRgb()[:3]).sum(axis=1) > 6)
        assert stroke.size, (theme.name, maps, gradient)
        # the edge's boundary on each side (past the antialiased pixel) is what meets the
        # canvas: it must stand out
        for y in (stroke[0] + 1, stroke[-1] - 1):
            ratio = contrast_ratio(QColor(*map(int, column[y])), base)
            assert ratio >= NON_TEXT_CONTRAST, (theme.name, maps, gradient, y, round(ratio, 2))


def test_the_rim_is_the_themes_edge_colour_and_only_where_needed():
    light = THEMES["light"]
    assert colormap.outline_for(QColor("#1f2328"), light.base, light.edge) is None
    rim = colormap.outline_for(QColor(205, 210, 218), light.base, light.edge)
    assert rim == QColor(light.edge)
    for theme in THEMES.values():
        assert contrast_ratio(theme.edge, theme.base) >= NON_TEXT_CONTRAST


def hue(rgb) -> int:
    return QColor(*map(int, rgb)).hsvHue()


@pytest.mark.parametrize("gradient", (1e-8, 1e-6))
def test_a_pale_edge_is_one_shade_of_its_own_colour_not_a_rimmed_line(qapp, gradient):
    """03.9: the vanishing gradients' pale lavender edges, rimmed in the theme's grey, read
    as grey double lines, a colour not on the legend; then, rimmed in a shade of their own
    colour, still as two tones (rim and fill). Now the whole line is that one shade."""
    light = THEMES["light"]
    line = colormap.lut_color(colormap.GRADIENT_LUT, colormap.gradient_level(gradient))
    column = drawn_across(light, gradient)
    base = light.color("base").getRgb()[:3]
    stroke = np.flatnonzero(np.abs(column - base).sum(axis=1) > 6)
    rim, middle = column[stroke[0] + 1], column[(stroke[0] + stroke[-1]) // 2]
    assert abs(hue(rim) - line.hsvHue()) <= 12, (QColor(*map(int, rim)).name(), line.name())
    if abs(line.hsvHue() - light.color("edge").hsvHue()) > 30:     # 1e-8's is grey itself
        assert abs(hue(rim) - light.color("edge").hsvHue()) > 30
    assert np.abs(rim - middle).sum() <= 12, (QColor(*map(int, rim)).name(),
                                              QColor(*map(int, middle)).name())


@pytest.mark.parametrize("gradient", (1e-9, 1e-6))
def test_the_edge_being_stepped_back_keeps_its_gradients_colour(qapp, gradient):
    """03.9: after the backward pass x→fc1, the edge into the last node stepped, was drawn
    in the backward phase's orange: ~1e-2 on the legend for a gradient of 2.5e-9."""
    light = THEMES["light"]
    line = colormap.lut_color(colormap.GRADIENT_LUT, colormap.gradient_level(gradient))
    stepped = drawn(light, gradient, "backward").reshape(-1, 3)
    orange = np.array(QColor(PHASE_COLORS["backward"]).getRgb()[:3])
    assert np.abs(stepped - orange).sum(axis=1).min() > 90, "drawn in the phase's orange"
    shade = EdgeItem("a", "b", 0)._readable(line)          # the line's colour, 3:1 or more
    assert (np.abs(stepped - shade.getRgb()[:3]).sum(axis=1) <= 6).any()
