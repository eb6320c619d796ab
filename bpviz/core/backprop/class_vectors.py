"""Which values of a graph are per-class vectors, and what the lecture calls them: the one-hot
target t, the logits y, softmax sigma(y), log sigma(y) and each class's term of the loss,
labelled with the data set's class names.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import GraphError
from ..optimization.trainer import classifies, data_inputs

# Ops that keep one value per class: walking back from a classification loss through them
# reaches the layer that computes the logits (the first op not listed here).
PER_CLASS_OPS = {"Softmax", "LogSoftmax", "Log", "Exp", "Dropout", "Identity"}


@dataclass
class LectureContext:
    """What the inspector needs to show classes and images: the data set's class names, the
    per-sample shape of the graph's data Input and the nodes whose outputs are per-class."""

    classes: list = field(default_factory=list)
    image_shape: tuple = ()
    class_nodes: frozenset = frozenset()
    targets: tuple = ()              # the true class of each sample of the batch

    def true_class(self, sample: int) -> int | None:
        return int(self.targets[sample]) if 0 <= sample < len(self.targets) else None

    def names(self, k: int) -> list[str]:
        """Names for a vector of k classes: the data set's, then "class j" for any others."""
        return [self.classes[j] if j < len(self.classes) else f"class {j}" for j in range(k)]

    def labels(self, node: str) -> bool:
        return node in self.class_nodes


def class_nodes(graph) -> frozenset:
    """Nodes whose output holds one value per class: the prediction input of each
    multiclass loss and, back through PER_CLASS_OPS, the node that computes the logits."""
    found = set()
    for node in graph.nodes.values():
        if classifies(node) != "multiclass" or not node.inputs:
            continue
        nid = node.inputs[0]
        while nid in graph.nodes and nid not in found:
            found.add(nid)
            current = graph.nodes[nid]
            if current.op not in PER_CLASS_OPS or not current.inputs:
                break
            nid = current.inputs[0]
    return frozenset(found)


def _data_input(graph) -> str | None:
    try:
        return data_inputs(graph)[0]
    except GraphError:
        return None


def lecture_context(graph, dataset, targets=()) -> LectureContext:
    """The context of ``graph`` fed from ``dataset`` (either may be None) with a batch whose
    labels are ``targets``."""
    names = [str(c) for c in getattr(dataset, "classes", [])]
    targets = tuple(int(t) for t in targets)
    if graph is None:
        return LectureContext(names, targets=targets)
    x_id = _data_input(graph)
    shape = tuple(graph.nodes[x_id].attrs.get("shape", ())) if x_id else ()
    return LectureContext(names, shape, class_nodes(graph), targets)


def one_hot(index: int, classes: int) -> np.ndarray:
    """The lecture's target vector t: 1 at the true class, 0 elsewhere, (classes,)."""
    t = np.zeros(classes)
    if 0 <= int(index) < classes:
        t[int(index)] = 1.0
    return t


def per_class_losses(op, cache: dict, inputs: dict, sample: int) -> np.ndarray | None:
    """Each class's term of one sample's loss (they sum to that sample's loss before the
    batch mean); None for losses that are not over classes.

    CrossEntropyLoss: -q_j log sigma_j (q the one-hot target, smoothed if asked);
    NLLLoss: -x_t at the true class t, 0 elsewhere; MultiMarginLoss: max(0, margin - x_t +
    x_j)^p / C for j != t, 0 at t."""
    name = type(op).__name__
    if name == "CrossEntropyLoss" and cache.get("q") is not None:
        return -(cache["q"][sample] * cache["logp"][sample])
    if name == "MultiMarginLoss":
        m, active = cache["m"][sample], cache["active"][sample]
        return np.where(active, m, 0.0) ** op.p / m.shape[0]
    if name == "NLLLoss":
        x = np.asarray(inputs["input"])[sample]
        return -x * one_hot(np.asarray(inputs["target"])[sample], x.shape[-1])
    return None
