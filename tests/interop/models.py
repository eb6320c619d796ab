"""Torch models the interop tests convert, written as a lecturer would write them."""
import contextlib
import io
import warnings

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxscript")        # what torch's ONNX exporter needs
nn = torch.nn


def mlp():
    """An MLP with sigmoid and tanh: (N, 4) -> (N, 3)."""
    return nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 5), nn.Tanh(),
                         nn.Linear(5, 3)), (4,)


def cnn():
    """Padding, stride, average pooling (padding counted) and LeakyReLU: (N, 2, 9, 9)."""
    return nn.Sequential(nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.LeakyReLU(0.1),
                         nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True),
                         nn.Conv2d(3, 4, 2, dilation=2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 3 * 3, 3)), (2, 9, 9)


def alexnet_block():
    """AlexNet's pattern, small: conv, ReLU, LRN, overlapping max-pool, dropout, FC."""
    return nn.Sequential(nn.Conv2d(3, 6, 5, stride=2, padding=2), nn.ReLU(),
                         nn.LocalResponseNorm(5, 1e-2, 0.75, 2.0), nn.MaxPool2d(3, 2),
                         nn.Flatten(), nn.Dropout(0.5), nn.Linear(6 * 3 * 3, 8), nn.ReLU(),
                         nn.Linear(8, 4)), (3, 15, 15)


MODELS = {"mlp": mlp, "cnn": cnn, "alexnet_block": alexnet_block}


def build(name: str, batch: int = 5):
    """The float64 model in eval mode and an example input with ``batch`` samples."""
    torch.manual_seed(0)
    module, shape = MODELS[name]()
    module = module.double().eval()
    return module, torch.randn(batch, *shape, dtype=torch.float64)


def export(module, x, path) -> None:
    """torch's ONNX exporter (dynamo, its default), the input named 'x'."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (x,), str(path), input_names=["x"], dynamo=True)
