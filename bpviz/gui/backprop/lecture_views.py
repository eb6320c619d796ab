"""The lecture's objects for one inspector step: image values and dL/dx drawn as images, the
rows of a Linear layer on an image (and of dL/dW) as class templates, per-class vectors with
the data set's class names, the one-hot target t and each class's term of the loss.

The Inspector adds the widgets these functions return; a ``LectureContext`` (from the Data
panel) says which nodes are per-class, the class names and the image shape."""
from __future__ import annotations

import numpy as np

from ...core.array_views import sample_of
from ...core.classes import LectureContext, one_hot, per_class_losses
from ...core.images import gradient_pictures, image_shape, template_pictures, value_pictures
from ..widgets.class_vector import ClassVector
from ..widgets.image_grid import ImageGrid


def forward_views(ev, ctx: LectureContext) -> list:
    """Views of a forward step's inputs, output and weight."""
    views = []
    for slot, value in ev.inputs.items():
        src = ev.input_ids[slot]
        views += _value_views(ev, ctx, f"in_{slot}", f"{slot} ({src})", value, src)
    views += _value_views(ev, ctx, "output", f"output ({ev.node})", ev.output, ev.node)
    views += _templates(ev, ctx, "weight", "rows of W as images", ev.params.get("weight"))
    views += _loss_terms(ev, ctx)
    return views


def backward_views(ev, ctx: LectureContext) -> list:
    """Views of a backward step's upstream gradient, input gradients and dL/dW."""
    views = []
    s = ev.sample
    if ctx.labels(ev.node) and ev.upstream is not None:
        views.append(_classes(ctx, "dout", f"dL/d{ev.node} by class", ev.upstream, s))
    for slot, grad in ev.dinputs.items():
        if grad is None:
            continue
        src = ev.input_ids[slot]
        g = np.asarray(sample_of(grad, s))
        if image_shape(g.shape):
            pictures, note = gradient_pictures(g)
            views.append(_grid(f"grad_image_{slot}", f"dL/d{src} as an image (sample {s})",
                               pictures, note))
        elif ctx.labels(src) and g.ndim == 1:
            views.append(_classes(ctx, f"d{slot}", f"dL/d{src} by class", g, s))
    views += _templates(ev, ctx, "dweight", "rows of dL/dW as images (summed over the batch)",
                        ev.dparams.get("weight"))
    return views


def _value_views(ev, ctx, key: str, title: str, value, node: str) -> list:
    """A value as an image grid, a one-hot target or a per-class vector, where it is one."""
    if value is None:
        return []
    s = ev.sample
    a = np.asarray(sample_of(value, s))
    if key == "in_target" and getattr(ev.op, "classifies", "") == "multiclass" \
            and a.ndim == 0 and a.dtype.kind in "iu":
        classes = np.shape(ev.inputs["input"])[-1]
        t = one_hot(int(a), classes)
        return [_classes(ctx, "onehot_target", f"target t ({node}) as one-hot", t, s,
                         true=int(a))]
    if image_shape(a.shape):
        pictures, note = value_pictures(a)
        return [_grid(f"images_{key}", f"{title} as an image", pictures, note)]
    if ctx.labels(node) and a.ndim == 1:
        return [_classes(ctx, key, f"{title} by class", a, s)]
    return []


def _templates(ev, ctx, key: str, title: str, w) -> list:
    """The rows of a Linear layer's W (or dL/dW) whose input is the image: one picture per
    output, named after its class where the layer computes the class scores."""
    if w is None or ev.op.name() != "Linear":
        return []
    names = ctx.names(np.shape(w)[0]) if ctx.labels(ev.node) else ()
    pictures, note = _kept_templates(key, w, ctx.image_shape, names)
    return [_grid(f"templates_{key}", title, pictures, note)] if pictures else []


_KEPT: dict = {}          # "weight" / "dweight" -> (array, fingerprint, pictures and note)


def _kept_templates(key: str, w, shape, names) -> tuple:
    """template_pictures, kept while the array is unchanged: the lecture's W (10 x 150,528)
    is the same on every forward step until an optimizer step changes it in place (the
    fingerprint — its sum and a sample of its entries — sees that)."""
    a = np.asarray(w)
    fingerprint = (a.shape, tuple(shape or ()), tuple(names), float(a.sum()),
                   a.ravel()[::4099].tobytes())
    kept = _KEPT.get(key)
    if kept is not None and kept[0] is w and kept[1] == fingerprint:
        return kept[2]
    result = template_pictures(w, shape, names)
    _KEPT[key] = (w, fingerprint, result)
    return result


def _loss_terms(ev, ctx) -> list:
    terms = per_class_losses(ev.op, ev.cache, ev.inputs, ev.sample)
    if terms is None:
        return []
    return [_classes(ctx, "loss_terms", "loss per class (this sample, before the batch "
                                        "mean)", terms, ev.sample)]


def _classes(ctx, key: str, title: str, values, sample: int, true=None) -> ClassVector:
    values = np.asarray(values, dtype=float).ravel()
    true = ctx.true_class(sample) if true is None else true
    view = ClassVector(title, values, ctx.names(values.size), true)
    view.setObjectName(f"classes_{key}")
    return view


def _grid(key: str, title: str, pictures, note: str) -> ImageGrid:
    view = ImageGrid(title, pictures, note)
    view.setObjectName(key)
    return view
