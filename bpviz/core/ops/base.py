"""What every op shares: attribute specs, the registry, symbolic shapes, ``unbroadcast``.

An op is one small class mirroring its ``torch.nn`` twin: the same class name, the same
constructor arguments and defaults, the same math. ``forward(*inputs, **params)`` keeps what
``backward`` needs in ``self.cache`` (inspectable by the stepper); ``backward(dout)`` returns
one gradient per input (None where there is none) and a dict of parameter gradients.

Shapes seen by ``infer`` include the batch dimension as the symbol ``BATCH`` ("N"), e.g.
``("N", 3, 32, 32)``; a loss reduced over the batch has shape ``()``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import OpError, shown

BATCH = "N"
REQUIRED = object()
# Largest number of elements one parameter set or one per-sample tensor may have
# (2**28 float64 values are 2 GiB): checked before anything is allocated.
MAX_ELEMENTS = 2**28

Shape = tuple


@dataclass(frozen=True)
class Attr:
    """One constructor argument of an op: its JSON kind, default and allowed values.

    kinds: ``int``, ``float``, ``bool``, ``choice`` (one of ``choices``), ``pair`` (an int
    or a list of two ints, like torch's ``_pair``), ``dims`` (None, an int or a list of ints),
    ``shape`` (a list of positive ints).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    optional: bool = False
    doc: str = ""
    low_open: bool = False        # ``low`` itself is refused (torch's delta > 0)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def validate(self, value):
        """Return ``value`` if it is allowed, else raise OpError saying why."""
        if value is None and self.optional:
            return None
        items = value if isinstance(value, (list, tuple)) else [value]
        if self.kind != "float" and any(_is_int(v, bits=None) and not _is_int(v) for v in items):
            self._fail("an integer that fits in 64 bits (as torch needs)", value)
        check = getattr(self, f"_check_{self.kind}")
        check(value)
        return value

    def _fail(self, expected: str, value) -> None:
        raise OpError(f"attribute '{self.name}' must be {expected}, got {shown(value)}")

    def _bounds(self, value, expected: str) -> None:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            self._fail(expected, value)
        if self.high is not None and value > self.high:
            self._fail(expected, value)

    def _range_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f" in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f" {'>' if self.low_open else '>='} {self.low:g}"
        return ""

    def _check_int(self, value) -> None:
        expected = "an integer" + self._range_text()
        if not _is_int(value):
            self._fail(expected, value)
        self._bounds(value, expected)

    def _check_float(self, value) -> None:
        expected = "a number" + self._range_text()
        if not (_is_int(value, bits=None) or isinstance(value, float)) or not _finite(value):
            self._fail(expected, value)
        self._bounds(value, expected)

    def _check_bool(self, value) -> None:
        if not isinstance(value, bool):
            self._fail("true or false", value)

    def _check_choice(self, value) -> None:
        if value not in self.choices or type(value) is not type(self.choices[0]):
            self._fail("one of " + ", ".join(repr(c) for c in self.choices), value)

    def _check_pair(self, value) -> None:
        expected = "an integer or a list of two integers" + self._range_text()
        is_list = isinstance(value, (list, tuple))
        items = list(value) if is_list else [value]
        if is_list and len(items) != 2:
            self._fail(expected, value)
        for item in items:
            if not _is_int(item):
                self._fail(expected, value)
            self._bounds(item, expected)

    def _check_dims(self, value) -> None:
        items = value if isinstance(value, (list, tuple)) else [value]
        if not items or not all(_is_int(d) for d in items):
            self._fail("null, an integer or a list of integers", value)

    def _check_shape(self, value) -> None:
        if not isinstance(value, (list, tuple)) or not all(
                _is_int(d) and d >= 1 for d in value):
            self._fail("a list of positive integers", value)


def _is_int(value, bits: int | None = 64) -> bool:
    """An int, not a bool, that fits in ``bits`` bits (torch's int64; None: any size)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return bits is None or -2**(bits - 1) <= value < 2**(bits - 1)


def _finite(value) -> bool:
    """math.isfinite without its OverflowError on ints beyond the float range."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def pair(value) -> tuple[int, int]:
    """torch's ``_pair``: 3 -> (3, 3), [2, 3] -> (2, 3)."""
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def numel(shape) -> int:
    """Elements per sample of a symbolic shape (the batch symbol counts as 1)."""
    return math.prod(d for d in shape if d != BATCH)


def shape_text(shape) -> str:
    """A shape inside a sentence, as numpy and torch print it: ("N", 3) -> "(N, 3)"."""
    return "(" + ", ".join(str(d) for d in shape) + ")"


def shape_label(shape) -> str:
    """A shape as a label on its own (edges, nodes, panels): ("N", 3, 32, 32) ->
    "N×3×32×32"; () -> "scalar"; None (not known) -> "?"."""
    if shape is None:
        return "?"
    return "×".join(str(d) for d in shape) or "scalar"


def broadcast_shapes(a: Shape, b: Shape) -> Shape:
    """numpy broadcasting over symbolic shapes; BATCH only matches BATCH or 1."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            raise OpError(f"shapes {shape_text(a)} and {shape_text(b)} do not broadcast")
    return tuple(reversed(out))


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``."""
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, d in enumerate(shape) if d == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def resolve_dim(dim: int, ndim: int, what: str = "dim") -> int:
    """A torch-style (possibly negative) dim as an index into a shape of ``ndim`` dims."""
    if not -ndim <= dim < ndim:
        raise OpError(f"{what}={dim} is out of range for a tensor with {ndim} dimensions")
    return dim % ndim


class Op:
    """Base of every op. Subclasses set the class variables and the four methods.

    An op class is all the app knows of its op: the palette, the canvas (starter_attrs,
    summary, fit_to_input), the inspector, the export (torch_function, torch_source,
    torch_kwargs) and the trainer (classifies, predict) ask it. Adding an op means writing
    its class, with a ``Shapes:`` line in its docstring, and its row in the tests' CASES.
    Each of ``attrs`` becomes an instance attribute of that name in ``__init__``; a class
    declares the ones its code reads, with their types (``in_features: int``).
    """

    group: ClassVar[str] = "math"             # palette group: io, layers, activations, losses, math
    inputs: ClassVar[tuple[str, ...]] = ("input",)
    attrs: ClassVar[tuple[Attr, ...]] = ()
    doc: ClassVar[str] = ""                   # one line for the palette and the inspector
    formula: ClassVar[str] = ""               # LaTeX, rendered by the GUI
    jacobian_doc: ClassVar[dict] = {}         # input or param name -> the Jacobian's structure
    grad_formula: ClassVar[str] = ""          # LaTeX of the local derivative (the lecture's)
    starter_attrs: ClassVar[dict] = {}        # a new node's attributes: valid once connected
    torch_function: ClassVar[str] = ""        # exported as a call of this; "": as nn.<name>
    torch_source: ClassVar[str] = ""          # that function's source, where torch has none
    classifies: ClassVar[str] = ""            # losses: "multiclass" or "binary" (see predict)

    def __init__(self, **attrs):
        problems = self.attr_problems(attrs)
        if problems:
            raise OpError(problems[0])
        self.given = dict(attrs)
        for spec in self.attrs:
            setattr(self, spec.name, attrs.get(spec.name, spec.default))
        self.training = False
        self.rng: np.random.Generator | None = None
        self.cache: dict[str, Any] = {}
        # torch's ctx.needs_input_grad: an op may give None for an input marked False (the
        # graph's whole backward pass marks its Inputs, whose gradients it computes only
        # when asked); every other caller gets every gradient
        self.needs_input_grad = (True,) * len(self.inputs)
        self.setup()

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @classmethod
    def attr_problems(cls, attrs: dict) -> list[str]:
        """Every problem of ``attrs``: unknown names, then missing or bad values in
        declaration order (an editor lists them all; the constructor raises the first)."""
        known = [a.name for a in cls.attrs]
        problems = [f"unknown attribute {shown(name)} (allowed: {', '.join(known) or 'none'})"
                    for name in attrs if name not in known]
        for spec in cls.attrs:
            if spec.name not in attrs:
                if spec.required:
                    problems.append(f"attribute '{spec.name}' is required")
                continue
            try:
                spec.validate(attrs[spec.name])
            except OpError as err:
                problems.append(str(err))
        return problems

    # --- what the canvas and the export ask of an op ------------------------------------
    @classmethod
    def summary(cls, attrs: dict) -> str:
        """One line for the node on the canvas, from ``attrs`` as the graph holds them: they
        may be invalid while being edited, and then every attribute is shown as name=value."""
        try:
            return cls.summarize(attrs)
        except (TypeError, KeyError, IndexError, ValueError):
            return Op.summarize(attrs)

    @classmethod
    def summarize(cls, attrs: dict) -> str:
        """The attributes that matter for this op (all of them unless the op picks)."""
        return ", ".join(f"{k}={v}" for k, v in attrs.items())

    @classmethod
    def fit_to_input(cls, attrs: dict, shape) -> dict:
        """``attrs`` with the sizes that must agree with an input of ``shape`` filled in (a
        new node connected after another; ``shape`` is symbolic, None when unknown)."""
        return dict(attrs)

    @staticmethod
    def predict(scores: np.ndarray) -> np.ndarray | None:
        """The classes a classifying loss (``classifies``) predicts from the scores fed to
        it; None for every other op."""
        return None

    def torch_kwargs(self, shapes: list[Shape]) -> dict:
        """Keyword arguments of the torch twin, given the input shapes: those of the
        ``nn.<name>`` constructor, or of the ``torch_function`` call after its inputs."""
        return {} if self.torch_function else self.attr_values()

    def lecture_note(self, shape: tuple[int, ...]) -> str:
        """One sentence on how this op's number departs from the lecture's, for an input
        of concrete ``shape`` (the inspector shows it under the gradient); "" where it
        does not depart."""
        return ""

    def setup(self) -> None:
        """Derive internal values from the validated attributes (e.g. pairs)."""

    def attr_values(self) -> dict:
        """Every attribute with its value, defaults included, in declaration order."""
        return {a.name: getattr(self, a.name) for a in self.attrs}

    # --- shapes and parameters -------------------------------------------------------
    def infer(self, shapes: list[Shape]) -> Shape:
        """Output shape from input shapes (both with the batch symbol); OpError if unfit."""
        return shapes[0]

    @property
    def params(self) -> tuple[str, ...]:
        """Parameter names, in torch's order (Linear's and Conv2d's depend on ``bias``)."""
        return ()

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {}

    def init_params(self, rng: np.random.Generator, dtype) -> dict[str, np.ndarray]:
        return {}

    # --- computation ----------------------------------------------------------------
    # each op names its own inputs (``forward(self, x, weight, bias=None)``): Any here lets
    # every subclass's signature override this one
    def forward(self, *inputs: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError(f"{self.name()} must define forward")

    def backward(self, dout: np.ndarray) -> tuple[tuple, dict]:
        raise NotImplementedError(f"{self.name()} must define backward")

    def param_rows(self, name: str, sample: list[np.ndarray], rows) -> list | None:
        """Rows ``rows`` of ∂(one sample's output)/∂(parameter ``name``), each as (columns,
        values), read from the sample's inputs (``sample``: each with a batch of one) where
        the op knows them without a backward pass; None where it does not (the caller then
        spends a backward pass a row). Linear's and Conv2d's rows are their input patches."""
        return None

    def input_rows(self, name: str, sample: list[np.ndarray], rows) -> list | None:
        """As ``param_rows``, for the input ``name``: rows of ∂(one sample's output)/∂(the
        sample's input), read off the stepped cache with no backward pass; None where the
        op does not know them (Linear's are rows of W)."""
        return None


REGISTRY: dict[str, type[Op]] = {}


def register(cls: type[Op]) -> type[Op]:
    REGISTRY[cls.__name__] = cls
    return cls


def uniform_fan_in(rng: np.random.Generator, shape, fan_in: int, dtype) -> np.ndarray:
    """torch's default for Linear and Conv2d weights and biases: U(-1/sqrt(fan_in), +...).

    (kaiming_uniform with a=sqrt(5) gives exactly this bound for the weights.)
    """
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)   # no 2nd copy
