"""The labs' numbers: loss curves against the engine's ops and finite differences,
surfaces against direct evaluation, graph slices, optimizer races against torch.optim."""
import numpy as np
import pytest
import torch

from bpviz.core import datasets as ds
from bpviz.core import load_graph, optim, surfaces
from bpviz.paths import example_path

X = np.linspace(-3, 3, 121) + 1e-3            # off the kinks


def fd(fn, x, eps=1e-6):
    return (fn(x + eps)[0] - fn(x - eps)[0]) / (2 * eps)


@pytest.mark.parametrize("op,attrs,torch_fn", [
    ("MSELoss", {}, lambda x: x ** 2),
    ("L1Loss", {}, lambda x: x.abs()),
    ("SmoothL1Loss", {"beta": 0.5}, lambda x: torch.nn.functional.smooth_l1_loss(
        x, torch.zeros_like(x), reduction="none", beta=0.5)),
    ("HuberLoss", {"delta": 1.7}, lambda x: torch.nn.functional.huber_loss(
        x, torch.zeros_like(x), reduction="none", delta=1.7)),
])
def test_regression_curves_and_derivatives(op, attrs, torch_fn):
    value, slope = surfaces.curve(op, X, **attrs)
    t = torch.tensor(X, requires_grad=True)
    ref = torch_fn(t)
    ref.sum().backward()
    np.testing.assert_allclose(value, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope, t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope, fd(lambda x: surfaces.curve(op, x, **attrs), X),
                               rtol=1e-5, atol=1e-8)


def test_huber_generalises_smooth_l1():
    for delta in (0.5, 1.0, 2.0):
        huber = surfaces.curve("HuberLoss", X, delta=delta)[0]
        smooth = surfaces.curve("SmoothL1Loss", X, beta=delta)[0]
        np.testing.assert_allclose(huber, delta * smooth, rtol=1e-12)
    np.testing.assert_allclose(surfaces.curve("HuberLoss", X)[0],
                               surfaces.curve("SmoothL1Loss", X)[0])


