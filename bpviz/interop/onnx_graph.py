"""An ONNX file read into plain Python: nodes, constants, the input and the output.

``read_model`` checks what bpviz needs of the file (one output, known shapes, no external
data) and turns each NodeProto into an ``ONode`` with its attributes as Python values;
initializers and Constant nodes become numpy arrays in ``consts``. Two rewrites then fold
patterns that torch's exporter writes for one layer back into that layer:
``MatMul(x, W) + b`` into a ``Linear`` node, and the x / (k + α·avg(x²))^β chain of
``LocalResponseNorm`` into an ``LRN`` node.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpviz.core.network.fileformat import MAX_FILE_BYTES

from .errors import ConvertError, require_onnx

FLOAT_TYPES = {1: "float32", 11: "float64"}        # TensorProto.FLOAT, DOUBLE
INT64 = 7


@dataclass
class ONode:
    """One ONNX node; ``attrs`` hold Python values (ints, floats, lists, strings)."""
    op: str
    inputs: list
    outputs: list
    attrs: dict = field(default_factory=dict)
    name: str = ""

    @property
    def where(self) -> str:
        return f"at node '{self.name or self.outputs[0]}'"


@dataclass
class OModel:
    input: str
    input_shape: tuple           # per sample, batch excluded
    dtype: str                   # "float32" | "float64" | "int64"
    output: str
    nodes: list
    consts: dict                 # tensor name -> ndarray
    name: str = ""
    written_by: str = ""         # "bpviz" for a model bpviz wrote: node names are its ids

    def consumers(self, tensor: str) -> list:
        return [n for n in self.nodes if tensor in n.inputs]

    def producer(self, tensor: str):
        return next((n for n in self.nodes if tensor in n.outputs), None)


def read_model(path) -> OModel:
    """Parse and check an ONNX file; ConvertError naming the problem."""
    onnx = require_onnx()
    from google.protobuf.message import DecodeError
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConvertError(f"'{path.name}' is {size:,} bytes, over the limit of "
                               f"{MAX_FILE_BYTES:,}")
        # weights in a .data file beside it (torch writes them so): onnx refuses locations
        # outside the model's folder
        proto = onnx.load_model(str(path), load_external_data=True)
    except OSError as err:
        raise ConvertError(f"cannot read '{path}': {err.strerror or err}") from None
    except (DecodeError, ValueError, RuntimeError, TypeError, IndexError,
            onnx.checker.ValidationError) as err:
        raise ConvertError(f"'{path.name}' is not a readable ONNX model "
                           f"({type(err).__name__})") from None
    try:
        return model_from_proto(proto)
    except ConvertError:
        raise
    except (ValueError, TypeError, KeyError, IndexError) as err:    # a tensor that lies
        raise ConvertError(f"'{path.name}' is damaged ({type(err).__name__}: "
                           f"{str(err)[:80]})") from None


def model_from_proto(proto) -> OModel:
    """The checked, rewritten model of an onnx ModelProto."""
    from onnx import numpy_helper
    graph = proto.graph
    if not graph.node:
        raise ConvertError("the ONNX model has no nodes (is it an ONNX model file?)")
    consts = {}
    for init in graph.initializer:
        if init.data_location == 1:                        # TensorProto.EXTERNAL
            raise ConvertError(f"weight '{init.name}' is stored in a file that was not "
                               f"read; keep it beside the .onnx file")
        consts[init.name] = numpy_helper.to_array(init)
    feeds = [i for i in graph.input if i.name not in consts]
    if len(feeds) != 1:
        raise ConvertError(f"the model has {len(feeds)} inputs "
                           f"({', '.join(repr(i.name) for i in feeds)}); bpviz takes one")
    if len(graph.output) != 1:
        raise ConvertError(f"the model has {len(graph.output)} outputs "
                           f"({', '.join(repr(o.name) for o in graph.output)}); bpviz takes one")
    shape, dtype = _input_type(feeds[0])
    nodes = []
    for proto_node in graph.node:
        node = _onode(proto_node)
        if node.op == "Constant":
            consts[node.outputs[0]] = _constant_value(node, proto_node)
        else:
            nodes.append(node)
    model = OModel(feeds[0].name, shape, dtype, graph.output[0].name, nodes, consts,
                   graph.name, proto.producer_name)
    fold_lrn(model)
    fold_linear(model)
    return model


def _input_type(value_info) -> tuple[tuple, str]:
    tensor = value_info.type.tensor_type
    dtype = FLOAT_TYPES.get(tensor.elem_type, "int64" if tensor.elem_type == INT64 else None)
    if dtype is None:
        raise ConvertError(f"input '{value_info.name}' has element type {tensor.elem_type}; "
                           f"bpviz takes float, double or int64 inputs")
    dims = tensor.shape.dim
    if not dims:
        raise ConvertError(f"input '{value_info.name}' has no shape (a batch dimension "
                           f"first, then fixed sizes)")
    shape = []
    for d in list(dims)[1:]:                          # the first is the batch, any size
        if not d.HasField("dim_value") or d.dim_value < 1:
            raise ConvertError(f"input '{value_info.name}' has a dynamic dimension "
                               f"{d.dim_param or '?'!r} after the batch; export it with "
                               f"fixed sizes")
        shape.append(int(d.dim_value))
    return tuple(shape), dtype


def _onode(proto_node) -> ONode:
    from onnx import helper
    attrs = {}
    for a in proto_node.attribute:
        if a.type in (1, 2, 3):                        # FLOAT, INT, STRING
            value = helper.get_attribute_value(a)
            attrs[a.name] = value.decode("utf-8", "replace") if a.type == 3 else value
        elif a.type in (6, 7):                         # FLOATS, INTS
            attrs[a.name] = list(helper.get_attribute_value(a))
        else:
            attrs[a.name] = a                          # tensors, graphs: the proto itself
    return ONode(proto_node.op_type, list(proto_node.input), list(proto_node.output), attrs,
                 proto_node.name)


def _constant_value(node: ONode, proto_node) -> np.ndarray:
    from onnx import numpy_helper
    value = node.attrs.get("value")
    if value is not None:
        return numpy_helper.to_array(value.t)
    for key in ("value_float", "value_int"):
        if key in node.attrs:
            return np.asarray(node.attrs[key])
    for key in ("value_floats", "value_ints"):
        if key in node.attrs:
            return np.asarray(node.attrs[key])
    raise ConvertError(f"unsupported Constant form {node.where}")


def scalar(model: OModel, tensor: str):
    """The number held by a constant tensor of one element; None for anything else."""
    value = model.consts.get(tensor)
    return float(value.reshape(-1)[0]) if value is not None and value.size == 1 else None


def _only_consumer(model: OModel, tensor: str, op: str):
    users = model.consumers(tensor)
    ok = len(users) == 1 and users[0].op == op and tensor != model.output
    return users[0] if ok else None


def fold_linear(model: OModel) -> None:
    """MatMul(x, W) followed by Add(·, b), W and b constants, becomes ``Linear`` with
    weight Wᵀ (torch's layout) and bias b; a MatMul alone becomes Linear without bias."""
    for node in list(model.nodes):
        if node.op != "MatMul" or node.inputs[1] not in model.consts \
                or node.inputs[0] in model.consts:
            continue
        weight = model.consts[node.inputs[1]]
        if weight.ndim != 2:
            continue
        node.op, node.attrs = "Linear", {"weight": weight.T}
        add = _only_consumer(model, node.outputs[0], "Add")
        if add is None:
            continue
        other = [t for t in add.inputs if t != node.outputs[0]]
        bias = model.consts.get(other[0]) if len(other) == 1 else None
        if bias is not None and bias.shape == (weight.shape[1],):
            node.attrs["bias"] = bias
            node.outputs = list(add.outputs)
            model.nodes.remove(add)


def _chain(model: OModel, tensor: str, ops: tuple) -> list[ONode] | None:
    """The producers of ``tensor`` walking back through first inputs, if their ops are
    ``ops`` in that order and each output feeds only the next; None otherwise."""
    found: list[ONode] = []
    for op in ops:
        node = model.producer(tensor)
        if node is None or node.op != op or (found and len(model.consumers(tensor)) != 1):
            return None
        found.append(node)
        tensor = node.inputs[0]
    return found


def fold_lrn(model: OModel) -> None:
    """torch writes LocalResponseNorm as x / (k + α·avgpool3d(pad(x·x)))^β over reshapes;
    fold that chain into one ``LRN`` node (size from the pool, α, β, k from the
    constants)."""
    for div in [n for n in model.nodes if n.op == "Div"]:
        chain = _chain(model, div.inputs[1], ("Pow", "Add", "Mul"))
        if chain is None:
            continue
        tail = _chain(model, chain[-1].inputs[0], ("Squeeze", "AveragePool", "Pad",
                                                   "Reshape", "Mul"))
        if tail is None or tail[-1].inputs != [div.inputs[0]] * 2:
            continue
        beta, k, alpha = (scalar(model, n.inputs[1]) for n in chain)
        kernel = tail[1].attrs.get("kernel_shape", [])
        if None in (beta, k, alpha) or len(kernel) != 3:
            continue
        for node in chain + tail:
            model.nodes.remove(node)
        div.op, div.inputs = "LRN", [div.inputs[0]]
        div.attrs = {"size": int(kernel[0]), "alpha": alpha, "beta": beta, "bias": k}
