"""An edge coloured by its gradient stands out 3:1 from the canvas (WCAG 2.1 1.4.11) in
every theme with every colour map (issue 21): where the scale's colour has less (its pale
end on a light canvas, the colour-blind-safe map's dark purple on a dark one), a rim in the
theme's edge colour runs along it."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from bpviz.gui.canvas.edge_item import EdgeItem
from bpviz.gui.theme import THEMES, contrast_ratio
from bpviz.gui.widgets import colormap

from .test_accessibility import NON_TEXT_CONTRAST

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
    scene = QGraphicsScene()
    edge = EdgeItem("a", "b", 0)
    edge.theme = theme
    edge.set_ends(QPointF(0, 40), QPointF(200, 40))
    edge.set_overlay(gradient, None)
    scene.addItem(edge)
    image = QImage(200, 80, QImage.Format.Format_RGB888)
    image.fill(theme.color("base"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, 200, 80), QRectF(0, 0, 200, 80))
    painter.end()
    return np.array([QColor(image.pixel(100, y)).getRgb()[:3] for y in range(80)])


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
