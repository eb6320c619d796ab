"""Export a graph as runnable PyTorch source: an ``nn.Module`` with the same parameters.

Every op mirrors its torch twin by name and arguments, so most nodes become
``nn.<Op>(**attrs)``; the tensor functions (Add, Mul, ...) become ``torch.<fn>`` calls and
the binary HingeLoss, which torch lacks, a small function written out in the source.
Parameters go to a ``.npz`` file beside the source (plain arrays, loaded without pickle).
Node ids become Python identifiers through a strict whitelist, so nothing from a graph file
can inject code into the exported source.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

import numpy as np

from .errors import GraphError
from .fileformat import write_atomic

FUNCTIONS = {"Add": "torch.add", "Mul": "torch.mul", "MatMul": "torch.matmul",
             "Exp": "torch.exp", "Log": "torch.log", "Sum": "torch.sum", "Mean": "torch.mean"}
RESERVED = {"self", "torch", "nn", "np", "hinge_loss", "load_params", "build", "Net",
            "return_all", "values", "arrays", "path"}

HINGE_SOURCE = '''
def hinge_loss(input, target, reduction="mean"):
    """Binary hinge loss max(0, 1 - t*y), t in {-1, +1} (bpviz's HingeLoss)."""
    loss = torch.clamp(1 - target * input, min=0)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss
'''


def identifiers(ids) -> dict[str, str]:
    """A unique, safe Python identifier for each node id."""
    names, used = {}, set()
    for nid in ids:
        base = re.sub(r"[^A-Za-z0-9_]", "_", nid) or "node"
        if base[0].isdigit() or keyword.iskeyword(base) or base in RESERVED:
            base = "n_" + base
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        names[nid] = name
    return names


def _kwargs(values: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in values.items())


def _module_expr(graph, nid: str) -> str | None:
    """``nn.X(...)`` for ops with an nn twin; None for functions and inputs."""
    node, op = graph.nodes[nid], graph.op(nid)
    if node.op == "Input" or node.op in FUNCTIONS or node.op == "HingeLoss":
        return None
    attrs = op.attr_values()
    if node.op in ("Softmax", "LogSoftmax"):
        attrs["dim"] = op.axis(len(graph.shape(node.inputs[0])))
    return f"nn.{node.op}({_kwargs(attrs)})"


def _call_expr(graph, nid: str, names: dict) -> str:
    node, op = graph.nodes[nid], graph.op(nid)
    args = ", ".join(names[i] for i in node.inputs)
    if node.op == "HingeLoss":
        return f"hinge_loss({args}, reduction={op.reduction!r})"
    if node.op in ("Sum", "Mean") and op.dim is not None:
        dim = tuple(op.dim) if isinstance(op.dim, list) else op.dim
        return f"{FUNCTIONS[node.op]}({args}, dim={dim!r}, keepdim={op.keepdim!r})"
    if node.op in FUNCTIONS:
        return f"{FUNCTIONS[node.op]}({args})"
    return f"self.{names[nid]}({args})"


def to_pytorch_source(graph, class_name: str = "Net") -> str:
    """Python source of an ``nn.Module`` computing the same values as ``graph``."""
    order = graph.order
    names = identifiers(graph.nodes)
    inputs = [names[i] for i in graph.inputs()]
    try:
        result = names[graph.loss_node()]
    except GraphError:
        result = "values"
    title = repr(graph.name or "untitled")
    lines = [f'"""PyTorch module exported by bpviz from the graph {title}."""',
             "import numpy as np", "import torch", "from torch import nn", ""]
    if any(graph.nodes[n].op == "HingeLoss" for n in order):
        lines += HINGE_SOURCE.strip("\n").splitlines() + [""]
    lines += ["", f"class {class_name}(nn.Module):", "    def __init__(self):",
              "        super().__init__()"]
    for nid in order:
        expr = _module_expr(graph, nid)
        if expr:
            lines.append(f"        self.{names[nid]} = {expr}")
    lines += ["", f"    def forward(self, {', '.join(inputs)}, return_all=False):",
              "        values = {}"]
    for nid in order:
        if graph.nodes[nid].op != "Input":
            lines.append(f"        {names[nid]} = {_call_expr(graph, nid, names)}")
        lines.append(f"        values[{nid!r}] = {names[nid]}")
    lines += [f"        return values if return_all else {result}", "",
              "    def load_params(self, arrays):",
              '        """Copy arrays {"node.param": ndarray} (bpviz names) into the module."""',
              "        with torch.no_grad():",
              "            for key, value in arrays.items():",
              "                node, param = key.rsplit('.', 1)",
              "                target = getattr(self, MODULES[node]).get_parameter(param)",
              "                target.copy_(torch.from_numpy(np.asarray(value)))",
              "", "",
              f"MODULES = {{{', '.join(f'{k!r}: {v!r}' for k, v in names.items())}}}", "", "",
              "def build(path=None):",
              '    """The module, with the parameters of the .npz file at ``path`` if given."""',
              f"    net = {class_name}().double()" if graph.float_dtype() == np.float64
              else f"    net = {class_name}()",
              "    if path is not None:",
              "        with np.load(path, allow_pickle=False) as arrays:",
              "            net.load_params(dict(arrays))",
              "    return net", ""]
    return "\n".join(lines)


def param_arrays(graph) -> dict[str, np.ndarray]:
    """Every parameter as {"node.param": array}, the keys ``load_params`` takes."""
    return {f"{nid}.{p}": graph.param(nid, p) for nid in graph.order for p in graph.param_names(nid)}


def export_pytorch(graph, path) -> tuple[Path, Path]:
    """Write ``path`` (the module source) and ``<stem>.npz`` (its parameters) beside it."""
    path = Path(path)
    params = path.with_suffix(".npz")
    try:
        write_atomic(path, to_pytorch_source(graph))
        np.savez(params, **param_arrays(graph))
    except OSError as err:
        raise GraphError(f"cannot export to '{path}': {err.strerror or err}") from None
    return path, params
