"""The optimizer lab's test functions: gradients against finite differences, minima."""
import numpy as np
import pytest

from bpviz.core.labs import surface


@pytest.mark.parametrize("name", sorted(surface.TEST_SURFACES))
def test_test_surfaces_gradients_and_minima(name):
    s = surface.TEST_SURFACES[name]()
    for w in ([0.3, -0.7], [1.1, 0.4], list(s.start)):
        w = np.array(w, dtype=float)
        num = [(s.value(w + e) - s.value(w - e)) / 2e-6 for e in np.eye(2) * 1e-6]
        np.testing.assert_allclose(s.gradient(w), num, rtol=1e-5, atol=1e-5)
    for m in s.minima:
        np.testing.assert_allclose(s.gradient(np.array(m)), 0, atol=1e-4)


def test_grid_spans_the_view_box():
    s = surface.quadratic(4)
    xs, ys, z = s.grid(21)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == s.bounds and z.shape == (21, 21)
    assert z[10, 10] == 0 and z[0, 0] == pytest.approx(0.5 * (9 + 4 * 4))


def test_grid_over_other_bounds_evaluates_there():
    s = surface.rosenbrock()
    xs, ys, z = s.grid(11, (-5, 5, 10, 20))
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-5, 5, 10, 20) and z.shape == (11, 11)
    assert z[3, 7] == pytest.approx(s.value((xs[7], ys[3])))     # rows are y, columns x


def test_shading_of_a_log_surface():
    s = surface.quadratic(10)
    z = s.grid(41)[2]
    shading = surface.Shading.of(z, log=True)
    shown = shading.apply(z)
    np.testing.assert_allclose(shown, np.log10(z - z.min() + 1e-3))
    assert (shading.low, shading.high) == (shown.min(), shown.max())
    assert len(shading.levels) == 12 and np.all(np.diff(shading.levels) > 0)
    assert shading.low < shading.levels[0] and shading.levels[-1] < shading.high


def test_a_wider_view_keeps_the_colours_and_clips_to_the_bar():
    s = surface.quadratic(10)
    shading = surface.Shading.of(s.grid(41)[2], log=True)
    xs, ys, wide = s.grid(81, (-6, 6, -4, 4))           # twice the box: every 2nd point is
    inner = wide[20:61, 20:61]                            # the box's 41 x 41 grid again
    np.testing.assert_allclose(shading.apply(inner), shading.apply(s.grid(41)[2]))
    shown = shading.apply(wide)
    assert shown.max() == shading.high and shown.min() == shading.low
    assert shading.apply(np.array([np.inf, np.nan, -np.inf])).tolist() == [
        shading.high, shading.high, shading.low]


def test_shading_a_linear_surface_and_one_without_values():
    z = np.array([[-2.0, 0.0], [1.0, 4.0]])
    shading = surface.Shading.of(z, log=False)
    assert (shading.low, shading.high) == (-2.0, 4.0)
    np.testing.assert_array_equal(shading.apply(z), z)
    with pytest.raises(ValueError, match="no finite value"):
        surface.Shading.of(np.full((2, 2), np.nan), log=True)


def test_the_race_view_shows_every_step_and_leaves_out_a_divergence():
    box = (-4, 4, -4, 4)
    start, race = (3.0, -3.0), [(-4.06, -1.73), (0.5, -2.0)]      # the start at the edge
    x0, x1, y0, y1 = surface.race_view(box, start, race)
    assert x0 < -4.06 and x1 > 3.0 and y0 < -3.0 and y1 > -1.73       # all inside, with room
    assert y1 - y0 < 0.5 * (box[3] - box[2])            # zoomed to the race: noise is seen
    far = [*race, (1e30, 5.0), (np.nan, 1.0), (np.inf, 0.0), (0.0, 13.0)]
    assert surface.race_view(box, start, far) == (x0, x1, y0, y1)
    x0, x1, y0, y1 = surface.race_view(box, (1.0, 1.0), [])          # one point: a tenth
    assert x1 - x0 == pytest.approx(0.8 * 1.16) and x0 < 1 < x1
    x0, x1, y0, y1 = surface.race_view(box, (20.0, 9.0), [(19.0, 9.5)])   # a start far out:
    assert x0 < 19 < 20 < x1 and y0 < 9 < 9.5 < y1                          # in view all the same
