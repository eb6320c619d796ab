"""The op registry: every op of the engine, one small class each (see base.Op)."""
from . import activations, arithmetic, conv, layers, losses  # noqa: F401  (they register themselves)
from .base import (
    BATCH,
    MAX_ELEMENTS,
    REGISTRY,
    Attr,
    Op,
    broadcast_shapes,
    shape_label,
    shape_text,
    unbroadcast,
)

GROUPS = ("io", "layers", "activations", "losses", "math")


def op_class(name: str) -> type[Op]:
    """The op class registered as ``name``; KeyError if there is none."""
    return REGISTRY[name]


__all__ = ["BATCH", "GROUPS", "MAX_ELEMENTS", "REGISTRY", "Attr", "Op", "broadcast_shapes",
           "op_class", "shape_label", "shape_text", "unbroadcast"]
