"""Export a graph as runnable PyTorch source: an ``nn.Module`` with the same parameters.

Every op mirrors its torch twin by name and arguments, so most nodes become
``nn.<Op>(**attrs)``; an op that names a ``torch_function`` (Add: ``torch.add``) becomes a
call of it, and an op torch lacks (the binary HingeLoss) brings that function's source
along (``torch_source``). The op's ``torch_kwargs`` give the arguments: export itself knows
no op.
Parameters go to a ``.npz`` file beside the source (plain arrays, loaded without pickle).
Node ids become Python identifiers through a strict whitelist, so nothing from a graph file
can inject code into the exported source.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GraphError
from ..ops import REGISTRY
from .fileformat import write_atomic

# names the exported source defines itself, helper functions of the ops included
RESERVED = {"self", "torch", "nn", "np", "load_params", "build", "Net", "return_all",
            "values", "arrays", "path", "as_input", "DTYPE", "dtype", "input_dtype"} | {
    op.torch_function for op in REGISTRY.values() if op.torch_function.isidentifier()}


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


def _torch_kwargs(graph, nid: str) -> dict:
    return graph.op(nid).torch_kwargs([graph.shape(i) for i in graph.nodes[nid].inputs])


def _module_expr(graph, nid: str) -> str | None:
    """``nn.X(...)`` for an op with an nn twin; None for a function."""
    if graph.op(nid).torch_function:
        return None
    return f"nn.{graph.nodes[nid].op}({_kwargs(_torch_kwargs(graph, nid))})"


def _call_expr(graph, nid: str, names: dict) -> str:
    args = [names[i] for i in graph.nodes[nid].inputs]
    function = graph.op(nid).torch_function
    if not function:
        return f"self.{names[nid]}({', '.join(args)})"
    kwargs = _torch_kwargs(graph, nid)
    return f"{function}({', '.join(args + ([_kwargs(kwargs)] if kwargs else []))})"


# Inputs are cast to the module's float type: torch refuses float64 data in a float32
# module ("mat1 and mat2 must have the same dtype"); integer class indices stay as they are.
AS_INPUT = [
    "def as_input(value, dtype):",
    '    """A tensor of the module\'s float type (from numpy arrays too); integers stay."""',
    "    value = torch.as_tensor(value)",
    "    return value.to(dtype) if value.is_floating_point() else value"]


def to_pytorch_source(graph, class_name: str = "Net") -> str:
    """Python source of an ``nn.Module`` computing the same values as ``graph``."""
    order = graph.order
    names = identifiers(graph.nodes)
    fed = graph.inputs()
    inputs = [names[i] for i in fed]
    try:
        result = names[graph.loss_node()]
    except GraphError:
        result = "values"
    title = repr(graph.name or "untitled")
    dtype = "float64" if graph.float_dtype() == np.float64 else "float32"
    lines = [f'"""PyTorch module exported by bpviz from the graph {title}."""',
             "import numpy as np", "import torch", "from torch import nn", "",
             f"DTYPE = torch.{dtype}", "", "", *AS_INPUT, ""]
    for source in dict.fromkeys(graph.op(n).torch_source for n in order):
        if source:                       # each helper function once, in order of use
            lines += source.strip("\n").splitlines() + [""]
    lines += ["", f"class {class_name}(nn.Module):", "    def __init__(self):",
              "        super().__init__()"]
    for nid in order:
        expr = None if nid in fed else _module_expr(graph, nid)
        if expr:
            lines.append(f"        self.{names[nid]} = {expr}")
    lines += ["", "    def input_dtype(self):",
              '        """Its parameters\' float type (the graph\'s, unless .float() or .double())."""',
              "        param = next(self.parameters(), None)",
              "        return DTYPE if param is None else param.dtype",
              "", f"    def forward(self, {', '.join(inputs)}, return_all=False):",
              "        dtype = self.input_dtype()"]
    lines += [f"        {name} = as_input({name}, dtype)" for name in inputs]
    lines += ["        values = {}"]
    for nid in order:
        if nid not in fed:
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
        arrays: dict[str, Any] = param_arrays(graph)    # (savez's typing takes them for flags)
        np.savez(params, **arrays)
    except OSError as err:
        raise GraphError(f"cannot export to '{path}': {err.strerror or err}") from None
    return path, params
