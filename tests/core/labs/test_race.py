"""Optimizer races against torch.optim, divergence, lr tuning and the starting rates."""
import numpy as np
import pytest
import torch

from bpviz.core import optim
from bpviz.core.labs import surface
from bpviz.core.labs.race import race, starting_configs, tune_lr


@pytest.mark.parametrize("name,ours,theirs,kwargs", [
    ("Adam", optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    ("Momentum", optim.SGD, torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
    ("Nesterov", optim.SGD, torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    ("Adagrad", optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3}),
])
def test_race_trajectories_equal_torch_optim(name, ours, theirs, kwargs):
    s = surface.beale()
    run = race(s, {name: ours(**kwargs)}, s.start, 100)[name]
    w = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    opt = theirs([w], **kwargs)
    points = [w.detach().numpy().copy()]
    for _ in range(100):
        opt.zero_grad()
        x, y = w[0], w[1]
        loss = ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2
                + (2.625 - x + x * y ** 3) ** 2)
        loss.backward()
        opt.step()
        points.append(w.detach().numpy().copy())
    np.testing.assert_allclose(run.points, np.array(points), rtol=1e-9, atol=1e-12)
    assert run.losses[-1] < run.losses[0]


def test_diverging_runs_stop_and_tuning_picks_a_working_rate():
    s = surface.quadratic(50)
    run = race(s, {"big": optim.SGD(lr=1.0)}, s.start, 50)["big"]
    assert len(run.points) < 51 and np.isfinite(run.points).all()
    lr = tune_lr(s, lambda lr: optim.SGD(lr=lr), s.start, 60)
    assert 0 < lr < 2 / 50                    # stable: below 2 / largest curvature
    tuned = race(s, {"x": optim.SGD(lr=lr)}, s.start, 60)["x"]
    slow = race(s, {"x": optim.SGD(lr=1e-3)}, s.start, 60)["x"]
    assert tuned.losses[-1] < slow.losses[-1]


def test_starting_configs_scale_the_sgd_family_to_the_surface():
    presets = {"GD": (optim.SGD, {"lr": 0.1}),
               "Momentum": (optim.SGD, {"lr": 0.05, "momentum": 0.9}),
               "Adam": (optim.Adam, {"lr": 0.01})}
    s = surface.rosenbrock()                  # stable plain step: 1e-3
    configs = starting_configs(s, presets)
    assert configs["GD"]["lr"] == pytest.approx(1e-3)
    assert configs["Momentum"] == {"lr": pytest.approx(5e-4), "momentum": 0.9}
    assert configs["Adam"] == {"lr": 0.01}    # adaptive: scale-free already
    assert presets["GD"][1] == {"lr": 0.1}    # the presets themselves are untouched
    runs = race(s, {n: presets[n][0](**c) for n, c in configs.items()}, s.start, 200)
    assert all(len(r.points) == 201 for r in runs.values())   # none diverges


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adams_bias_correction_read_from_its_state(amsgrad):
    """m̂/m = 1/(1 − β₁ᵗ) and v̂/v = 1/(1 − β₂ᵗ): 10 and 1000 at t = 1 for torch's betas."""
    s = surface.beale()
    b1, b2 = 0.8, 0.99
    run = race(s, {"Adam": optim.Adam(lr=0.05, betas=(b1, b2), amsgrad=amsgrad)},
               s.start, 30)["Adam"]
    for t in (1, 2, 3, 4, 5, 30):
        m_scale, v_scale = run.bias_correction(t)
        assert m_scale == pytest.approx(1 / (1 - b1 ** t), rel=1e-12)
        assert v_scale == pytest.approx(1 / (1 - b2 ** t), rel=1e-12)
    torch_betas = race(s, {"Adam": optim.Adam()}, s.start, 1)["Adam"]
    assert torch_betas.bias_correction(1) == pytest.approx((10.0, 1000.0))
    assert np.isnan(run.bias_correction(0)).all() and np.isnan(run.bias_correction(31)).all()


def test_bias_correction_of_a_zero_moment_is_not_a_number():
    s = surface.quadratic(10)
    at_minimum = race(s, {"Adam": optim.Adam()}, (0.0, 0.0), 2)["Adam"]    # g = 0: m = v = 0
    assert np.isnan(at_minimum.bias_correction(1)).all()


def test_state_at_is_the_last_state_past_the_end():
    s = surface.quadratic(10)
    run = race(s, {"M": optim.SGD(lr=0.01, momentum=0.9)}, s.start, 3)["M"]
    assert run.state_at(0)["momentum_buffer"] is None
    assert run.state_at(2) is run.states[2] and run.state_at(50) is run.states[3]


def named(run, i) -> dict:
    return {symbol: value for symbol, _, value in run.named_state(i)}


def test_named_state_is_the_lectures_quantities_recomputed_from_the_gradients():
    """Each optimizer's named quantities against the lecture's recursions, with g taken from
    the surface at the points of the trajectory (float64)."""
    s = surface.beale()
    lr, gamma, alpha, (b1, b2) = 1e-3, 0.9, 0.99, (0.9, 0.999)
    runs = race(s, {"GD": optim.SGD(lr=lr), "Momentum": optim.SGD(lr=lr, momentum=gamma),
                    "Adagrad": optim.Adagrad(lr=0.3), "RMSprop": optim.RMSprop(lr=0.01),
                    "Adam": optim.Adam(lr=0.05)}, s.start, 6)
    assert [symbol for symbol, _, _ in runs["Adam"].named_state(0)] == ["m", "v", "m̂", "v̂"]
    assert [symbol for symbol, _, _ in runs["GD"].named_state(3)] == ["g"]
    assert named(runs["Momentum"], 0)["v"] is None and named(runs["Adam"], 0)["m̂"] is None
    v = G = sq = m = va = np.zeros(2)
    for t in range(1, 7):
        g = {name: s.gradient(run.points[t - 1]) for name, run in runs.items()}
        np.testing.assert_allclose(named(runs["GD"], t)["g"], g["GD"], rtol=1e-12)
        v = gamma * v + lr * g["Momentum"]
        mom = runs["Momentum"].points
        np.testing.assert_allclose(named(runs["Momentum"], t)["v"], v, rtol=1e-12)
        np.testing.assert_allclose(mom[t], mom[t - 1] - v, rtol=1e-12)      # θ ← θ − v
        G = G + g["Adagrad"] ** 2
        np.testing.assert_allclose(named(runs["Adagrad"], t)["G = Σg²"], G, rtol=1e-12)
        sq = alpha * sq + (1 - alpha) * g["RMSprop"] ** 2
        np.testing.assert_allclose(named(runs["RMSprop"], t)["s = E[g²]"], sq, rtol=1e-12)
        m = b1 * m + (1 - b1) * g["Adam"]
        va = b2 * va + (1 - b2) * g["Adam"] ** 2
        adam = named(runs["Adam"], t)
        np.testing.assert_allclose(adam["m"], m, rtol=1e-12)
        np.testing.assert_allclose(adam["v"], va, rtol=1e-12)
        np.testing.assert_allclose(adam["m̂"], m / (1 - b1 ** t), rtol=1e-12)
        np.testing.assert_allclose(adam["v̂"], va / (1 - b2 ** t), rtol=1e-12)


def test_moved_is_the_step_that_led_there():
    bowl = surface.quadratic(10)
    run = race(bowl, {"GD": optim.SGD(lr=0.1)}, (-2.5, 1.5), 3)["GD"]
    symbol, _, moved0 = run.moved(0)
    assert symbol == "Δθ" and moved0 is None
    np.testing.assert_allclose(run.moved(1)[2], [0.25, -1.5])       # −η∇J = −0.1·(−2.5, 15)
    np.testing.assert_allclose(run.moved(3)[2], run.points[3] - run.points[2])
    np.testing.assert_array_equal(run.moved(99)[2], run.moved(3)[2])     # past the end
