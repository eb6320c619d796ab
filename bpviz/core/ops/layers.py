"""Layers with structure: Input, Linear, Flatten, Dropout, LocalResponseNorm."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import (
    BATCH,
    MAX_ELEMENTS,
    Attr,
    Op,
    OpError,
    numel,
    register,
    resolve_dim,
    shape_label,
    shape_text,
    uniform_fan_in,
)

DTYPES = ("float64", "float32", "int64")


@register
class Input(Op):
    """A tensor fed to the graph; ``shape`` excludes the batch dimension.

    Shapes: -> (N, *shape)
    """

    group = "io"
    inputs = ()
    attrs = (Attr("shape", "shape", doc="per-sample shape, batch dimension excluded"),
             Attr("dtype", "choice", "float64", choices=DTYPES))
    doc = "Data fed to the network: images, features or targets (batch dimension first)."
    starter_attrs = {"shape": [2]}
    shape: Sequence[int]
    dtype: str

    @classmethod
    def summarize(cls, attrs):
        return shape_label(attrs.get("shape", [])) + (
            "  int64" if attrs.get("dtype") == "int64" else "")

    def infer(self, shapes):
        shape = (BATCH,) + tuple(self.shape)
        if numel(shape) > MAX_ELEMENTS:
            raise OpError(f"input of shape {shape_text(shape)} has too many elements per "
                          f"sample (limit {MAX_ELEMENTS:,})")
        return shape


@register
class Linear(Op):
    """y = x W^T + b.

    Shapes: input (N, *, in_features), weight (out_features, in_features),
    bias (out_features,) -> (N, *, out_features)
    """

    group = "layers"
    attrs = (Attr("in_features", "int", low=1), Attr("out_features", "int", low=1),
             Attr("bias", "bool", True))
    doc = "Fully-connected layer: every output is a weighted sum of all inputs plus a bias."
    jacobian_doc = {"input": "W itself: row i holds the weights of output i", "weight": "row i holds x in the block of W's row i (∂y_i/∂W_jk = x_k if i = j), so ∂L/∂W = δ xᵀ", "bias": "the identity"}
    grad_formula = r"\frac{\partial L}{\partial W} = \boldsymbol{\delta}\,\mathbf{x}^\top,\quad \frac{\partial L}{\partial \mathbf{x}} = W^\top \boldsymbol{\delta}"
    formula = r"\mathbf{y} = W\mathbf{x} + \mathbf{b}"
    starter_attrs = {"in_features": 2, "out_features": 10}
    in_features: int
    out_features: int
    bias: bool

    @classmethod
    def summarize(cls, attrs):
        return (f"{attrs.get('in_features', '?')} → {attrs.get('out_features', '?')}"
                + ("" if attrs.get("bias", True) else ", no bias"))

    @classmethod
    def fit_to_input(cls, attrs, shape):
        return {**attrs, "in_features": shape[-1]} if shape else dict(attrs)

    @property
    def params(self):
        return ("weight", "bias") if self.bias else ("weight",)

    def infer(self, shapes):
        (shape,) = shapes
        if len(shape) < 2 or shape[-1] != self.in_features:
            last = shape[-1] if len(shape) >= 2 else "no"
            hint = "add a Flatten before it, or set" if len(shape) > 2 else "set"
            raise OpError(f"input {shape_text(shape)} has {last} features but in_features is "
                          f"{self.in_features} ({hint} in_features to {last})")
        return shape[:-1] + (self.out_features,)

    def param_shapes(self):
        shapes: dict[str, tuple[int, ...]] = {"weight": (self.out_features, self.in_features)}
        if self.bias:
            shapes["bias"] = (self.out_features,)
        return shapes

    def init_params(self, rng, dtype):
        return {name: uniform_fan_in(rng, shape, self.in_features, dtype)
                for name, shape in self.param_shapes().items()}

    def forward(self, x, weight, bias=None):
        self.cache = {"x": x, "weight": weight}
        out = x @ weight.T
        return out + bias if bias is not None else out

    def param_rows(self, name, sample, rows):
        """Row (t, i) of ∂y/∂W holds x[t] in the block of W's row i; of ∂y/∂b, a 1 at i."""
        x = sample[0].reshape(-1, self.in_features)
        found = []
        for r in rows:
            t, i = divmod(int(r), self.out_features)
            if name == "weight":
                found.append((i * self.in_features + np.arange(self.in_features), x[t]))
            else:
                found.append((np.array([i]), np.ones(1, dtype=x.dtype)))
        return found

    def input_rows(self, name, sample, rows):
        """Row (t, i) of ∂y/∂x holds W's row i in the block of x[t]: no backward pass, and
        no whole dL/dW built for a row (AlexNet's fc6: 151 MB a pass)."""
        weight = self.cache["weight"]
        return [(t * self.in_features + np.arange(self.in_features), weight[i])
                for t, i in (divmod(int(r), self.out_features) for r in rows)]

    def backward(self, dout):
        x, weight = self.cache["x"], self.cache["weight"]
        dx = dout @ weight if self.needs_input_grad[0] else None
        # dL/dW = sum over samples (and any extra leading dims) of delta x^T
        dw = dout.reshape(-1, dout.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        grads = {"weight": dw}
        if self.bias:
            grads["bias"] = dout.reshape(-1, dout.shape[-1]).sum(axis=0)
        return (dx,), grads


@register
class Flatten(Op):
    """Merge dims start_dim..end_dim into one (batch dimension kept).

    Shapes: input (N, C, H, W) -> (N, C*H*W) with the defaults (start_dim=1, end_dim=-1)
    """

    group = "layers"
    attrs = (Attr("start_dim", "int", 1), Attr("end_dim", "int", -1))
    doc = "Reshape each sample into a vector (e.g. an image before a fully-connected layer)."
    jacobian_doc = {"input": "the identity (a reshape moves no values)"}
    start_dim: int
    end_dim: int

    def infer(self, shapes):
        (shape,) = shapes
        start = resolve_dim(self.start_dim, len(shape), "start_dim")
        end = resolve_dim(self.end_dim, len(shape), "end_dim")
        if start == 0:
            raise OpError("start_dim=0 would merge the batch dimension")
        if start > end:
            raise OpError(f"start_dim ({self.start_dim}) comes after end_dim ({self.end_dim})")
        return shape[:start] + (numel(shape[start:end + 1]),) + shape[end + 1:]

    def forward(self, x):
        self.cache = {"x_shape": x.shape}
        start = resolve_dim(self.start_dim, x.ndim)
        end = resolve_dim(self.end_dim, x.ndim)
        return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])

    def backward(self, dout):
        return (dout.reshape(self.cache["x_shape"]),), {}


