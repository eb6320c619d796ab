"""bpviz Graph -> ONNX model (opset 17): the network that feeds the loss, with its weights.

The loss and its target stay in bpviz (ONNX runtimes run models, not training losses):
the model's output is the loss's first input, or the graph's one end node where it has no
loss. The batch dimension is a symbolic ``N``; each parameter is an initializer named
``<node>.<param>``, the names ``Net.load_params`` of the PyTorch export uses.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import ConvertError, require_onnx

OPSET = 17
SAME_NAME = {"ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp", "Log": "Log",
             "Add": "Add", "Mul": "Mul", "MatMul": "MatMul"}


def model_output(graph) -> str:
    """The node whose value the ONNX model returns: what the losses score, or the one end
    node of a graph without a loss."""
    scored = list(dict.fromkeys(graph.nodes[nid].inputs[0] for nid in graph.order
                                if graph.op(nid).group == "losses"))
    if len(scored) > 1:
        raise ConvertError(f"the losses score {len(scored)} different nodes "
                           f"({', '.join(scored)}); ONNX export takes one output")
    if scored:
        return scored[0]
    fed = {src for node in graph.nodes.values() for src in node.inputs}
    ends = [nid for nid in graph.order if nid not in fed]
    if len(ends) != 1:
        raise ConvertError(f"the graph has {len(ends)} end nodes ({', '.join(ends)}) and no "
                           f"loss; ONNX export takes one output")
    return ends[0]


def _needed(graph, out: str) -> list[str]:
    """``out`` and everything it depends on, in the graph's order."""
    keep, todo = set(), [out]
    while todo:
        nid = todo.pop()
        if nid not in keep:
            keep.add(nid)
            todo.extend(graph.nodes[nid].inputs)
    return [nid for nid in graph.order if nid in keep]


def to_onnx(graph):
    """The graph's network as an onnx ModelProto (checked by onnx.checker)."""
    onnx = require_onnx()
    from onnx import TensorProto, helper
    graph.check()
    out = model_output(graph)
    order = _needed(graph, out)
    elem = TensorProto.DOUBLE if graph.float_dtype() == np.float64 else TensorProto.FLOAT
    writer = _Writer(graph)
    inputs = []
    for nid in order:
        node = graph.nodes[nid]
        if node.op == "Input":
            kind = TensorProto.INT64 if node.attrs.get("dtype") == "int64" else elem
            inputs.append(helper.make_tensor_value_info(nid, kind, ["N", *graph.shape(nid)[1:]]))
        else:
            writer.write(nid)
    outputs = [helper.make_tensor_value_info(out, elem, ["N", *graph.shape(out)[1:]])]
    body = helper.make_graph(writer.nodes, graph.name or "bpviz", inputs, outputs,
                             writer.initializers)
    model = helper.make_model(body, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="bpviz")
    onnx.checker.check_model(model)
    return model


def save_onnx(graph, path) -> None:
    """Write ``to_onnx(graph)``; OSError becomes a ConvertError naming the file."""
    write_bytes_atomic(path, to_onnx(graph).SerializeToString())


