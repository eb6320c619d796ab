"""Tensor arithmetic mirroring torch functions: Add, Mul, MatMul, Sum, Mean, Exp, Log."""
from __future__ import annotations

import numpy as np

from .activations import _Elementwise
from .base import (
    Attr,
    Op,
    OpError,
    broadcast_shapes,
    register,
    resolve_dim,
    shape_text,
    unbroadcast,
)


class _Binary(Op):
    """Two inputs combined with numpy broadcasting; gradients summed back with unbroadcast."""

    inputs = ("input", "other")

    def infer(self, shapes):
        return broadcast_shapes(*shapes)


@register
class Add(_Binary):
    """z = input + other, with numpy broadcasting.

    Shapes: input (N, *), other (N, *) or any shape that broadcasts -> the broadcast shape
    """

    torch_function = "torch.add"
    doc = "input + other (broadcasting). Fan-in point: the gradient is copied to both."
    jacobian_doc = {"input": "the identity (summed over broadcast dims)", "other": "the identity (summed over broadcast dims)"}
    grad_formula = r"\frac{\partial z}{\partial x} = \frac{\partial z}{\partial y} = 1"
    formula = r"z = x + y"

    def forward(self, x, y):
        self.cache = {"x_shape": x.shape, "y_shape": y.shape}
        return x + y

    def backward(self, dout):
        return (unbroadcast(dout, self.cache["x_shape"]),
                unbroadcast(dout, self.cache["y_shape"])), {}


@register
class Mul(_Binary):
    """z = input * other, element by element, with numpy broadcasting.

    Shapes: input (N, *), other (N, *) or any shape that broadcasts -> the broadcast shape
    """

    torch_function = "torch.mul"
    doc = "input * other, element-wise (broadcasting). Each gradient is scaled by the other."
    jacobian_doc = {"input": "diag(other)", "other": "diag(input)"}
    grad_formula = r"\frac{\partial z}{\partial x} = y,\quad \frac{\partial z}{\partial y} = x"
    formula = r"z = x \odot y"

    def forward(self, x, y):
        self.cache = {"x": x, "y": y}
        return x * y

    def backward(self, dout):
        x, y = self.cache["x"], self.cache["y"]
        return (unbroadcast(dout * y, x.shape), unbroadcast(dout * x, y.shape)), {}


@register
class MatMul(_Binary):
    """torch.matmul of per-sample matrices.

    Shapes: input (N, a, b), other (N, b, c) -> (N, a, c)
    """

    torch_function = "torch.matmul"
    doc = "Matrix product of per-sample matrices."
    jacobian_doc = {"input": "block structure: each row of Z takes Yᵀ", "other": "block structure: each column of Z takes X"}
    formula = r"Z = XY"

    def infer(self, shapes):
        a, b = shapes
        if len(a) < 3 or len(b) < 3:
            raise OpError(f"needs a matrix per sample, (N, a, b) and (N, b, c); got "
                          f"{shape_text(a)} and {shape_text(b)}")
        if a[-1] != b[-2]:
            raise OpError(f"inner sizes differ: {shape_text(a)} @ {shape_text(b)}")
        return broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])

    def forward(self, x, y):
        self.cache = {"x": x, "y": y}
        return x @ y

    def backward(self, dout):
        x, y = self.cache["x"], self.cache["y"]
        dx = unbroadcast(dout @ np.swapaxes(y, -1, -2), x.shape)
        dy = unbroadcast(np.swapaxes(x, -1, -2) @ dout, y.shape)
        return (dx, dy), {}


