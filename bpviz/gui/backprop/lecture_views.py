"""The lecture's objects for one inspector step: image values and dL/dx drawn as images, the
rows of a Linear layer on an image (and of dL/dW) as class templates, per-class vectors with
the data set's class names, the one-hot target t and each class's term of the loss; a small
layer's parameters with their numbers on the forward pass too, beside what they compute.

The Inspector's page makes a widget for each ``LectureView`` these functions return, or
updates the one it made for an earlier step (``fill``); a ``LectureContext`` (from the Data
panel) says which nodes are per-class, the class names and the image shape. Pictures of an
image-sized array are made on a worker thread and kept by the array (``kept_drawing``): the
lecture's 150,528-value images take milliseconds each, and its W stays the same until an
optimizer step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from PySide6.QtWidgets import QWidget

from ...core.backprop.class_vectors import LectureContext, one_hot, per_class_losses
from ...core.display.array_views import as_matrix, sample_of
from ...core.display.images import (
    MAX_PICTURES,
    gradient_pictures,
    image_shape,
    row_images,
    template_pictures,
    value_pictures,
)
from ..widgets.class_vector import ClassVector
from ..widgets.drawing import kept_drawing
from ..widgets.heatmap import HeatMap
from ..widgets.image_grid import ImageGrid

# parameters shown on a forward step: those small enough to be read as numbers (the
# lecture's examples: lesson 4 quotes w = (1, 0) and b = 0 as y = w·x + b is computed),
# not AlexNet's millions, which the backward step shows beside their gradients
NUMBERED = 144


View = TypeVar("View", bound=QWidget)


@dataclass
class LectureView(Generic[View]):
    """A widget of type ``kind`` named ``key``, and what it shows for this step."""

    key: str
    kind: type[View]
    fill: Callable[[View], None]


def forward_views(ev, ctx: LectureContext) -> list[LectureView]:
    """Views of a forward step's inputs, output and weight."""
    views = _parameters(ev)
    for slot, value in ev.inputs.items():
        src = ev.input_ids[slot]
        views += _value_views(ev, ctx, f"in_{slot}", f"{slot} ({src})", value, src)
    views += _value_views(ev, ctx, "output", f"output ({ev.node})", ev.output, ev.node)
    views += _templates(ev, ctx, "weight", "rows of W as images", ev.params.get("weight"))
    views += _loss_terms(ev, ctx)
    return views


def backward_views(ev, ctx: LectureContext) -> list[LectureView]:
    """Views of a backward step's upstream gradient, input gradients and dL/dW."""
    views = []
    s = ev.sample
    if ctx.labels(ev.node) and ev.upstream is not None:
        views.append(_classes(ctx, "dout", f"∂L/∂{ev.node} by class", ev.upstream, s))
    for slot, grad in ev.dinputs.items():
        if grad is None:
            continue
        src = ev.input_ids[slot]
        g = np.asarray(sample_of(grad, s))
        if image_shape(g.shape):
            views.append(_grid(f"grad_image_{slot}", f"∂L/∂{src} as an image (sample {s})",
                               grad, s, gradient_pictures, 1 + _maps(g.shape)))
        elif ctx.labels(src) and g.ndim == 1:
            views.append(_classes(ctx, f"d{slot}", f"∂L/∂{src} by class", g, s))
    views += _templates(ev, ctx, "dweight", "rows of ∂L/∂W as images (summed over the batch)",
                        ev.dparams.get("weight"))
    return views


def _parameters(ev) -> list[LectureView]:
    """A small layer's parameters as heat maps with their numbers ("param_weight")."""
    def fill(name, p):
        title = f"{name} ({ev.node})"
        return lambda view: view.set_array(as_matrix(p), title=title)
    return [LectureView(f"param_{name}", HeatMap, fill(name, p))
            for name, p in ev.params.items() if np.size(p) <= NUMBERED]


def _value_views(ev, ctx, key: str, title: str, value, node: str) -> list[LectureView]:
    """A value as an image grid, a one-hot target or a per-class vector, where it is one."""
    if value is None:
        return []
    s = ev.sample
    a = np.asarray(sample_of(value, s))
    if key == "in_target" and getattr(ev.op, "classifies", "") == "multiclass" \
            and a.ndim == 0 and a.dtype.kind in "iu":
        classes = np.shape(ev.inputs["input"])[-1]
        t = one_hot(int(a), classes)
        named = "" if node == "t" else f" ({node})"
        return [_classes(ctx, "onehot_target", f"target t{named} as one-hot", t, s,
                         true=int(a))]
    if image_shape(a.shape):
        count = 1 if a.shape[0] == 3 else _maps(a.shape)
        return [_grid(f"images_{key}", f"{title} as an image", value, s, value_pictures,
                      count)]
    if ctx.labels(node) and a.ndim == 1:
        return [_classes(ctx, key, f"{title} by class", a, s)]
    return []


def _maps(shape) -> int:
    """Pictures of a (C, H, W) sample's channels: the first MAX_PICTURES (core.images)."""
    return min(shape[0], MAX_PICTURES)


def _grid(key: str, title: str, value, sample: int, pictures, count: int) -> LectureView:
    """``pictures(sample of value)``: ``count`` pictures of the sample's height and width,
    kept while ``value`` is unchanged."""
    a = sample_of(value, sample)
    drawing = kept_drawing(a, (pictures.__name__, sample), lambda: pictures(a), within=value)
    return _images(key, title, drawing, count, a.shape)


def _images(key: str, title: str, drawing, count: int, shape) -> LectureView:
    """An ImageGrid of what ``drawing`` makes (on the worker thread): ``count`` pictures of
    ``shape``'s height and width hold their places meanwhile."""
    sizes = [(shape[-1], shape[-2])] * count
    return LectureView(key, ImageGrid,
                       lambda view: view.set_pictures(title, drawing, sizes=sizes))


def _templates(ev, ctx, key: str, title: str, w) -> list[LectureView]:
    """The rows of a Linear layer's W (or dL/dW) whose input is the image: one picture per
    output, named after its class where the layer computes the class scores. Kept while
    the array is unchanged: the lecture's W (10 x 150,528) is the same on every forward
    step until an optimizer step changes it in place."""
    if w is None or ev.op.name() != "Linear":
        return []
    rows = row_images(w, ctx.image_shape)
    if rows is None or rows.shape[1] not in (1, 3):
        return []                               # template_pictures would make none
    names = tuple(ctx.names(np.shape(w)[0]) if ctx.labels(ev.node) else ())
    shape = ctx.image_shape
    drawing = kept_drawing(w, ("templates", shape, names),
                           lambda: template_pictures(w, shape, names))
    return [_images(f"templates_{key}", title, drawing, min(rows.shape[0], MAX_PICTURES),
                    rows.shape)]


def _loss_terms(ev, ctx) -> list[LectureView]:
    terms = per_class_losses(ev.op, ev.cache, ev.inputs, ev.sample)
    if terms is None:
        return []
    return [_classes(ctx, "loss_terms", "loss per class (this sample, before the batch "
                                        "mean)", terms, ev.sample)]


def _classes(ctx, key: str, title: str, values, sample: int, true=None) -> LectureView:
    values = np.asarray(values, dtype=float).ravel()
    true = ctx.true_class(sample) if true is None else true
    names = ctx.names(values.size)
    return LectureView(f"classes_{key}", ClassVector,
                       lambda view: view.set_values(title, values, names, true))
