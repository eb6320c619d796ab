"""ONNX model -> bpviz Graph: one bpviz node per ONNX layer, the weights as parameters.

The contract: the ONNX input's name becomes the Input node's id; every weight comes along
(torch's layout, as bpviz stores it); with ``loss`` an Input ``target`` (class indices for
the classifying losses, floats of the output's shape for the others) and a node ``loss``
over the model's single output are added. Anything bpviz cannot express is refused with
one line naming the op and the node.
"""
from __future__ import annotations

import numpy as np

from bpviz.core.errors import GraphError
from bpviz.core.network.graph import Graph, Node
from bpviz.core.ops import REGISTRY

from .errors import ConvertError
from .onnx_graph import OModel, ONode, read_model

ACTIVATIONS = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp",
               "Log": "Log"}
BINARY = {"Add": "Add", "Mul": "Mul", "MatMul": "MatMul"}
PASS_THROUGH = {"Identity"}
SHORT_IDS = {"Conv2d": "conv", "Linear": "fc", "LocalResponseNorm": "lrn",
             "MaxPool2d": "maxpool", "AvgPool2d": "avgpool", "LeakyReLU": "lrelu"}


def losses() -> list[str]:
    """Names of the loss ops ``--loss`` accepts."""
    return [name for name, op in REGISTRY.items() if op.group == "losses"]


def load_onnx(path, loss: str | None = None) -> Graph:
    """The ONNX model at ``path`` as a checked Graph (see the module's contract)."""
    check_loss(loss)
    return graph_from_model(read_model(path), loss)


def check_loss(loss: str | None) -> None:
    if loss is not None and loss not in losses():
        raise ConvertError(f"unknown loss {loss!r}; choose one of {', '.join(losses())}")


def graph_from_model(model: OModel, loss: str | None = None) -> Graph:
    check_loss(loss)
    builder = _Builder(model)
    for node in model.nodes:
        builder.add(node)
    graph = builder.graph
    out = builder.source(model.output, f"at the model's output {model.output!r}")
    if loss is not None:
        _attach_loss(graph, out, loss)
    graph.check()
    for nid, params in builder.params.items():
        for name, value in params.items():
            graph.set_param(nid, name, np.asarray(value, dtype=graph.float_dtype()))
    return graph


def _attach_loss(graph: Graph, out: str, loss: str) -> None:
    shape = graph.shape(out)
    if REGISTRY[loss].classifies == "multiclass":
        target = {"shape": [], "dtype": "int64"}
    else:
        target = {"shape": list(shape[1:]), "dtype": str(graph.float_dtype())}
    for nid in ("target", "loss"):
        if nid in graph.nodes:
            raise ConvertError(f"the model already has a node named {nid!r}; rename it to "
                               f"attach a loss")
    graph.add_node(Node("target", "Input", target, []))
    graph.add_node(Node("loss", loss, {}, [out, "target"]))


def _number(value) -> float:
    """An attribute ONNX stores as float32, written as the shortest decimal that gives
    that float32 (0.1, not 0.10000000149), as the torch model that wrote it said."""
    return float(str(np.float32(value)))


def _pairs(node: ONode, key: str, default: int) -> list:
    value = node.attrs.get(key, [default, default])
    if len(value) != 2:
        raise ConvertError(f"{node.op} with {len(value)}-D '{key}' {node.where}; bpviz "
                           f"takes 2-D images")
    return [int(v) for v in value]


def _padding(node: ONode) -> list:
    if node.attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise ConvertError(f"{node.op} with auto_pad {node.attrs['auto_pad']} {node.where}; "
                           f"export it with explicit pads")
    pads = [int(v) for v in node.attrs.get("pads", [0, 0, 0, 0])]
    if len(pads) != 4 or pads[:2] != pads[2:]:
        raise ConvertError(f"{node.op} with uneven pads {pads} {node.where}; bpviz pads "
                           f"both sides alike")
    return pads[:2]


