"""bpviz: make back-propagation visible."""

__version__ = "0.1.0"
