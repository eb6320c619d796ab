"""One node of a graph as the file stores it (its own module: the graph and the parts of
``Graph`` all use it, and none of them needs the others to know what a node is)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    """One node as the file stores it; ``inputs`` holds a source id per input slot of the
    op, or None for a slot not connected yet (the editor's half-built graphs)."""

    id: str
    op: str
    attrs: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    ui: dict = field(default_factory=dict)
