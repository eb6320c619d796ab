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