@register
class Dropout(Op):
    """Training: zero each element with probability p and scale the rest by 1/(1-p).

    Shapes: input (N, *) -> (N, *)
    """

    group = "layers"
    attrs = (Attr("p", "float", 0.5, low=0.0, high=1.0), Attr("inplace", "bool", False))
    doc = "Randomly silence units while training (identity when evaluating)."
    jacobian_doc = {"input": "diagonal mask m/(1-p): 0 for dropped units (identity when evaluating)"}
    grad_formula = r"\frac{\partial L}{\partial x} = \frac{m}{1-p}\,\frac{\partial L}{\partial y}"
    formula = r"y = \frac{m \odot x}{1-p},\quad m_i \sim \mathrm{Bernoulli}(1-p)"
    p: float

    @classmethod
    def summarize(cls, attrs):
        return f"p = {attrs.get('p', 0.5)}"

    def forward(self, x):
        if not self.training or self.p == 0.0:
            self.cache = {"mask": None}
            return x
        assert self.rng is not None, "the graph hands each op its rng before running it"
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        mask = keep.astype(x.dtype) * x.dtype.type(scale)
        self.cache = {"mask": mask}
        return x * mask

    def backward(self, dout):
        mask = self.cache["mask"]
        return (dout if mask is None else dout * mask,), {}


@register
class LocalResponseNorm(Op):
    """AlexNet's normalisation across channels.

    b_c = a_c / (k + alpha/n * sum_{c' in window(c)} a_{c'}^2)^beta, window of ``size``
    channels around c (torch pads size//2 before and (size-1)//2 after).

    Shapes: input (N, C, *) -> (N, C, *)
    """

    group = "layers"
    attrs = (Attr("size", "int", low=1), Attr("alpha", "float", 1e-4, low=0.0),
             Attr("beta", "float", 0.75, low=0.0), Attr("k", "float", 1.0))
    doc = "Local response normalisation across neighbouring channels (AlexNet)."
    jacobian_doc = {"input": "a band around the diagonal: each output depends on its neighbouring channels"}
    formula = (r"b_c = a_c\left(k + \frac{\alpha}{n}\sum_{c'} a_{c'}^2\right)^{-\beta}")
    starter_attrs = {"size": 5}
    size: int
    alpha: float
    beta: float
    k: float

    @classmethod
    def summarize(cls, attrs):
        return f"size {attrs.get('size', '?')}, k {attrs.get('k', 1.0)}"

    def infer(self, shapes):
        (shape,) = shapes
        if len(shape) < 3:
            raise OpError(f"needs (N, C, ...) input with at least 3 dimensions, got "
                          f"{shape_text(shape)}")
        return shape

    def _window_sum(self, a: np.ndarray, before: int, after: int) -> np.ndarray:
        """Sum over channels c-before..c+after of a (N, C, ...), zero outside."""
        c = a.shape[1]
        padded = np.concatenate([np.zeros_like(a[:, :1])] * (before + 1) + [a]
                                + [np.zeros_like(a[:, :1])] * after, axis=1)
        csum = np.cumsum(padded, axis=1)
        return csum[:, before + after + 1: before + after + 1 + c] - csum[:, :c]

    def forward(self, x):
        n = self.size
        div = self.k + self.alpha / n * self._window_sum(x * x, n // 2, (n - 1) // 2)
        out = x * div ** -self.beta
        self.cache = {"x": x, "div": div}
        return out

    def backward(self, dout):
        x, div = self.cache["x"], self.cache["div"]
        n = self.size
        # channel j is in window(c) for c in [j - (n-1)//2, j + n//2]
        inner = dout * x * div ** (-self.beta - 1)
        dx = dout * div ** -self.beta - (2 * self.alpha * self.beta / n) * x * self._window_sum(
            inner, (n - 1) // 2, n // 2)
        return (dx,), {}
