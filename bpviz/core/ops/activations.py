"""Element-wise activations and the softmax family."""
from __future__ import annotations

import numpy as np

from .base import Attr, Op, OpError, register, resolve_dim, shape_text


class _Elementwise(Op):
    """y = f(x) element by element; dx = dout * f'(x), f' computed from what forward saved."""

    group = "activations"

    def local_slope(self) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout):
        return (dout * self.local_slope(),), {}


@register
class ReLU(_Elementwise):
    """y = max(0, x), element by element.

    Shapes: input (N, *) -> (N, *)
    """

    attrs = (Attr("inplace", "bool", False),)
    doc = "Rectified linear unit: max(0, x). Its Jacobian is a 0/1 diagonal mask."
    jacobian_doc = {"input": "diagonal 0/1 mask: 1 where x > 0"}
    grad_formula = r"\frac{\partial y}{\partial x} = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
    formula = r"y = \max(0, x)"

    def forward(self, x):
        # "not x <= 0" rather than "x > 0": a NaN passes its gradient on, as in torch
        mask = x <= 0
        self.cache = {"mask": np.logical_not(mask, out=mask)}   # in place: no second array
        return np.maximum(x, x.dtype.type(0))

    def local_slope(self):
        return self.cache["mask"]


@register
class LeakyReLU(_Elementwise):
    """y = x where x > 0, negative_slope * x elsewhere.

    Shapes: input (N, *) -> (N, *)
    """

    attrs = (Attr("negative_slope", "float", 0.01), Attr("inplace", "bool", False))
    doc = "Leaky ReLU: x for x > 0, negative_slope * x otherwise."
    jacobian_doc = {"input": "diagonal: 1 where x > 0, negative_slope elsewhere"}
    formula = r"y = \max(0, x) + a \min(0, x)"
    negative_slope: float

    def forward(self, x):
        self.cache = {"mask": x > 0, "dtype": x.dtype}
        return np.where(self.cache["mask"], x, x * x.dtype.type(self.negative_slope))

    def local_slope(self):
        return np.where(self.cache["mask"], 1.0, self.negative_slope).astype(self.cache["dtype"])


@register
class Sigmoid(_Elementwise):
    """y = 1 / (1 + e^-x), element by element.

    Shapes: input (N, *) -> (N, *)
    """

    doc = "Logistic sigmoid 1 / (1 + e^-x); its slope is at most 1/4 (vanishing gradients)."
    jacobian_doc = {"input": "diagonal σ(x)(1-σ(x)), never above 1/4"}
    grad_formula = r"\frac{\partial \sigma}{\partial x} = \sigma(x)\,(1 - \sigma(x)) \le \frac{1}{4}"
    formula = r"\sigma(x) = \frac{1}{1 + e^{-x}}"

    def forward(self, x):
        # two branches so that exp never overflows
        e = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)
        self.cache = {"y": y}
        return y

    def local_slope(self):
        y = self.cache["y"]
        return y * (1 - y)


@register
class Tanh(_Elementwise):
    """y = tanh(x), element by element.

    Shapes: input (N, *) -> (N, *)
    """

    doc = "Hyperbolic tangent; slope 1 - tanh^2(x)."
    jacobian_doc = {"input": "diagonal 1 - tanh²(x)"}
    grad_formula = r"\frac{\partial y}{\partial x} = 1 - \tanh^2(x)"
    formula = r"y = \tanh(x)"

    def forward(self, x):
        y = np.tanh(x)
        self.cache = {"y": y}
        return y

    def local_slope(self):
        y = self.cache["y"]
        return 1 - y * y


def implicit_softmax_dim(ndim: int) -> int:
    """torch's choice when dim=None (nn.Softmax's legacy behaviour)."""
    return 0 if ndim in (0, 1, 3) else 1


class _SoftmaxFamily(Op):
    group = "activations"
    attrs = (Attr("dim", "int", None, optional=True),)
    starter_attrs = {"dim": 1}
    dim: int | None

    def torch_kwargs(self, shapes):
        # the dim torch would pick implicitly, written out (and torch warns without it)
        return {**self.attr_values(), "dim": self.axis(len(shapes[0]))}

    def axis(self, ndim: int) -> int:
        dim = implicit_softmax_dim(ndim) if self.dim is None else self.dim
        axis = resolve_dim(dim, ndim)
        if axis == 0:
            raise OpError("softmax over dim 0 would mix the samples of a batch; set dim")
        return axis

    def infer(self, shapes):
        (shape,) = shapes
        if len(shape) < 2:
            raise OpError(f"needs a batched input, got {shape_text(shape)}")
        self.axis(len(shape))
        return shape


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """x - logsumexp(x): subtracting the max keeps logits of +-1e4 finite."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@register
class Softmax(_SoftmaxFamily):
    """p = e^y / sum(e^y) along ``dim``.

    Shapes: input (N, C, *) -> (N, C, *)
    """

    doc = "Turns scores into probabilities; Jacobian diag(p) - p p^T."
    jacobian_doc = {"input": "diag(p) - p pᵀ: ∂σ_i/∂y_j = σ_i(δ_ij - σ_j)"}
    grad_formula = r"\frac{\partial \sigma(\mathbf{y})_i}{\partial y_j} = \sigma(\mathbf{y})_i\,(\delta_{ij} - \sigma(\mathbf{y})_j)"
    formula = r"\sigma(\mathbf{y})_i = \frac{e^{y_i}}{\sum_j e^{y_j}}"

    def forward(self, x):
        axis = self.axis(x.ndim)
        p = np.exp(log_softmax(x, axis))
        self.cache = {"p": p, "axis": axis}
        return p

    def backward(self, dout):
        p, axis = self.cache["p"], self.cache["axis"]
        # dx_j = sum_i dout_i p_i (delta_ij - p_j) = p_j (dout_j - sum_i dout_i p_i)
        return (p * (dout - (dout * p).sum(axis=axis, keepdims=True)),), {}


@register
class LogSoftmax(_SoftmaxFamily):
    """log p = y - logsumexp(y) along ``dim``.

    Shapes: input (N, C, *) -> (N, C, *)
    """

    doc = "log of softmax, computed stably: y - logsumexp(y)."
    jacobian_doc = {"input": "I - 1 pᵀ: each row is a one-hot minus p"}
    grad_formula = r"\frac{\partial \log\sigma_i}{\partial y_j} = \delta_{ij} - \sigma(\mathbf{y})_j"
    formula = r"\log\sigma(\mathbf{y})_i = y_i - \log\sum_j e^{y_j}"

    def forward(self, x):
        axis = self.axis(x.ndim)
        out = log_softmax(x, axis)
        self.cache = {"p": np.exp(out), "axis": axis}
        return out

    def backward(self, dout):
        p, axis = self.cache["p"], self.cache["axis"]
        return (dout - p * dout.sum(axis=axis, keepdims=True),), {}
