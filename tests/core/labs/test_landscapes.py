"""Loss landscapes: the two-weight model's surface against direct evaluation and against
the engine's loss ops, its mini-batch noise, and slices through a whole graph's loss."""
import numpy as np
import pytest

from bpviz.core import load_graph
from bpviz.core.data import datasets as ds
from bpviz.core.labs import landscapes
from bpviz.core.ops import REGISTRY
from bpviz.core.ops import loss_formulas as formulas
from bpviz.paths import example_path


@pytest.mark.parametrize("loss", landscapes.MODEL_LOSSES)
def test_linear_model_surface_matches_direct_evaluation(loss):
    model = landscapes.LinearModel.from_dataset(ds.moons(n=400, seed=0), loss, delta=0.7)
    xs = np.linspace(-4, 4, 41)
    g1, g2 = np.meshgrid(xs, xs)
    z = model.surface_values(g1, g2)
    for i, j in [(0, 0), (20, 20), (7, 33), (40, 1)]:
        assert z[i, j] == pytest.approx(model.value((g1[i, j], g2[i, j])), rel=1e-5, abs=1e-6)
    w = np.array([0.7, -1.3])
    g = model.gradient(w)
    num = [(model.value(w + e) - model.value(w - e)) / 2e-6 for e in np.eye(2) * 1e-6]
    np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-7)


def test_minibatch_noise_only_with_a_batch():
    model = landscapes.LinearModel.from_dataset(ds.blobs(n=400, classes=2, seed=0))
    full, noisy = model.as_surface(), model.as_surface(batch=8, seed=3)
    w = np.array([0.5, 0.5])
    assert np.array_equal(full.gradient(w), full.gradient(w))
    assert not np.array_equal(noisy.gradient(w), noisy.gradient(w))


def test_graph_slice_centre_coordinates_and_filter_normalisation():
    g = load_graph(example_path("spirals_mlp"))
    data = ds.spirals(n=64, seed=0)
    feeds = {"x": data.x, "t": data.y}
    loss0 = float(g.forward(feeds))
    d1 = landscapes.coordinate_direction(g, ("fc1", "weight"), 0)
    d2 = landscapes.coordinate_direction(g, ("fc3", "bias"), 2)
    grid = np.array([-0.5, 0.0, 0.5])
    before = g.param("fc1", "weight").copy()
    z = landscapes.graph_slice(g, feeds, d1, d2, grid, grid)
    assert z[1, 1] == pytest.approx(loss0, rel=1e-12)
    np.testing.assert_array_equal(g.param("fc1", "weight"), before)       # restored
    h = g.copy()
    h.param("fc1", "weight").reshape(-1)[0] += 0.5
    h.param("fc3", "bias")[2] -= 0.5
    assert z[0, 2] == pytest.approx(float(h.forward(feeds)), rel=1e-12)
    d = landscapes.filter_normalized_direction(g, np.random.default_rng(0))
    w = g.param("fc2", "weight")
    np.testing.assert_allclose(np.linalg.norm(d[("fc2", "weight")], axis=1),
                               np.linalg.norm(w, axis=1), rtol=1e-10)
    assert not d[("fc2", "bias")].any()
    cnn = load_graph(example_path("shapes_cnn"))
    dc = landscapes.filter_normalized_direction(cnn, np.random.default_rng(1))[("conv2", "weight")]
    wc = cnn.param("conv2", "weight")
    np.testing.assert_allclose(np.sqrt((dc ** 2).sum(axis=(1, 2, 3))),
                               np.sqrt((wc ** 2).sum(axis=(1, 2, 3))), rtol=1e-10)
    calls = []
    assert landscapes.graph_slice(g, feeds, d1, d2, grid, grid, progress=lambda *a: calls.append(a),
                                cancelled=lambda: len(calls) >= 2) is None
    assert len(calls) == 2



def engine_loss(model: landscapes.LinearModel, w):
    """The model's mean loss and dL/dw computed by the engine's loss op on the scores."""
    s = model.x @ np.asarray(w, dtype=float)
    if model.loss == "cross-entropy":          # logits (0, s): class 1 where t = +1
        op = REGISTRY["CrossEntropyLoss"]()
        value = op.forward(np.stack([np.zeros_like(s), s], 1), (model.t > 0).astype(np.int64))
        ds_ = op.backward(np.array(1.0))[0][0][:, 1]           # the logit that is s
    else:
        name, attrs = {"hinge": ("HingeLoss", {}), "Huber": ("HuberLoss", {"delta": model.delta}),
                       "L1": ("L1Loss", {}), "L2": ("MSELoss", {})}[model.loss]
        op = REGISTRY[name](**attrs)
        value = op.forward(s, model.t)
        ds_ = op.backward(np.array(1.0))[0][0]
    return float(value), model.x.T @ ds_


@pytest.mark.parametrize("loss", landscapes.MODEL_LOSSES)
def test_linear_model_losses_are_the_engine_ops(loss):
    model = landscapes.LinearModel.from_dataset(ds.blobs(n=300, classes=2, seed=2), loss,
                                                delta=0.6)
    for w in ([0.7, -1.3], [-2.0, 0.4], [0.05, 0.02]):
        value, grad = engine_loss(model, w)
        assert model.value(w) == pytest.approx(value, rel=1e-12)
        np.testing.assert_allclose(model.gradient(w), grad, rtol=1e-10, atol=1e-15)
        assert model.surface_values(np.array([w[0]]), np.array([w[1]]))[0] == pytest.approx(
            value, rel=1e-5)


@pytest.mark.parametrize("formula,args", [
    (formulas.squared, ()), (formulas.absolute, ()), (formulas.huber, (0.7,)),
    (formulas.hinge, ()), (formulas.logistic, ()),
])
def test_formulas_in_place_equal_fresh_and_keep_float32(formula, args):
    z = np.linspace(-40, 40, 257).astype(np.float32).reshape(1, -1)
    fresh = formula(z, *args)
    work = z.copy()
    assert formula(work, *args, out=work) is work
    np.testing.assert_array_equal(work, fresh)
    assert fresh.dtype == np.float32 and np.isfinite(fresh).all()
    np.testing.assert_array_equal(z, np.linspace(-40, 40, 257).astype(np.float32)[None])
    assert formula(np.array(0.3), *args).shape == ()       # a 0-d input works too
