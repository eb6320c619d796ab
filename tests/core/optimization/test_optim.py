"""Optimizers against torch.optim in float64, and the lecture's formulas."""
import numpy as np
import pytest
import torch

from bpviz.core import optim

CONFIGS = [
    (optim.SGD, torch.optim.SGD, {"lr": 1e-3}),
    (optim.SGD, torch.optim.SGD, {"lr": 5e-4, "momentum": 0.9, "weight_decay": 0.01}),
    (optim.SGD, torch.optim.SGD, {"lr": 5e-4, "momentum": 0.8, "dampening": 0.3}),
    (optim.SGD, torch.optim.SGD, {"lr": 5e-4, "momentum": 0.9, "nesterov": True}),
    (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3}),
    (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3, "lr_decay": 0.1, "weight_decay": 0.1,
                                          "initial_accumulator_value": 0.5}),
    (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True,
                                          "weight_decay": 0.01}),
    (optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    (optim.Adam, torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6,
                                    "weight_decay": 0.1, "amsgrad": True}),
]


def rosenbrock_grad(w):
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


@pytest.mark.parametrize("ours,theirs,kwargs", CONFIGS,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CONFIGS)])
def test_trajectory_equals_torch_optim(ours, theirs, kwargs):
    w = np.array([-1.2, 1.0])
    opt = ours(**kwargs)
    state = opt.init(w)
    tw = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    topt = theirs([tw], **kwargs)
    for _ in range(60):
        g = rosenbrock_grad(w)
        w, state = opt.step(w, g, state)
        topt.zero_grad()
        tw.grad = torch.from_numpy(rosenbrock_grad(tw.detach().numpy().copy()))
        topt.step()
        np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert state["step"] == 60 and np.isfinite(w).all()
    assert np.linalg.norm(w - [-1.2, 1.0]) > 1e-3          # it moved


def test_sgd_momentum_is_the_lectures_v_gamma_v_plus_eta_grad():
    gamma, eta = 0.9, 0.01
    opt = optim.SGD(lr=eta, momentum=gamma)
    w, state = np.array([2.0, -3.0]), None
    state = opt.init(w)
    theta, v = w.copy(), np.zeros(2)
    for _ in range(25):
        g = 2 * w * np.array([1.0, 10.0])
        w, state = opt.step(w, g, state)
        v = gamma * v + eta * (2 * theta * np.array([1.0, 10.0]))
        theta = theta - v
        np.testing.assert_allclose(w, theta, rtol=1e-12)
        np.testing.assert_allclose(-state["update"], v, rtol=1e-12)


def test_adam_applies_the_lectures_bias_corrections():
    b1, b2, eta, eps = 0.9, 0.999, 0.1, 1e-8
    opt = optim.Adam(lr=eta)
    w = np.array([1.0, -1.0])
    state = opt.init(w)
    m = v = np.zeros(2)
    for t in range(1, 6):
        g = np.array([0.5, -2.0]) * t
        w_before = w
        w, state = opt.step(w, g, state)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        np.testing.assert_allclose(state["m_hat"], m_hat)
        np.testing.assert_allclose(state["v_hat"], v_hat)
        np.testing.assert_allclose(w, w_before - eta * m_hat / (np.sqrt(v_hat) + eps))
    # the first step moves every coordinate by about lr, whatever the gradient's scale
    first = optim.Adam(lr=eta).step(np.zeros(2), np.array([1e-3, 1e3]),
                                    optim.Adam().init(np.zeros(2)))[1]["update"]
    np.testing.assert_allclose(np.abs(first), [eta, eta], rtol=1e-4)


def test_state_arrays_are_never_modified_in_place():
    opt = optim.Adam(lr=0.1)
    w = np.ones(3)
    s0 = opt.init(w)
    w1, s1 = opt.step(w, np.ones(3), s0)
    w2, s2 = opt.step(w1, np.ones(3), s1)
    assert not s0["exp_avg"].any() and np.array_equal(w, np.ones(3))
    assert not np.array_equal(s1["exp_avg"], s2["exp_avg"])


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(lr=0.1, nesterov=True)


@pytest.mark.parametrize("make,field", [
    (lambda: optim.SGD(lr=-0.1), "lr"), (lambda: optim.SGD(momentum=-1), "momentum"),
    (lambda: optim.SGD(weight_decay=-1), "weight_decay"),
    (lambda: optim.Adam(eps=-1e-8), "eps"), (lambda: optim.Adam(betas=(1.0, 0.9)), "betas"),
    (lambda: optim.Adam(betas=(0.9, -0.1)), "betas"),
    (lambda: optim.RMSprop(alpha=-0.5), "alpha"), (lambda: optim.RMSprop(eps=-1), "eps"),
    (lambda: optim.Adagrad(lr_decay=-1), "lr_decay"),
    (lambda: optim.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
])
def test_what_torch_optim_refuses_is_refused_naming_the_field(make, field):
    with pytest.raises(ValueError, match=f"^{field} must"):
        make()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**400])
def test_non_finite_hyperparameters_are_refused(value):
    """torch takes lr=nan; one step would fill the weights with NaN."""
    with pytest.raises(ValueError, match="lr must be a finite number"):
        optim.Adam(lr=value)
    with pytest.raises(ValueError, match="betas must be a finite number"):
        optim.Adam(betas=(0.9, value))


def test_edges_torch_accepts_are_accepted():
    optim.SGD(lr=0.0, dampening=-1.0)
    optim.Adam(eps=0.0, betas=(0.0, 0.999))
    optim.RMSprop(alpha=1.0)
    assert optim.Adam(betas=[0.5, 0.9]).betas == [0.5, 0.9]


def test_adagrad_keeps_its_decayed_rate_and_its_eps_against_torch():
    """The decayed rate lr / (1 + (t-1)·decay) is kept in the state (the Update panel lists
    it); a large eps is added to the root, as torch adds it."""
    opt = optim.Adagrad(lr=0.3, lr_decay=0.5, eps=0.5)
    w = np.array([-1.2, 1.0])
    tw = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adagrad([tw], lr=0.3, lr_decay=0.5, eps=0.5)
    state = opt.init(w)
    for _ in range(3):
        w, state = opt.step(w, rosenbrock_grad(w), state)
        tw.grad = torch.from_numpy(rosenbrock_grad(tw.detach().numpy().copy()))
        topt.step()
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-12)
    assert state["lr"] == pytest.approx(0.3 / (1 + 2 * 0.5))


def test_rmsprop_alpha_above_one_is_refused():
    """torch takes alpha 1.5, and 1 - alpha < 0 then makes the root of a negative average."""
    optim.RMSprop(alpha=1.0)
    with pytest.raises(ValueError, match="alpha must be at most 1, got 1.5"):
        optim.RMSprop(alpha=1.5)


def test_an_unknown_optimizer_or_field_is_named():
    with pytest.raises(ValueError, match=r"no optimizer 'adamw' \(optimizers: GD, SGD, Momentum"):
        optim.build("adamw", {})
    kind = next(iter(optim.PRESETS))
    with pytest.raises(ValueError, match=f"^{kind}: .*warmup"):
        optim.build(kind, {"warmup": 3})
