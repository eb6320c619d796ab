"""The colour-blind-safe maps read without full colour vision: checked with the simulation
of Machado et al. (2009) for protanopia, deuteranopia and tritanopia."""
import numpy as np
import pytest

from bpviz.core.display.colour_vision import MACHADO, delta_e, lab, simulate


def lut(stops) -> np.ndarray:
    """(256, 3) colours between (position, (r, g, b)) stops, as colormap.py interpolates
    them (before its rounding to whole numbers, which leaves steps of 0 between some)."""
    pos = np.array([p for p, _ in stops])
    rgb = np.array([c for _, c in stops], dtype=float)
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, pos, rgb[:, k]) for k in range(3)], 1)


def maps():
    pytest.importorskip("PySide6")
    from bpviz.gui.widgets.colormap import MAPS
    return MAPS


def test_known_values():
    assert lab(np.array([255, 255, 255]))[0] == pytest.approx(100, abs=0.01)
    assert lab(np.array([0, 0, 0]))[0] == pytest.approx(0, abs=0.01)
    assert lab(np.array([119, 119, 119]))[0] == pytest.approx(50.0, abs=0.3)
    for deficiency in MACHADO:             # greys stay grey: every row of a matrix sums to 1
        assert simulate(np.array([128, 128, 128]), deficiency) == pytest.approx(128, abs=0.6)
    # red and green, far apart with full colour vision, close together without red cones
    red, green = np.array([200, 60, 50]), np.array([90, 140, 40])
    assert delta_e(red, green) > 60
    seen = delta_e(simulate(red, "protanopia"), simulate(green, "protanopia"))
    assert seen < 0.5 * delta_e(red, green)


@pytest.mark.parametrize("vision", [None] + sorted(MACHADO))
def test_the_safe_gradient_scale_darkens_steadily(vision):
    scale = lut(maps()["colour-blind safe"]["gradient"])
    seen = scale if vision is None else simulate(scale, vision)
    assert (np.diff(lab(seen)[:, 0]) < 0).all()      # larger gradient: darker, whoever looks


def test_the_standard_gradient_scale_does_not():
    lightness = lab(lut(maps()["standard"]["gradient"]))[:, 0]
    assert not (np.diff(lightness) < 0).all()        # dark at purple, lighter at orange


@pytest.mark.parametrize("vision", [None] + sorted(MACHADO))
def test_the_safe_diverging_scale_tells_signs_apart_by_lightness(vision):
    scale = lut(maps()["colour-blind safe"]["diverging"])
    seen = scale if vision is None else simulate(scale, vision)
    lightness = lab(seen)[:, 0]
    k = np.arange(0, 65)                              # |value| >= half the largest
    assert (np.abs(lightness[k] - lightness[255 - k]) > 4).all()
    assert abs(lightness[0] - lightness[255]) > 15
    assert delta_e(seen[0], seen[-1]) > 50
    # and lightness rises towards 0 from both ends (white at 0)
    assert (np.diff(lightness[:128]) > 0).all() and (np.diff(lightness[128:]) < 0).all()


def test_the_standard_diverging_scale_tells_signs_apart_by_hue_only():
    lightness = lab(lut(maps()["standard"]["diverging"]))[:, 0]
    assert abs(lightness[0] - lightness[255]) < 5     # in greyscale -max and +max look alike


def test_contrast_is_wcag_s_ratio():
    from bpviz.core.display.colour_vision import contrast
    black, white = np.zeros(3), np.full(3, 255.0)
    assert contrast(black, white) == pytest.approx(21.0)
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast(np.full(3, 119.0), white) == pytest.approx(4.48, abs=0.01)   # #777777
