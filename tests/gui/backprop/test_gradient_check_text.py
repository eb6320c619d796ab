"""The gradient check's text says what was compared, and never shows agreement within the
noise floor, or a direction that was not compared, as an exact 0."""
import numpy as np

from bpviz.core.backprop.gradcheck import GradCheck


def check(analytic, numeric, projection, floor=1e-8):
    n = len(analytic)
    return GradCheck("weight", np.arange(n), np.array(analytic), np.array(numeric),
                     projection, np.zeros(n, bool), floor)


def test_agreement_within_the_noise_floor_is_shown_as_it_is(qtbot):
    from bpviz.gui.backprop.inspector import Inspector
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_check([check([0.5, -0.25], [0.5 + 2e-10, -0.25], (1.0, 1.0 + 3e-9))], "fc")
    text = inspector.check_result.text()
    assert "✔" in text and "max relative error 2.0·10⁻¹⁰" in text
    assert "largest difference 2.0·10⁻¹⁰, within the noise floor 1.0·10⁻⁸" in text
    assert "random direction: relative error 1.5·10⁻⁹" in text
    assert "compared: ∂L/∂x from the backward pass against central differences" in text


def test_a_direction_not_compared_says_why(qtbot):
    from bpviz.gui.backprop.inspector import Inspector
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_check([check([0.5], [0.5], (np.nan, np.nan)),
                          check([0.5], [0.5], (1e-12, 2e-12))], "fc")
    text = inspector.check_result.text()
    assert "random direction: not compared (it crosses a kink)" in text
    assert "random direction: not compared (too small to measure)" in text
