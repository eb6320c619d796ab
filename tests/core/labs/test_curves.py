"""Loss curves against the engine's ops, torch and finite differences."""
import numpy as np
import pytest
import torch

from bpviz.core.labs import curves

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
    value, slope = curves.curve(op, X, **attrs)
    t = torch.tensor(X, requires_grad=True)
    ref = torch_fn(t)
    ref.sum().backward()
    np.testing.assert_allclose(value, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope, t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope, fd(lambda x: curves.curve(op, x, **attrs), X),
                               rtol=1e-5, atol=1e-8)


def test_huber_generalises_smooth_l1():
    for delta in (0.5, 1.0, 2.0):
        huber = curves.curve("HuberLoss", X, delta=delta)[0]
        smooth = curves.curve("SmoothL1Loss", X, beta=delta)[0]
        np.testing.assert_allclose(huber, delta * smooth, rtol=1e-12)
    np.testing.assert_allclose(curves.curve("HuberLoss", X)[0],
                               curves.curve("SmoothL1Loss", X)[0])


def test_classification_curves():
    ce, dce = curves.logistic_curve(X)
    np.testing.assert_allclose(ce, np.log1p(np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(dce, fd(curves.logistic_curve, X), rtol=1e-6)
    hinge, dh = curves.curve("HingeLoss", X)
    np.testing.assert_allclose(hinge, np.maximum(0, 1 - X))
    np.testing.assert_allclose(dh, np.where(X < 1, -1.0, 0.0))
    sq, dsq = curves.squared_hinge_curve(X)
    np.testing.assert_allclose(sq, np.maximum(0, 1 - X) ** 2)
    np.testing.assert_allclose(dsq, fd(curves.squared_hinge_curve, X), rtol=1e-5, atol=1e-8)


def test_multiclass_gradients():
    r = curves.multiclass([2.0, 1.0, 0.3, -1.0], 1, margin=1.0)
    p = np.exp([2.0, 1.0, 0.3, -1.0])
    p /= p.sum()
    np.testing.assert_allclose(r["probabilities"], p)
    np.testing.assert_allclose(r["ce_grad"], p - np.eye(4)[1])
    # hinge: only classes within the margin of the true score (2.0 and 0.3 here) get gradient
    assert list(r["hinge_grad"] != 0) == [True, True, True, False]
    assert r["hinge_grad"][1] == pytest.approx(-2 / 4)
    assert r["hinge"] == pytest.approx(((1 - 1 + 2) + (1 - 1 + 0.3)) / 4)
