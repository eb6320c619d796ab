"""One notation for powers of ten: cells, headings and axes (issue 20, 3.8 and 3.10)."""
import pytest

from bpviz.core.backprop.gradient_flow import LayerFlow, summary
from bpviz.core.display.notation import power_of_ten, short


@pytest.mark.parametrize("v, text", [(0, "0"), (0.25, "0.25"), (-3.14159, "-3.14"),
                                     (0.001, "0.001"), (999, "999")])
def test_short_inside_the_plain_range(v, text):
    assert short(v) == text


@pytest.mark.parametrize("v, text", [
    (1.6e-8, "1.6·10⁻⁸"), (-5e-9, "-5.0·10⁻⁹"), (25000, "2.5·10⁴"), (5.7e-4, "5.7·10⁻⁴"),
])
def test_short_writes_powers_of_ten_as_the_axes_do(v, text):
    assert short(v) == text
    assert "e" not in short(v)


def test_the_flow_heading_reads_as_its_axis():
    flows = [LayerFlow("fc1", 5.0e-9, 1e-9), LayerFlow("out", 5.7e-3, 1e-3)]
    line = summary(flows)
    assert "fc1 gets 5.0·10⁻⁹" in line and "out (5.7·10⁻³)" in line, line
    assert "e-0" not in line
    assert power_of_ten(-8) == "10⁻⁸"
