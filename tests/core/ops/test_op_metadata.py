"""Every registered op carries what the canvas and the export ask of it: starter attributes,
a one-line summary, fitting to the shape it is connected to, its torch twin, and its shapes
in its docstring. Adding an op means writing its class and its row in test_ops_torch.CASES,
which these checks reuse."""
import numpy as np
import pytest
import torch

from bpviz.core.errors import OpError
from bpviz.core.ops import BATCH, REGISTRY, shape_label
from bpviz.core.ops.sliding_windows import window_text

from ..oracle import make_feed
from .test_ops_torch import CASES

OPS = sorted(REGISTRY)
CONNECTED = sorted(set(OPS) & set(CASES))          # every op that takes inputs


def symbolic(specs):
    """The symbolic input shapes of a test row's input specs (see oracle.make_feed)."""
    return [(BATCH,) + tuple(s[1] if isinstance(s[0], str) else s) for s in specs]


def fitted(op):
    """A new node of ``op`` as the editor makes it after a node of its first row's shape."""
    shapes = symbolic(CASES[op][0][1])
    cls = REGISTRY[op]
    return cls(**cls.fit_to_input(cls.starter_attrs, shapes[0])), shapes


@pytest.mark.parametrize("op", OPS)
def test_starter_attributes_build_a_valid_op(op):
    cls = REGISTRY[op]
    assert cls.attr_problems(cls.starter_attrs) == []
    cls(**cls.starter_attrs)


@pytest.mark.parametrize("op", CONNECTED)
def test_fit_to_input_makes_a_new_node_fit_its_input(op):
    cls = REGISTRY[op]
    starter = dict(cls.starter_attrs)
    node, shapes = fitted(op)
    node.infer(shapes)                       # raises OpError if the sizes disagree
    assert cls.starter_attrs == starter      # the class's starter is never changed
    assert cls.fit_to_input(cls.starter_attrs, None) == starter
    assert cls.fit_to_input(cls.starter_attrs, ()) == starter


def test_fit_to_input_fills_the_sizes_a_layer_must_agree_on():
    linear, conv = REGISTRY["Linear"], REGISTRY["Conv2d"]
    with pytest.raises(OpError):
        linear(**linear.starter_attrs).infer([(BATCH, 7)])
    assert linear.fit_to_input(linear.starter_attrs, (BATCH, 7))["in_features"] == 7
    assert conv.fit_to_input(conv.starter_attrs, (BATCH, 3, 8, 8))["in_channels"] == 3
    assert conv.fit_to_input(conv.starter_attrs, (BATCH, 3)) == conv.starter_attrs


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("attrs", ["starter", {"kernel_size": None, "shape": 3, "dim": [1]},
                                   {"in_features": [], "size": {}, "stride": "x"}])
def test_summary_is_one_line_even_for_bad_attributes(op, attrs):
    cls = REGISTRY[op]
    text = cls.summary(cls.starter_attrs if attrs == "starter" else attrs)
    assert isinstance(text, str) and "\n" not in text


def test_summaries_show_the_attributes_that_matter():
    summary = {op: cls.summary for op, cls in REGISTRY.items()}
    assert summary["Conv2d"]({"in_channels": 3, "out_channels": 96, "kernel_size": 11,
                              "stride": 4, "padding": 2}) == "3 → 96, 11×11 /4 pad 2"
    assert summary["MaxPool2d"]({"kernel_size": [3, 2], "stride": [1, 2],
                                 "dilation": 2}) == "3×2 /1×2 dil 2"
    assert summary["AvgPool2d"]({}) == "?"
    assert summary["Softmax"]({"dim": 1}) == "dim=1"
    assert summary["Linear"]({"in_features": "?"}) == "? → ?"
    assert summary["Linear"]({"in_features": 4, "out_features": 2, "bias": False}) == (
        "4 → 2, no bias")
    assert summary["Input"]({"shape": [3, 32, 32]}) == "3×32×32"
    assert summary["Input"]({"shape": [], "dtype": "int64"}) == "scalar  int64"
    assert summary["Dropout"]({}) == "p = 0.5"
    assert summary["Conv2d"]({"kernel_size": "ab"}) == "kernel_size=ab"    # while being typed


