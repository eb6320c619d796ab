"""The Gradient Flow dock's log axes as the class sees them (lesson 3's last step, 1280x720,
presentation): every tick label a power of ten in one format (pyqtgraph wrote 0.01 and
0.0001 beside 10⁻⁶), and the axis title whole inside the short plot."""
import re

import pytest

from bpviz.gui.backprop.gradient_flow import FlowPlots, power_of_ten

from ..canvas.test_canvas_projector import open_on_projector
from ..plot_checks import axis_problems, tick_labels

ONE_FORMAT = re.compile(r"^(\d(\.\d)?·)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")


@pytest.mark.parametrize("exponent, text", [(-2, "10⁻²"), (-4, "10⁻⁴"), (0, "10⁰"), (3, "10³"),
                                            (-3 + 0.30103, "2·10⁻³"), (-0.30103, "5·10⁻¹")])
def test_powers_of_ten_are_written_one_way(exponent, text):
    assert power_of_ten(exponent) == text


def title_inside(axis) -> bool:
    """The rotated title lies within the axis's height (else its ends are cut off)."""
    rect = axis.label.mapRectToParent(axis.label.boundingRect())
    return rect.top() >= -1 and rect.bottom() <= axis.size().height() + 1


def test_lesson_3_shows_the_flow_in_one_number_format_with_its_title_whole(qtbot, window):
    open_on_projector(qtbot, window, "03_backprop_layers", 10)
    dock = window.gradient_flow_dock
    qtbot.waitUntil(dock.isVisible)
    plot = dock.widget().batch_plot
    qtbot.waitUntil(lambda: len(tick_labels(plot.getAxis("left"))) >= 3)
    axis = plot.getAxis("left")
    texts = [text for _rect, text in tick_labels(axis)]
    assert all(ONE_FORMAT.match(t) for t in texts), texts
    assert title_inside(axis), (axis.labelText, axis.size().height())
    assert "gradient" in axis.labelText
    assert axis_problems(plot, ("left",)) == []


def test_a_tall_plot_keeps_the_long_title(qtbot):
    plots = FlowPlots()
    qtbot.addWidget(plots.batch_plot)
    plots.batch_plot.resize(600, 500)
    plots.batch_plot.show()
    qtbot.waitExposed(plots.batch_plot)
    axis = plots.batch_plot.getAxis("left")
    assert axis.labelText == "mean |gradient|" and title_inside(axis)
    plots.batch_plot.resize(600, 110)
    qtbot.waitUntil(lambda: axis.labelText != "mean |gradient|")
    assert title_inside(axis)
    plots.batch_plot.setLabel("left", "‖∂L/∂W‖")      # the Training tab's, for older runs
    assert axis.labelText == "‖∂L/∂W‖"
