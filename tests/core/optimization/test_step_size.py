import numpy as np

from bpviz.core import optim
from bpviz.core.optimization.step_size import times_sgd


def test_momentum_starts_as_sgd_and_grows_towards_one_over_one_minus_gamma():
    w, g = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.1, 0.2], [-0.3, 0.4]])
    opt = optim.build("Momentum", {"lr": 0.05, "momentum": 0.9})
    state = opt.init(w)
    ratios = []
    for _ in range(40):                             # the same gradient every step
        new, state = opt.step(w, g, state)
        ratios.append(times_sgd(w, new, g, 0.05))
        w = new
    assert abs(ratios[0] - 1.0) < 1e-12
    assert abs(ratios[1] - 1.9) < 1e-12             # 1 + γ
    assert 9.8 < ratios[-1] < 10.0                  # → 1 / (1 − γ)


def test_no_ratio_without_a_gradient():
    w = np.ones(3)
    assert times_sgd(w, w, np.zeros(3), 0.1) is None
    assert times_sgd(w, w, np.full(3, np.inf), 0.1) is None