def write_bytes_atomic(path, data: bytes) -> None:
    """Write through a temp file in the same folder and a rename: a full disk or a crash
    leaves no half-written model (and no temp file) behind."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise ConvertError(f"cannot write '{path}': {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as err:
        os.unlink(tmp)
        raise ConvertError(f"cannot write '{path}': {err.strerror or err}") from None


class _Writer:
    """ONNX nodes and initializers for bpviz nodes; each node's output tensor is its id."""

    def __init__(self, graph):
        self.graph = graph
        self.nodes: list = []
        self.initializers: list = []

    def const(self, name: str, value) -> str:
        from onnx import numpy_helper
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list, output: str, **attrs) -> None:
        from onnx import helper
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))

    def write(self, nid: str) -> None:
        node = self.graph.nodes[nid]
        if node.op in SAME_NAME:
            self.node(SAME_NAME[node.op], node.inputs, nid)
            return
        handler = getattr(self, f"_{node.op.lower()}", None)
        if handler is None:
            raise ConvertError(f"node '{nid}' ({node.op}) has no ONNX form in bpviz's export")
        handler(nid, node.inputs, self.graph.op(nid))

    def _params(self, nid: str, names) -> list:
        return [self.const(f"{nid}.{p}", self.param(nid, p)) for p in names
                if p in self.graph.param_names(nid)]

    def param(self, nid: str, name: str) -> np.ndarray:
        """A parameter in the model's float type (one type for every tensor of a node)."""
        return np.asarray(self.graph.param(nid, name), dtype=self.graph.float_dtype())

    def _linear(self, nid, inputs, op) -> None:
        if len(self.graph.shape(inputs[0])) == 2:
            self.node("Gemm", inputs + self._params(nid, ("weight", "bias")), nid, transB=1)
            return
        weight_t = self.const(f"{nid}.weight_t", self.param(nid, "weight").T)
        if not op.bias:
            self.node("MatMul", [inputs[0], weight_t], nid)
            return
        self.node("MatMul", [inputs[0], weight_t], f"{nid}.matmul")
        self.node("Add", [f"{nid}.matmul"] + self._params(nid, ("bias",)), nid)

    def _conv2d(self, nid, inputs, op) -> None:
        self.node("Conv", inputs + self._params(nid, ("weight", "bias")), nid,
                  kernel_shape=list(op.k), strides=list(op.s), pads=list(op.p) * 2,
                  dilations=list(op.d), group=1)

    def _maxpool2d(self, nid, inputs, op) -> None:
        self.node("MaxPool", inputs, nid, kernel_shape=list(op.k), strides=list(op.s),
                  pads=list(op.p) * 2, dilations=list(op.d))

    def _avgpool2d(self, nid, inputs, op) -> None:
        if op.divisor_override is not None:
            raise ConvertError(f"node '{nid}' (AvgPool2d): divisor_override has no ONNX form")
        self.node("AveragePool", inputs, nid, kernel_shape=list(op.k), strides=list(op.s),
                  pads=list(op.p) * 2, count_include_pad=int(op.count_include_pad))

    def _leakyrelu(self, nid, inputs, op) -> None:
        self.node("LeakyRelu", inputs, nid, alpha=float(op.negative_slope))

    def _softmax(self, nid, inputs, op, name="Softmax") -> None:
        self.node(name, inputs, nid, axis=op.axis(len(self.graph.shape(inputs[0]))))

    def _logsoftmax(self, nid, inputs, op) -> None:
        self._softmax(nid, inputs, op, "LogSoftmax")

    def _flatten(self, nid, inputs, op) -> None:
        shape = self.graph.shape(nid)
        if len(shape) == 2:
            self.node("Flatten", inputs, nid, axis=1)
        else:                                   # 0 keeps the batch size, whatever it is
            target = self.const(f"{nid}.shape", np.array([0, *shape[1:]], dtype=np.int64))
            self.node("Reshape", inputs + [target], nid)

    def _dropout(self, nid, inputs, op) -> None:
        ratio = self.const(f"{nid}.ratio", np.array(op.p, dtype=self.graph.float_dtype()))
        self.node("Dropout", inputs + [ratio], nid)

    def _localresponsenorm(self, nid, inputs, op) -> None:
        if op.size % 2 == 0:
            raise ConvertError(f"node '{nid}' (LocalResponseNorm): ONNX pads an even size "
                               f"{op.size} differently from torch; use an odd size")
        self.node("LRN", inputs, nid, size=int(op.size), alpha=float(op.alpha),
                  beta=float(op.beta), bias=float(op.k))

    def _sum(self, nid, inputs, op, name="ReduceSum") -> None:
        ndim = len(self.graph.shape(inputs[0]))
        dims = range(ndim) if op.dim is None else [op.dim] if isinstance(op.dim, int) \
            else op.dim
        axes = [int(d) % ndim for d in dims]
        if name == "ReduceSum":                 # opset 13+: axes are an input
            self.node(name, inputs + [self.const(f"{nid}.axes", np.array(axes, np.int64))],
                      nid, keepdims=int(op.keepdim))
        else:
            self.node(name, inputs, nid, axes=axes, keepdims=int(op.keepdim))

    def _mean(self, nid, inputs, op) -> None:
        self._sum(nid, inputs, op, "ReduceMean")
