"""The one error type of bpviz.interop."""
from bpviz.core.errors import GraphError


class ConvertError(GraphError):
    """A model bpviz cannot take or write: an unsupported op, a second output, a dynamic
    shape, a damaged file. ``str(err)`` is one line for the user."""


def require_onnx():
    """The onnx module; ConvertError saying how to install it where it is missing."""
    try:
        import onnx
    except ImportError:
        raise ConvertError("reading and writing ONNX models needs the onnx package: "
                           "pip install onnx") from None
    return onnx
