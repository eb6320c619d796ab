"""Attributes: what torch refuses, bpviz refuses with a GraphError naming the node and the
attribute (an exported module must not crash); numbers of any size are a clear error, never
an OverflowError."""
import math

import numpy as np
import pytest
import torch

from bpviz.core import Graph, GraphError
from bpviz.core.errors import OpError
from bpviz.core.ops import REGISTRY

IMAGE = (1, 2, 6, 6)      # (N, C, H, W) for the layers that take images
SCORES = (3, 4)           # (N, classes) for the losses


def case(op, attrs, image=False, target=None):
    """(op, attrs, torch inputs, bpviz input shapes, target dtype) for one attribute case."""
    return op, attrs, image, target


def _inputs(image, target):
    """torch tensors fed to the module, and the matching bpviz Input nodes."""
    x = torch.randn(*(IMAGE if image else SCORES), dtype=torch.float64)
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": list(x.shape[1:])}, "inputs": []}]
    if target is None:
        return [x], nodes
    if target == "class":
        t = torch.tensor([0, 1, 2])
        nodes.append({"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"},
                      "inputs": []})
    else:
        t = torch.randn(*SCORES, dtype=torch.float64)
        nodes.append({"id": "t", "op": "Input", "attrs": {"shape": [SCORES[1]]}, "inputs": []})
    return [x, t], nodes


REQUIRED = {"Conv2d": {"in_channels": 2, "out_channels": 3, "kernel_size": 3},
            "MaxPool2d": {"kernel_size": 2}, "AvgPool2d": {"kernel_size": 2},
            "LocalResponseNorm": {"size": 2}, "Linear": {"in_features": 4, "out_features": 2}}

REFUSED_BY_TORCH = [
    case("HuberLoss", {"delta": 0.0}, target="float"),
    case("HuberLoss", {"delta": -1.0}, target="float"),
    case("SmoothL1Loss", {"beta": -0.5}, target="float"),
    case("Dropout", {"p": -0.1}),
    case("Dropout", {"p": 1.5}),
    case("CrossEntropyLoss", {"label_smoothing": 1.5}, target="class"),
    case("CrossEntropyLoss", {"ignore_index": 2**63}, target="class"),
    case("NLLLoss", {"ignore_index": -2**63 - 1}, target="class"),
    case("LocalResponseNorm", {"size": 0}, image=True),
    case("Conv2d", {"kernel_size": 0}, image=True),
    case("Conv2d", {"stride": 0}, image=True),
    case("Conv2d", {"padding": -1}, image=True),
    case("Conv2d", {"dilation": 0}, image=True),
    case("Conv2d", {"out_channels": 2**63}, image=True),
    case("MaxPool2d", {"kernel_size": 2, "padding": 2}, image=True),
    case("AvgPool2d", {"kernel_size": 2, "divisor_override": 0}, image=True),
    case("Linear", {"in_features": 2**63}),
    case("Softmax", {"dim": 5}),
    case("Flatten", {"start_dim": 2**64}),
]

# bpviz is stricter than torch 2.14 where a value means nothing: label_smoothing < 0,
# LocalResponseNorm alpha or beta < 0, divisor_override < 0, zero in/out features.
ACCEPTED_BY_BOTH = [
    case("HuberLoss", {"delta": 1e-6}, target="float"),
    case("SmoothL1Loss", {"beta": 0.0}, target="float"),
    case("Dropout", {"p": 1.0}),
    case("CrossEntropyLoss", {"label_smoothing": 1.0}, target="class"),
    case("CrossEntropyLoss", {"ignore_index": 2**63 - 1}, target="class"),
    case("MultiMarginLoss", {"margin": -1.0}, target="class"),
    case("LeakyReLU", {"negative_slope": -2.0}),
]


def _torch_runs(op, attrs, inputs) -> bool:
    module = getattr(torch.nn, op)(**{**REQUIRED.get(op, {}), **attrs}).double().train()
    module(*inputs)
    return True


def _bpviz_graph(op, attrs, nodes) -> dict:
    node = {"id": "y", "op": op, "attrs": {**REQUIRED.get(op, {}), **attrs},
            "inputs": [n["id"] for n in nodes]}
    return {"format": "bpviz.graph", "version": 1, "nodes": nodes + [node]}


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")   # torch, kernel 0
@pytest.mark.parametrize("op,attrs,image,target", REFUSED_BY_TORCH,
                         ids=[f"{c[0]}-{c[1]}" for c in REFUSED_BY_TORCH])
def test_what_torch_refuses_is_a_graph_error_naming_node_and_attribute(op, attrs, image,
                                                                       target):
    inputs, nodes = _inputs(image, target)
    with pytest.raises(Exception):                   # noqa: B017  (torch's types vary)
        _torch_runs(op, attrs, inputs)
    with pytest.raises(GraphError) as info:
        Graph.from_dict(_bpviz_graph(op, attrs, nodes))
    assert info.value.node == "y"
    assert list(attrs)[-1] in str(info.value)             # the last one is at fault


