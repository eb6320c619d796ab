"""Models in and out of bpviz: ONNX files, PyTorch modules and PyTorch source.

``load_onnx(path, loss)`` reads an ONNX model as a bpviz Graph; ``from_torch(module,
example_input)`` turns a torch module into one (through torch's ONNX exporter);
``save_onnx`` and ``export_pytorch`` write a graph back out. Every refusal is a
``ConvertError`` (a GraphError) whose message is one line naming the op or the reason.
Nothing here imports Qt; onnx and torch are imported only when a function needs them.
"""
from __future__ import annotations

from .errors import ConvertError


def load_onnx(path, loss: str | None = None):
    """The ONNX model at ``path`` as a Graph, with a ``loss`` node over its output when a
    loss op name (e.g. "CrossEntropyLoss") is given. ConvertError on any problem."""
    from .onnx_import import load_onnx as load
    return load(path, loss)


def save_onnx(graph, path) -> None:
    """Write the graph's network (its loss left out) as an ONNX model (opset 17)."""
    from .onnx_export import save_onnx as save
    save(graph, path)


def from_torch(module, example_input, loss: str | None = None):
    """A Graph computing what ``module`` computes on inputs shaped like ``example_input``."""
    from .torch_import import from_torch as convert
    return convert(module, example_input, loss)


__all__ = ["ConvertError", "from_torch", "load_onnx", "save_onnx"]