class _Reduce(Op):
    """Sum or mean over ``dim`` (None: everything, batch included, giving a scalar)."""

    attrs = (Attr("dim", "dims", None, optional=True), Attr("keepdim", "bool", False))
    dim: int | list[int] | None
    keepdim: bool

    def reduce(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def scale(self, shape: tuple[int, ...], axes: tuple[int, ...]) -> float:
        """d(output)/d(each input element): 1 for a sum, 1/count for a mean."""
        raise NotImplementedError

    def torch_kwargs(self, shapes):
        if self.dim is None:           # torch.sum(x) reduces everything, as dim=None does here
            return {}
        return {"dim": tuple(self.dim) if isinstance(self.dim, list) else self.dim,
                "keepdim": self.keepdim}

    def axes(self, ndim: int) -> tuple[int, ...]:
        if self.dim is None:
            return tuple(range(ndim))
        dims = self.dim if isinstance(self.dim, list) else [self.dim]
        axes = tuple(sorted({resolve_dim(d, ndim) for d in dims}))
        if 0 in axes:
            raise OpError("reducing over dim 0 would mix the samples of a batch (use "
                          "dim=null to reduce everything to a scalar)")
        return axes

    def infer(self, shapes):
        (shape,) = shapes
        axes = self.axes(len(shape))
        if self.dim is None and not self.keepdim:
            return ()
        if self.keepdim:
            return tuple(1 if i in axes else d for i, d in enumerate(shape))
        return tuple(d for i, d in enumerate(shape) if i not in axes)

    def count(self, shape, axes) -> int:
        return int(np.prod([shape[i] for i in axes]))

    def forward(self, x):
        axes = self.axes(x.ndim)
        self.cache = {"x_shape": x.shape, "axes": axes}
        return self.reduce(x, axes)

    def backward(self, dout):
        shape, axes = self.cache["x_shape"], self.cache["axes"]
        if not self.keepdim:
            dout = np.expand_dims(dout, axes)
        dx = np.broadcast_to(dout * self.scale(shape, axes), shape).copy()
        return (dx,), {}


@register
class Sum(_Reduce):
    """s = the sum of input over ``dim`` (everything when dim is None).

    Shapes: input (N, *) -> () when dim is None, else input's shape less dim (keepdim: 1 there)
    """

    torch_function = "torch.sum"
    doc = "Sum over dims (all by default). The gradient is copied to every element."
    jacobian_doc = {"input": "ones"}
    formula = r"s = \sum_i x_i"

    def reduce(self, x, axes):
        return x.sum(axis=axes, keepdims=self.keepdim)

    def scale(self, shape, axes):
        return 1


@register
class Mean(_Reduce):
    """m = the mean of input over ``dim`` (everything when dim is None).

    Shapes: input (N, *) -> () when dim is None, else input's shape less dim (keepdim: 1 there)
    """

    torch_function = "torch.mean"
    doc = "Mean over dims (all by default). Each element gets 1/count of the gradient."
    jacobian_doc = {"input": "1/n everywhere"}
    formula = r"m = \frac{1}{n}\sum_i x_i"

    def reduce(self, x, axes):
        return x.mean(axis=axes, keepdims=self.keepdim)

    def scale(self, shape, axes):
        return 1.0 / self.count(shape, axes)


@register
class Exp(_Elementwise):
    """y = e^x, element by element.

    Shapes: input (N, *) -> (N, *)
    """

    group = "math"
    torch_function = "torch.exp"
    doc = "e^x, element-wise; its own derivative."
    jacobian_doc = {"input": "diagonal eˣ"}
    grad_formula = r"\frac{\partial y}{\partial x} = e^x"
    formula = r"y = e^x"

    def forward(self, x):
        y = np.exp(x)
        self.cache = {"y": y}
        return y

    def local_slope(self):
        return self.cache["y"]


@register
class Log(_Elementwise):
    """y = log x (natural), element by element.

    Shapes: input (N, *) -> (N, *)
    """

    group = "math"
    torch_function = "torch.log"
    doc = "Natural logarithm, element-wise; derivative 1/x."
    jacobian_doc = {"input": "diagonal 1/x"}
    grad_formula = r"\frac{\partial y}{\partial x} = \frac{1}{x}"
    formula = r"y = \log x"

    def forward(self, x):
        self.cache = {"x": x}
        return np.log(x)

    def local_slope(self):
        return 1 / self.cache["x"]