def test_shape_label_is_the_one_way_shapes_are_shown():
    assert shape_label(("N", 3, 224, 224)) == "N×3×224×224"
    assert shape_label([2]) == "2"
    assert shape_label(()) == "scalar" and shape_label(None) == "?"
    assert window_text({"kernel_size": 2, "stride": None, "padding": [0, 0]}) == "2×2"


@pytest.mark.parametrize("op", OPS)
def test_docstring_names_the_shapes(op):
    cls = REGISTRY[op]
    doc = cls.__dict__.get("__doc__") or ""
    assert "Shapes:" in doc, f"{op}'s docstring has no 'Shapes:' line"
    shapes = doc.split("Shapes:", 1)[1].split("\n\n")[0]
    assert "->" in shapes
    names = list(cls.inputs) + list(cls(**cls.starter_attrs).params)
    assert all(name in shapes for name in names), shapes


def _torch_twin(op, node, shapes):
    """What the export writes for ``node``, made real: the function or the module."""
    if not node.torch_function:
        return getattr(torch.nn, op)(**node.torch_kwargs(shapes)).double()
    if node.torch_source:
        scope = {"torch": torch}
        exec(node.torch_source, scope)      # noqa: S102  (our own class attribute)
        return scope[node.torch_function]
    module, name = node.torch_function.split(".")
    assert module == "torch"
    return getattr(torch, name)


@pytest.mark.parametrize("op,attrs,specs", [
    pytest.param(op, attrs, specs, id=f"{op}-{i}")
    for op, rows in CASES.items() for i, (attrs, specs) in enumerate(rows)])
def test_export_rule_gives_a_torch_twin_that_runs(op, attrs, specs):
    node = REGISTRY[op](**attrs)
    shapes = symbolic(specs)
    kwargs = node.torch_kwargs(shapes)
    assert isinstance(kwargs, dict) and all(k.isidentifier() for k in kwargs)
    twin = _torch_twin(op, node, shapes)
    rng = np.random.default_rng(0)
    feeds = [torch.from_numpy(make_feed(spec, rng, batch=2)) for spec in specs]
    out = twin(*feeds, **kwargs) if node.torch_function else twin(*feeds)
    assert tuple(out.shape) == tuple(2 if d == BATCH else d for d in node.infer(shapes))


@pytest.mark.parametrize("op", OPS)
def test_classifying_losses_predict_one_class_per_sample(op):
    cls = REGISTRY[op]
    assert cls.classifies in ("", "multiclass", "binary")
    if not cls.classifies:
        assert getattr(cls, "predict", lambda s: None)(np.zeros((3, 4))) is None
        return
    scores = np.array([[0.5, -1.0, 2.0], [-0.2, 0.1, -3.0]])
    predicted = cls.predict(scores)
    assert predicted.shape[0] == 2
    if cls.classifies == "multiclass":
        assert predicted.tolist() == [2, 1]
    else:
        assert set(np.unique(predicted)) <= {-1, 1}


def test_log_shows_the_derivative_of_log():
    formula = REGISTRY["Log"].grad_formula
    assert r"\frac{1}{x}" in formula and "sigma" not in formula


def test_lecture_notes_name_where_the_numbers_depart_from_the_lecture():
    nll = REGISTRY["NLLLoss"]
    assert "1/N = 1/8" in nll().lecture_note((8, 10)) and "−1/8" in nll().lecture_note((8, 10))
    assert "1/N" not in nll(reduction="sum").lecture_note((8, 10))    # the lecture's −1
    assert "three nodes" in nll(reduction="sum").lecture_note((8, 10))
    hinge = REGISTRY["MultiMarginLoss"]
    assert "1/C = 1/10" in hinge(reduction="sum").lecture_note((8, 10))
    assert "1/N = 1/8" in hinge().lecture_note((8, 10))
    assert "1/N" not in hinge().lecture_note((1, 10))        # a batch of one is the lecture's
    assert "(σ(y) − t)/N" in REGISTRY["CrossEntropyLoss"]().lecture_note((8, 10))
    assert REGISTRY["Linear"](in_features=3, out_features=2).lecture_note((8, 3)) == ""
