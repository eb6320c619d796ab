"""bpviz: make back-propagation visible."""

__version__ = "0.1.0"


def from_torch(module, example_input, loss=None):
    """A bpviz Graph computing what the torch ``module`` computes (see bpviz.interop);
    imported on use, so ``import bpviz`` stays free of torch and onnx."""
    from bpviz.interop import from_torch as convert
    return convert(module, example_input, loss)