class _Builder:
    """Adds bpviz nodes for ONNX nodes in order; ``names`` maps ONNX tensors to node ids."""

    def __init__(self, model: OModel):
        self.model = model
        self.graph = Graph(model.name or "ONNX model")
        self.graph.add_node(Node(model.input, "Input",
                                 {"shape": list(model.input_shape), "dtype": model.dtype}, []))
        self.names = {model.input: model.input}
        self.params: dict[str, dict] = {}
        self.counts: dict[str, int] = {}

    def source(self, tensor: str, where: str) -> str:
        if tensor not in self.names:
            what = "a constant" if tensor in self.model.consts else "a tensor bpviz lacks"
            raise ConvertError(f"input {tensor!r} {where} is {what}; bpviz ops take values "
                               f"computed from the model's input")
        return self.names[tensor]

    def emit(self, node: ONode, op: str, attrs: dict, inputs: list, params=None) -> None:
        self.counts[op] = self.counts.get(op, 0) + 1
        nid = f"{SHORT_IDS.get(op, op.lower())}{self.counts[op]}"
        if self.model.written_by == "bpviz" and node.name:
            nid = node.name                   # the ids of the graph that was exported
        while nid in self.graph.nodes:
            nid += "_"
        self.graph.add_node(Node(nid, op, attrs,
                                 [self.source(t, node.where) for t in inputs]))
        if params:
            self.params[nid] = params
        self.names[node.outputs[0]] = nid

    def add(self, node: ONode) -> None:
        if len([t for t in node.outputs[1:] if t]) and node.op != "Dropout":
            raise ConvertError(f"{node.op} with {len(node.outputs)} outputs {node.where}")
        if node.op in PASS_THROUGH:
            self.names[node.outputs[0]] = self.source(node.inputs[0], node.where)
        elif node.op in ACTIVATIONS:
            self.emit(node, ACTIVATIONS[node.op], {}, node.inputs[:1])
        elif node.op in BINARY:
            self.emit(node, BINARY[node.op], {}, node.inputs[:2])
        else:
            handler = getattr(self, f"_{node.op.lower()}", None)
            if handler is None:
                raise ConvertError(f"unsupported ONNX op {node.op} {node.where}")
            try:
                handler(node)
            except GraphError:
                raise
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
                raise ConvertError(f"malformed {node.op} {node.where} ({type(err).__name__}: "
                                   f"{str(err)[:80]})") from None

    def _linear(self, node: ONode) -> None:
        weight, bias = node.attrs["weight"], node.attrs.get("bias")
        params = {"weight": weight} | ({} if bias is None else {"bias": bias})
        self.emit(node, "Linear", {"in_features": weight.shape[1],
                                   "out_features": weight.shape[0], "bias": bias is not None},
                  node.inputs[:1], params)

    def _gemm(self, node: ONode) -> None:
        a = node.attrs
        weight = self.model.consts.get(node.inputs[1])
        if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 \
                or weight is None:
            raise ConvertError(f"Gemm other than x·Wᵀ + b (transA, alpha, beta or a computed "
                               f"weight) {node.where}")
        weight = weight if a.get("transB", 0) else weight.T
        bias = self.model.consts.get(node.inputs[2]) if len(node.inputs) > 2 else None
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ConvertError(f"Gemm with a bias of shape {bias.shape} {node.where}; bpviz "
                               f"takes one bias per output")
        self._linear(ONode("Linear", node.inputs[:1], node.outputs,
                           {"weight": weight} | ({} if bias is None else {"bias": bias}),
                           node.name))

    def _conv(self, node: ONode) -> None:
        weight = self.model.consts.get(node.inputs[1])
        if weight is None or weight.ndim != 4:
            raise ConvertError(f"Conv whose weight is not a 4-D constant {node.where}")
        if node.attrs.get("group", 1) != 1:
            raise ConvertError(f"Conv with group {node.attrs['group']} {node.where}; bpviz "
                               f"convolves with group 1")
        bias = self.model.consts.get(node.inputs[2]) if len(node.inputs) > 2 else None
        attrs = {"in_channels": int(weight.shape[1]), "out_channels": int(weight.shape[0]),
                 "kernel_size": list(weight.shape[2:]), "stride": _pairs(node, "strides", 1),
                 "padding": _padding(node), "dilation": _pairs(node, "dilations", 1),
                 "bias": bias is not None}
        self.emit(node, "Conv2d", attrs, node.inputs[:1],
                  {"weight": weight} | ({} if bias is None else {"bias": bias}))

    def _pool_attrs(self, node: ONode) -> dict:
        if node.attrs.get("ceil_mode", 0):
            raise ConvertError(f"{node.op} with ceil_mode {node.where}; bpviz rounds down")
        kernel = _pairs(node, "kernel_shape", 1)
        return {"kernel_size": kernel, "stride": _pairs(node, "strides", 1),
                "padding": _padding(node)}

    def _maxpool(self, node: ONode) -> None:
        if node.attrs.get("storage_order", 0):
            raise ConvertError(f"MaxPool with column-major indices {node.where}")
        attrs = self._pool_attrs(node) | {"dilation": _pairs(node, "dilations", 1)}
        self.emit(node, "MaxPool2d", attrs, node.inputs[:1])

    def _averagepool(self, node: ONode) -> None:
        attrs = self._pool_attrs(node) | {
            "count_include_pad": bool(node.attrs.get("count_include_pad", 0))}
        self.emit(node, "AvgPool2d", attrs, node.inputs[:1])

    def _leakyrelu(self, node: ONode) -> None:
        self.emit(node, "LeakyReLU", {"negative_slope": _number(node.attrs.get("alpha", 0.01))},
                  node.inputs[:1])

    def _softmax(self, node: ONode, op: str = "Softmax") -> None:
        self.emit(node, op, {"dim": int(node.attrs.get("axis", -1))}, node.inputs[:1])

    def _logsoftmax(self, node: ONode) -> None:
        self._softmax(node, "LogSoftmax")

    def _flatten(self, node: ONode) -> None:
        if node.attrs.get("axis", 1) != 1:
            raise ConvertError(f"Flatten at axis {node.attrs['axis']} {node.where}; bpviz "
                               f"keeps the batch axis apart (axis 1)")
        self.emit(node, "Flatten", {}, node.inputs[:1])

    def _reshape(self, node: ONode) -> None:
        target = self.model.consts.get(node.inputs[1])
        if target is None:
            raise ConvertError(f"Reshape to a computed shape {node.where}: a dynamic shape "
                               f"that cannot be fixed; export with a fixed batch size")
        shape = self.graph.shape(self.source(node.inputs[0], node.where))
        per_sample = int(np.prod(shape[1:]))
        if len(target) != 2 or target[1] not in (-1, per_sample):
            raise ConvertError(f"Reshape to {list(map(int, target))} {node.where}; bpviz "
                               f"reshapes only to 2-D (batch, features)")
        self.emit(node, "Flatten", {}, node.inputs[:1])

    def _dropout(self, node: ONode) -> None:
        ratio = self.model.consts.get(node.inputs[1]) if len(node.inputs) > 1 \
            and node.inputs[1] else node.attrs.get("ratio", 0.5)
        if ratio is None:
            raise ConvertError(f"Dropout with a computed ratio {node.where}")
        self.emit(node, "Dropout", {"p": _number(np.asarray(ratio).reshape(-1)[0])},
                  node.inputs[:1])

    def _lrn(self, node: ONode) -> None:
        a = node.attrs
        size = int(a["size"])
        if size % 2 == 0:
            raise ConvertError(f"LRN of even size {size} {node.where}; ONNX and torch pad "
                               f"even windows differently, bpviz takes odd sizes")
        self.emit(node, "LocalResponseNorm",
                  {"size": size, "alpha": _number(a.get("alpha", 1e-4)),
                   "beta": _number(a.get("beta", 0.75)), "k": _number(a.get("bias", 1.0))},
                  node.inputs[:1])
