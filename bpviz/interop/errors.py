"""The one error type of bpviz.interop."""
import sys

from bpviz.core.errors import GraphError

PIP_ONNX = "pip install 'bpviz[onnx]'"      # the optional extra (pyproject.toml)


class ConvertError(GraphError):
    """A model bpviz cannot take or write: an unsupported op, a second output, a dynamic
    shape, a damaged file. ``str(err)`` is one line for the user."""


def missing_onnx() -> str:
    """Why ONNX models cannot be read or written here, and what to do about it."""
    if getattr(sys, "frozen", False):
        return ("this bpviz package was built without the onnx package, so it cannot read "
                "or write ONNX models: convert the model to a .bpviz.json graph with "
                f"bpviz-convert from a Python install ({PIP_ONNX}) and open that")
    return ("reading and writing ONNX models needs the onnx package, which is not "
            f"installed: {PIP_ONNX} (or pip install onnx)")


def require_onnx():
    """The onnx module; ConvertError saying how to install it where it is missing."""
    try:
        import onnx
    except ImportError:
        raise ConvertError(missing_onnx()) from None
    return onnx
