"""The one error type of bpviz.interop."""
from bpviz.core.errors import GraphError


class ConvertError(GraphError):
    """A model bpviz cannot take or write: an unsupported op, a second output, a dynamic
    shape, a damaged file. ``str(err)`` is one line for the user."""