def test_classification_curves():
    ce, dce = surfaces.logistic_curve(X)
    np.testing.assert_allclose(ce, np.log1p(np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(dce, fd(surfaces.logistic_curve, X), rtol=1e-6)
    hinge, dh = surfaces.curve("HingeLoss", X)
    np.testing.assert_allclose(hinge, np.maximum(0, 1 - X))
    np.testing.assert_allclose(dh, np.where(X < 1, -1.0, 0.0))
    sq, dsq = surfaces.squared_hinge_curve(X)
    np.testing.assert_allclose(dsq, fd(surfaces.squared_hinge_curve, X), rtol=1e-5, atol=1e-8)


def test_multiclass_gradients():
    r = surfaces.multiclass([2.0, 1.0, 0.3, -1.0], 1, margin=1.0)
    p = np.exp([2.0, 1.0, 0.3, -1.0])
    p /= p.sum()
    np.testing.assert_allclose(r["probabilities"], p)
    np.testing.assert_allclose(r["ce_grad"], p - np.eye(4)[1])
    # hinge: only classes within the margin of the true score (2.0 and 0.3 here) get gradient
    assert list(r["hinge_grad"] != 0) == [True, True, True, False]
    assert r["hinge_grad"][1] == pytest.approx(-2 / 4)
    assert r["hinge"] == pytest.approx(((1 - 1 + 2) + (1 - 1 + 0.3)) / 4)


@pytest.mark.parametrize("loss", surfaces.MODEL_LOSSES)
def test_linear_model_surface_matches_direct_evaluation(loss):
    model = surfaces.LinearModel.from_dataset(ds.moons(n=400, seed=0), loss, delta=0.7)
    xs = np.linspace(-4, 4, 41)
    g1, g2 = np.meshgrid(xs, xs)
    z = model.surface_values(g1, g2)
    for i, j in [(0, 0), (20, 20), (7, 33), (40, 1)]:
        assert z[i, j] == pytest.approx(model.value((g1[i, j], g2[i, j])), rel=1e-5, abs=1e-6)
    w = np.array([0.7, -1.3])
    g = model.gradient(w)
    num = [(model.value(w + e) - model.value(w - e)) / 2e-6 for e in np.eye(2) * 1e-6]
    np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name", sorted(surfaces.TEST_SURFACES))
def test_test_surfaces_gradients_and_minima(name):
    s = surfaces.TEST_SURFACES[name]()
    for w in ([0.3, -0.7], [1.1, 0.4], list(s.start)):
        w = np.array(w, dtype=float)
        num = [(s.value(w + e) - s.value(w - e)) / 2e-6 for e in np.eye(2) * 1e-6]
        np.testing.assert_allclose(s.gradient(w), num, rtol=1e-5, atol=1e-5)
    for m in s.minima:
        np.testing.assert_allclose(s.gradient(np.array(m)), 0, atol=1e-4)


@pytest.mark.parametrize("name,ours,theirs,kwargs", [
    ("Adam", optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    ("Momentum", optim.SGD, torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
    ("Nesterov", optim.SGD, torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    ("Adagrad", optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3}),
])
def test_race_trajectories_equal_torch_optim(name, ours, theirs, kwargs):
    s = surfaces.beale()
    run = surfaces.race(s, {name: ours(**kwargs)}, s.start, 100)[name]
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
    s = surfaces.quadratic(50)
    run = surfaces.race(s, {"big": optim.SGD(lr=1.0)}, s.start, 50)["big"]
    assert len(run.points) < 51 and np.isfinite(run.points).all()
    lr = surfaces.tune_lr(s, lambda lr: optim.SGD(lr=lr), s.start, 60)
    assert 0 < lr < 2 / 50                    # stable: below 2 / largest curvature
    tuned = surfaces.race(s, {"x": optim.SGD(lr=lr)}, s.start, 60)["x"]
    slow = surfaces.race(s, {"x": optim.SGD(lr=1e-3)}, s.start, 60)["x"]
    assert tuned.losses[-1] < slow.losses[-1]


def test_minibatch_noise_only_with_a_batch():
    model = surfaces.LinearModel.from_dataset(ds.blobs(n=400, classes=2, seed=0))
    full, noisy = model.as_surface(), model.as_surface(batch=8, seed=3)
    w = np.array([0.5, 0.5])
    assert np.array_equal(full.gradient(w), full.gradient(w))
    assert not np.array_equal(noisy.gradient(w), noisy.gradient(w))


def test_graph_slice_centre_coordinates_and_filter_normalisation():
    g = load_graph(example_path("spirals_mlp"))
    data = ds.spirals(n=64, seed=0)
    feeds = {"x": data.x, "t": data.y}
    loss0 = float(g.forward(feeds))
    d1 = surfaces.coordinate_direction(g, ("fc1", "weight"), 0)
    d2 = surfaces.coordinate_direction(g, ("fc3", "bias"), 2)
    grid = np.array([-0.5, 0.0, 0.5])
    before = g.param("fc1", "weight").copy()
    z = surfaces.graph_slice(g, feeds, d1, d2, grid, grid)
    assert z[1, 1] == pytest.approx(loss0, rel=1e-12)
    np.testing.assert_array_equal(g.param("fc1", "weight"), before)       # restored
    h = g.copy()
    h.param("fc1", "weight").reshape(-1)[0] += 0.5
    h.param("fc3", "bias")[2] -= 0.5
    assert z[0, 2] == pytest.approx(float(h.forward(feeds)), rel=1e-12)
    d = surfaces.filter_normalized_direction(g, np.random.default_rng(0))
    w = g.param("fc2", "weight")
    np.testing.assert_allclose(np.linalg.norm(d[("fc2", "weight")], axis=1),
                               np.linalg.norm(w, axis=1), rtol=1e-10)
    assert not d[("fc2", "bias")].any()
    cnn = load_graph(example_path("shapes_cnn"))
    dc = surfaces.filter_normalized_direction(cnn, np.random.default_rng(1))[("conv2", "weight")]
    wc = cnn.param("conv2", "weight")
    np.testing.assert_allclose(np.sqrt((dc ** 2).sum(axis=(1, 2, 3))),
                               np.sqrt((wc ** 2).sum(axis=(1, 2, 3))), rtol=1e-10)
    calls = []
    assert surfaces.graph_slice(g, feeds, d1, d2, grid, grid, progress=lambda *a: calls.append(a),
                                cancelled=lambda: len(calls) >= 2) is None
    assert len(calls) == 2