@pytest.mark.parametrize("op,attrs,image,target", ACCEPTED_BY_BOTH,
                         ids=[f"{c[0]}-{c[1]}" for c in ACCEPTED_BY_BOTH])
def test_limits_are_not_stricter_than_torch_at_the_edge(op, attrs, image, target):
    inputs, nodes = _inputs(image, target)
    assert _torch_runs(op, attrs, inputs)
    g = Graph.from_dict(_bpviz_graph(op, attrs, nodes))
    assert g.analyze().problems == []


NUMBERS = [10**20, -10**20, 2**63, 10**400, -10**400, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("op", sorted(REGISTRY))
def test_any_number_in_any_attribute_is_an_op_error_not_an_overflow(op):
    """The property editor builds ``cls(**attrs)`` and catches OpError: a 20-digit number
    typed into a field must land there, never raise OverflowError into Qt."""
    cls = REGISTRY[op]
    required = {a.name: 1 if a.kind != "shape" else [1] for a in cls.attrs if a.required}
    refused = 0
    for spec in cls.attrs:
        for value in NUMBERS + [[v, 1] for v in NUMBERS] + [[v] for v in NUMBERS]:
            try:
                cls(**{**required, spec.name: value})
            except OpError:
                refused += 1
    assert refused >= 3 * len(NUMBERS) * len(cls.attrs) // 2


def test_integers_beyond_64_bits_are_refused_with_a_reason():
    with pytest.raises(OpError, match="'in_features' must be an integer that fits in 64 bits"):
        REGISTRY["Linear"](in_features=10**20, out_features=2)
    with pytest.raises(OpError, match=r"'shape' must be an integer that fits in 64 bits.*got "
                                      r"\[10000.*, 3\]"):
        REGISTRY["Input"](shape=[10**400, 3])
    with pytest.raises(OpError, match="'kernel_size' must be an integer that fits in 64 bits"):
        REGISTRY["MaxPool2d"](kernel_size=[2, 10**20])
    with pytest.raises(OpError, match="'delta' must be a number > 0"):
        REGISTRY["HuberLoss"](delta=10**400)          # no float can hold it


def test_messages_show_huge_values_shortened():
    with pytest.raises(OpError) as info:
        REGISTRY["Linear"](in_features=10**400, out_features=2)
    assert len(str(info.value)) < 200 and "..." in str(info.value)


def test_every_problem_of_every_attribute_is_listed():
    problems = REGISTRY["Linear"].attr_problems({"in_features": -4, "out_features": 0,
                                                 "bias": 1, "units": 3})
    assert [p.split("'")[1] for p in problems] == ["units", "in_features", "out_features",
                                                    "bias"]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("op,smoothing", [("CrossEntropyLoss", 0.0), ("CrossEntropyLoss", 0.1),
                                          ("NLLLoss", None)])
def test_every_target_ignored_matches_torch_value_and_gradient(op, smoothing, reduction):
    """torch: a mean over no targets is nan (0/0) but its gradient is zero; a NaN gradient
    would fill the weights with NaN after one optimizer step."""
    attrs = {"reduction": reduction, "ignore_index": 7}
    if smoothing is not None:
        attrs["label_smoothing"] = smoothing
    x = np.random.default_rng(0).normal(size=SCORES)
    t = np.full(SCORES[0], 7)
    ours = REGISTRY[op](**attrs)
    with np.errstate(all="ignore"):
        value = ours.forward(x, t)
        (dx, _), _ = ours.backward(np.ones_like(value))
    xt = torch.tensor(x, requires_grad=True)
    theirs = getattr(torch.nn, op)(**attrs)(xt, torch.tensor(t))
    theirs.sum().backward()
    np.testing.assert_array_equal(value, theirs.detach().numpy())      # nan where torch's is
    np.testing.assert_array_equal(dx, xt.grad.numpy())
    assert not np.isnan(dx).any()


@pytest.mark.parametrize("op,attrs", [
    ("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 40_000,
                "padding": 20_000}),
    ("MaxPool2d", {"kernel_size": 40_001, "padding": 20_000})])
def test_a_padding_too_large_to_allocate_is_refused_before_running(op, attrs):
    """The output is 1x1, but forward would pad the input to 40,004 x 40,004 (12 GiB): the
    fuzzer found it as a MemoryError."""
    g = Graph.from_dict({"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "x", "op": "Input", "attrs": {"shape": [1, 4, 4]}, "inputs": []},
        {"id": "p", "op": op, "attrs": attrs, "inputs": ["x"]}]}, check=False)
    (problem,) = g.analyze().problems
    assert problem.node == "p" and "padded input 1,600,320,016 values per sample" in str(problem)
