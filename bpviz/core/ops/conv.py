"""Convolution and pooling over (N, C, H, W), vectorised over kernel taps (im2col)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import MAX_ELEMENTS, Attr, Op, OpError, pair, register, shape_text, uniform_fan_in
from .sliding_windows import disjoint, fold, out_size, pad2d, taps, unpad2d, window_text


class _Windowed(Op):
    """Shared by Conv2d and the pools: kernel, stride, padding, dilation and output size."""

    stride_default_is_kernel = False
    kernel_size: int | Sequence[int]
    stride: int | Sequence[int] | None            # the pools' None: the kernel size
    padding: int | Sequence[int]

    def setup(self):
        self.k = pair(self.kernel_size)
        stride = self.stride if self.stride is not None else (
            self.kernel_size if self.stride_default_is_kernel else 1)
        self.s = pair(stride)
        self.p = pair(self.padding)
        self.d = pair(getattr(self, "dilation", 1))

    def _spatial(self, shape, channels: int | None = None):
        if len(shape) != 4:
            raise OpError(f"needs (N, C, H, W) input, got {shape_text(shape)}")
        if channels is not None and shape[1] != channels:
            raise OpError(f"input has {shape[1]} channels but in_channels is {channels}")
        padded = shape[1] * (shape[2] + 2 * self.p[0]) * (shape[3] + 2 * self.p[1])
        if padded > MAX_ELEMENTS:              # forward pads first: refuse before allocating
            raise OpError(f"padding {self.padding} makes the padded input {padded:,} values "
                          f"per sample, more than the limit of {MAX_ELEMENTS:,}")
        oh = out_size(shape[2], self.k[0], self.s[0], self.p[0], self.d[0], "kernel height")
        ow = out_size(shape[3], self.k[1], self.s[1], self.p[1], self.d[1], "kernel width")
        return oh, ow

    def _taps(self, x, fill=0.0):
        """Padded x and the read-only view (N, C, KH, KW, OH, OW) of what each tap sees."""
        xp = pad2d(x, self.p[0], self.p[1], fill)
        return xp, taps(xp, self.k, self.s, self.d, self._spatial(x.shape))

    def _fold(self, dtaps, padded_shape):
        return unpad2d(fold(dtaps, padded_shape[2:], self.k, self.s, self.d), *self.p)


class _Pool(_Windowed):
    group = "layers"
    stride_default_is_kernel = True
    starter_attrs = {"kernel_size": 2}

    @classmethod
    def summarize(cls, attrs):
        return window_text(attrs)

    def infer(self, shapes):
        (shape,) = shapes
        out_hw = self._spatial(shape)
        self._check_windows(shape, out_hw)
        return shape[:2] + out_hw

    def _check_windows(self, shape, out_hw):
        """torch's limit on pool padding, and no window made of padding alone (its max
        would be -inf, its average 0/0)."""
        for k, p in zip(self.k, self.p, strict=True):
            if p > k // 2:
                raise OpError(f"padding {self.padding} must be at most half the kernel size "
                              f"{self.kernel_size}")
        for size, out, k, s, p, d in zip(shape[2:], out_hw, self.k, self.s, self.p, self.d, strict=True):
            taps = np.arange(out)[:, None] * s + np.arange(k) * d
            if not ((taps >= p) & (taps < p + size)).any(axis=1).all():
                raise OpError(f"some {self.k[0]}x{self.k[1]} windows (dilation {self.d}) see "
                              f"only padding: reduce padding or dilation")


_KERNEL = Attr("kernel_size", "pair", low=1)
_PADDING = Attr("padding", "pair", 0, low=0)
_DILATION = Attr("dilation", "pair", 1, low=1)


@register
class Conv2d(_Windowed):
    """out[n, f] = b[f] + sum_c (W[f, c] cross-correlated with x[n, c]).

    Shapes: input (N, C, H, W), weight (F, C, KH, KW), bias (F,) -> (N, F, OH, OW)
    """

    group = "layers"
    attrs = (Attr("in_channels", "int", low=1), Attr("out_channels", "int", low=1), _KERNEL,
             Attr("stride", "pair", 1, low=1), _PADDING, _DILATION,
             Attr("groups", "choice", 1, choices=(1,)), Attr("bias", "bool", True),
             Attr("padding_mode", "choice", "zeros", choices=("zeros",)))
    doc = "Convolution: each filter slides over the image and takes a weighted sum."
    jacobian_doc = {"input": "sparse with shared weights: backward correlates dout with the flipped kernel", "weight": "each row holds input patches (im2col): ∂L/∂W correlates x with dout", "bias": "ones over each output channel's map"}
    grad_formula = r"\frac{\partial L}{\partial W_{f,c}} = \sum_{i,j} \delta_{f,i,j}\, x_{c,\,si+u,\,sj+v},\quad \frac{\partial L}{\partial x} = \delta \ast \mathrm{flip}(W)"
    formula = r"y_{f,i,j} = b_f + \sum_{c,u,v} W_{f,c,u,v}\, x_{c,\,si+u,\,sj+v}"
    starter_attrs = {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1}
    in_channels: int
    out_channels: int
    bias: bool

    @classmethod
    def summarize(cls, attrs):
        return (f"{attrs.get('in_channels', '?')} → {attrs.get('out_channels', '?')}, "
                + window_text(attrs))

    @classmethod
    def fit_to_input(cls, attrs, shape):
        return {**attrs, "in_channels": shape[1]} if shape and len(shape) == 4 else dict(attrs)

    @property
    def params(self):
        return ("weight", "bias") if self.bias else ("weight",)

    def infer(self, shapes):
        (shape,) = shapes
        oh, ow = self._spatial(shape, self.in_channels)
        return (shape[0], self.out_channels, oh, ow)

    def param_shapes(self):
        shapes: dict[str, tuple[int, ...]] = {
            "weight": (self.out_channels, self.in_channels) + self.k}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def init_params(self, rng, dtype):
        fan_in = self.in_channels * self.k[0] * self.k[1]
        return {name: uniform_fan_in(rng, shape, fan_in, dtype)
                for name, shape in self.param_shapes().items()}

    def forward(self, x, weight, bias=None):
        """x: (N, C, H, W), weight: (F, C, KH, KW), bias: (F,) -> (N, F, OH, OW)."""
        n, f = x.shape[0], weight.shape[0]
        xp, seen = self._taps(x)                  # (N, C, KH, KW, OH, OW), a view
        oh, ow = seen.shape[-2:]
        # im2col with the batch inside the columns, (C*KH*KW, N*OH*OW): one large matmul
        # for the whole batch, which BLAS splits over every core (a stack of N small
        # per-sample products it barely splits)
        cols = np.ascontiguousarray(seen.transpose(1, 2, 3, 0, 4, 5)).reshape(-1, n * oh * ow)
        wmat = weight.reshape(f, -1)              # a row per filter: (F, C*KH*KW)
        out = wmat @ cols                         # (F, N*OH*OW)
        if bias is not None:
            out += bias[:, None]                  # (fusing it into the copy below is slower)
        self.cache = {"x_shape": x.shape, "padded_shape": xp.shape, "cols": cols,
                      "wmat": wmat, "weight": weight}
        return np.ascontiguousarray(out.reshape(f, n, oh, ow).transpose(1, 0, 2, 3))

    def param_rows(self, name, sample, rows):
        """Row (f, i, j) of ∂y/∂W holds the input patch under output pixel (i, j) in the
        block of filter f; of ∂y/∂b, a 1 at f."""
        _, seen = self._taps(sample[0])                 # (1, C, KH, KW, OH, OW), a view
        oh, ow = seen.shape[-2:]
        size = self.in_channels * self.k[0] * self.k[1]
        found = []
        for r in rows:
            f, pixel = divmod(int(r), oh * ow)
            if name == "weight":
                patch = seen[0, ..., pixel // ow, pixel % ow].ravel()
                found.append((f * size + np.arange(size), patch))
            else:
                found.append((np.array([f]), np.ones(1, dtype=sample[0].dtype)))
        return found

    def backward(self, dout):
        """dout: (N, F, OH, OW) -> dx (N, C, H, W), dW (F, C, KH, KW), db (F,)."""
        cols, wmat, weight = self.cache["cols"], self.cache["wmat"], self.cache["weight"]
        n, f, oh, ow = dout.shape
        dmat = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(f, -1)
        grads = {"weight": (dmat @ cols.T).reshape(weight.shape)}   # summed over the batch
        if self.bias:
            grads["bias"] = dmat.sum(axis=1)
        if not self.needs_input_grad[0]:          # an Input's, left to when it is asked for
            return (None,), grads
        dcols = wmat.T @ dmat                     # (C*KH*KW, N*OH*OW)
        dtaps = dcols.reshape((weight.shape[1],) + self.k + (n, oh, ow))
        return (self._fold(dtaps.transpose(3, 0, 1, 2, 4, 5), self.cache["padded_shape"]),), grads


@register
class MaxPool2d(_Pool):
    """out = max over each window; the gradient goes only to the element that won.

    Shapes: input (N, C, H, W) -> (N, C, OH, OW)
    """

    attrs = (_KERNEL, Attr("stride", "pair", None, low=1, optional=True), _PADDING, _DILATION,
             Attr("return_indices", "choice", False, choices=(False,)),
             Attr("ceil_mode", "choice", False, choices=(False,)))
    doc = "Max pooling: keep the largest value of each window."
    jacobian_doc = {"input": "routing matrix: a single 1 per row, at the input that won the max"}
    grad_formula = r"\frac{\partial L}{\partial x_k} = \frac{\partial L}{\partial y}\ \text{if } x_k \text{ won, else } 0"
    formula = r"y_{c,i,j} = \max_{u,v}\; x_{c,\,si+u,\,sj+v}"

    def forward(self, x):
        xp, seen = self._taps(x, fill=-np.inf)          # (N, C, KH, KW, OH, OW), a view
        best, won = self._running_max(seen, nan_aware=False)
        if np.isnan(best).any():          # rare: redo with the NaN rule (each pass slower)
            best, won = self._running_max(seen, nan_aware=True)
        self.cache = {"x_shape": x.shape, "padded_shape": xp.shape, "argmax": won}
        return best

    def _running_max(self, seen, nan_aware):
        """Each window's max and ``won``, the flat kernel offset u*kw + v of its winner.

        Offsets are visited in order and a later one wins only if strictly larger, so ties
        go to the first (as torch); the winner is the last offset that raised the running
        max, i.e. the largest k with ``better``. With ``nan_aware`` a NaN always wins (the
        last NaN of a window, as torch)."""
        kh, kw = self.k
        best = seen[:, :, 0, 0].copy()
        won = np.zeros(best.shape, dtype=np.min_scalar_type(kh * kw - 1))
        step, better = np.empty_like(won), np.empty(best.shape, dtype=bool)
        v = np.empty_like(best)
        for k in range(1, kh * kw):
            # one strided read per tap into a reused buffer: the passes below then read
            # contiguous memory (faster than both a strided read per pass and im2col)
            np.copyto(v, seen[:, :, k // kw, k % kw])
            np.greater(v, best, out=better)
            if nan_aware:
                better |= np.isnan(v)
            np.multiply(better, k, out=step, casting="unsafe")
            np.maximum(won, step, out=won)  # a masked write (won[better] = k) is far slower
            np.maximum(best, v, out=best)
        return best, won

    def backward(self, dout):
        """dout: (N, C, OH, OW) -> dx (N, C, H, W), dout routed to each window's winner."""
        won, (kh, kw) = self.cache["argmax"], self.k
        padded = self.cache["padded_shape"]
        if disjoint(self.k, self.s, self.d):  # windows apart: write each tap's share in place
            dxp = np.zeros(padded, dtype=dout.dtype)
            spots = taps(dxp, self.k, self.s, self.d, dout.shape[2:], writeable=True)
            for k in range(kh * kw):
                np.multiply(won == k, dout, out=spots[:, :, k // kw, k % kw])
            return (unpad2d(dxp, *self.p),), {}
        offsets = np.arange(kh * kw, dtype=won.dtype).reshape(kh, kw, 1, 1)
        dtaps = (won[:, :, None, None] == offsets) * dout[:, :, None, None]
        return (self._fold(dtaps, padded),), {}


@register
class AvgPool2d(_Pool):
    """out = mean over each window (zero padding counted unless count_include_pad=False).

    Shapes: input (N, C, H, W) -> (N, C, OH, OW)
    """

    attrs = (_KERNEL, Attr("stride", "pair", None, low=1, optional=True), _PADDING,
             Attr("ceil_mode", "choice", False, choices=(False,)),
             Attr("count_include_pad", "bool", True),
             Attr("divisor_override", "int", None, low=1, optional=True))
    doc = "Average pooling: the mean of each window."
    jacobian_doc = {"input": "each row spreads 1/(kh·kw) over its window"}
    formula = r"y_{c,i,j} = \frac{1}{k_h k_w}\sum_{u,v} x_{c,\,si+u,\,sj+v}"
    count_include_pad: bool
    divisor_override: int | None

    def _divisor(self, x):
        """Per output pixel divisor, shape broadcastable to (N, C, OH, OW)."""
        if self.divisor_override is not None:
            return self.divisor_override
        if self.count_include_pad or self.p == (0, 0):
            return self.k[0] * self.k[1]
        ones = np.ones((1, 1) + x.shape[2:], dtype=x.dtype)
        return self._taps(ones)[1].sum(axis=(2, 3))

    def forward(self, x):
        xp, seen = self._taps(x)
        divisor = self._divisor(x)
        self.cache = {"padded_shape": xp.shape, "divisor": divisor}
        return seen.sum(axis=(2, 3)) / divisor

    def backward(self, dout):
        n, c, oh, ow = dout.shape
        share = dout / self.cache["divisor"]
        dtaps = np.broadcast_to(share[:, :, None, None], (n, c) + self.k + (oh, ow))
        return (self._fold(dtaps, self.cache["padded_shape"]),), {}
