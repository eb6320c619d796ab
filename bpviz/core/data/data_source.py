"""DataSource: where the numbers come from — a built-in set sized to the graph, or a data set
read from a CSV file or an image folder — with the batch drawn from it and the sample whose
values are shown; and the rules that fit data to a graph."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from ..errors import DataError, GraphError
from ..ops import shape_label
from ..optimization.trainer import binary_loss, class_count, data_inputs
from . import datasets as ds

CSV_SOURCE, FOLDER_SOURCE = "CSV file…", "Image folder…"
FILE_SOURCES = (CSV_SOURCE, FOLDER_SOURCE)
BUILTIN = list(ds.TOY_2D) + list(ds.SIGNED_2D) + list(ds.IMAGES)
SOURCES = BUILTIN + list(FILE_SOURCES)
MAX_BATCH = 4096
NO_DATA = "no data: choose a dataset"


def input_shape(graph) -> tuple | None:
    """The per-sample shape of the graph's data Input (None without one data Input)."""
    try:
        x_id, _ = data_inputs(graph)
    except GraphError:
        return None
    return declared_shape(graph.nodes[x_id])


def declared_shape(node) -> tuple | None:
    """An Input's ``shape`` attribute as a tuple of sizes; None when it holds anything else
    (a half-built graph from a file opens unchecked: its shape may be a number or text)."""
    shape = node.attrs.get("shape", ())
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in shape):
        return None
    return tuple(shape)


def fit_dataset(data: ds.Dataset, graph) -> str:
    """Why ``data`` cannot feed ``graph`` (empty string when it can)."""
    try:
        x_id, _ = data_inputs(graph)
    except GraphError as err:
        return str(err)
    want = declared_shape(graph.nodes[x_id])
    if want is None:
        return (f"the graph's Input '{x_id}' has no valid shape: give it one, e.g. [2] "
                f"or [3, 32, 32]")
    got = tuple(data.x.shape[1:])
    if want != got:
        return (f"the graph's Input '{x_id}' takes {shape_label(want)} per sample but "
                f"'{data.name}' gives {shape_label(got)}: pick data "
                f"that fits or change the Input's shape")
    classes = class_count(graph)
    if classes is not None and len(data.classes) > classes:
        return (f"'{data.name}' has {len(data.classes)} classes but the network scores "
                f"{classes}: pick data with fewer classes or widen the last layer")
    return _label_problem(data, graph)


def _label_problem(data: ds.Dataset, graph) -> str:
    """Labels t = -1 or +1 go to a binary hinge loss, class indices to every other loss."""
    signed = bool(len(data.y)) and bool(np.isin(data.y, (-1, 1)).all() and (data.y < 0).any())
    if binary_loss(graph) and not signed:
        return (f"the hinge loss max(0, 1 − t·y) needs labels t = −1 or +1, but "
                f"'{data.name}' labels its classes 0, 1, …: pick "
                f"{' or '.join(map(repr, ds.SIGNED_2D))}")
    if signed and not binary_loss(graph):
        return (f"'{data.name}' has labels t = −1 and +1, for a binary hinge loss; this "
                f"network's loss wants class indices 0, 1, …: pick other data")
    return ""


def default_source(shape, classes: int, signed: bool = False) -> str:
    """The built-in data for an Input of ``shape`` and a network scoring ``classes`` (or a
    binary hinge loss wanting ``signed`` labels): colour images of up to three classes are
    the lecture's small example's."""
    if signed and shape == (2,):
        return next(iter(ds.SIGNED_2D))
    if shape is not None and len(shape) == 3 and shape[0] == 1:
        return "shapes"
    if shape is not None and len(shape) == 3 and shape[0] == 3:
        return "colour_shapes" if classes <= len(ds.COLOUR_SHAPES) else "imagenet10"
    return "spirals" if classes >= 3 else "moons"


def default_for(graph) -> str:
    """The built-in data that fits a newly opened ``graph``."""
    return default_source(input_shape(graph), class_count(graph) or 3, binary_loss(graph))


def builtin(name: str, graph) -> ds.Dataset:
    """The built-in set ``name`` sized to ``graph``: image side, and classes where it can
    choose; ValueError listing the built-in sets when there is none of that name."""
    if name not in BUILTIN:
        raise ValueError(f"no built-in data set {name!r} (data sets: {', '.join(BUILTIN)})")
    classes = class_count(graph) if graph is not None else None
    shape = input_shape(graph) if graph is not None else None
    size = shape[1] if shape is not None and len(shape) == 3 and shape[1] == shape[2] else 16
    return _made(name, classes, max(4, min(size, 256)))


@lru_cache(maxsize=3)
def _made(name: str, classes: int | None, size: int) -> ds.Dataset:
    """Made once for its arguments: 40 images of 224x224x3 take 0.15 s, and a lesson going
    back and forth asks for the same set again (nothing changes a Dataset's arrays)."""
    if name in ds.TOY_2D:
        kwargs = {"classes": min(classes, 5)} if classes and name in ("spirals", "blobs") else {}
        if name == "spirals":         # the untitled graph's, made before the first paint
            arms = ds.spiral_arms(*kwargs.values())
            return MadeLater(name, 300, partial(ds.spirals, seed=0, **kwargs), arms)
        return ds.TOY_2D[name](n=300, seed=0, **kwargs)
    if name in ds.SIGNED_2D:
        return ds.SIGNED_2D[name](n=300, seed=0)
    n = 40 if size > 64 else 600                 # 224x224x3 images are 1.2 MB each
    names = {"shapes": ds.SHAPE_CLASSES, "colour_shapes": ds.COLOUR_SHAPES}.get(name)
    kwargs = {"classes": max(2, min(classes, len(names)))} if names and classes else {}
    known = [label for _, label in ds.IMAGENET10] if name == "imagenet10" else None
    return MadeLater(name, n, partial(ds.IMAGES[name], size=size, seed=0, **kwargs), known)


class MadeLater(ds.Dataset):
    """A built-in image set whose arrays are made the first time they are read. Opening
    the lecture's example (40 images of 3x224x224: 0.15-0.25 s of CPU) must not hold up
    the window's first paint, which shows only the set's size and classes (those of one
    sample made now, unless ``classes`` names them: drawing one imports ``numpy.random``,
    about 20 ms of start-up). ``make(n=...)`` gives the Dataset; any thread may read first."""

    def __init__(self, name: str, n: int, make: Callable[..., ds.Dataset],
                 classes: list | None = None):
        self.name, self._n, self._make = name, n, make
        self._made: ds.Dataset | None = None
        self._lock = threading.Lock()
        self._classes = classes if classes is not None else make(n=1).classes

    def __len__(self) -> int:
        return self._n

    @property
    def made(self) -> ds.Dataset:
        with self._lock:
            if self._made is None:
                self._made = self._make(n=self._n)
            return self._made

    x = property(lambda self: self.made.x)
    y = property(lambda self: self.made.y)
    classes = property(lambda self: self._classes)


def make_now(dataset: ds.Dataset | None) -> None:
    """Make a MadeLater set's arrays now (after the first paint: not at the first step)."""
    if isinstance(dataset, MadeLater):
        dataset.made  # noqa: B018 (made as it is read)


@dataclass
class DataSource:
    """The chosen data, the batch drawn from it (``batch`` samples, drawn with
    ``batch_seed``) and the ``sample`` shown. ``file`` is the CSV file or image folder
    behind a file source."""

    source: str = "spirals"
    dataset: ds.Dataset | None = None
    file: str | None = None
    batch: int = 8
    sample: int = 0
    batch_seed: int = 0

    @property
    def samples(self) -> int:
        """Samples in the current batch: the batch size, or the data's size if smaller."""
        return min(self.batch, len(self.dataset)) if self.dataset is not None else 1

    def problem(self, graph) -> str:
        if self.dataset is None:
            return NO_DATA
        return fit_dataset(self.dataset, graph)

    def _chosen(self) -> ds.Dataset:
        if self.dataset is None:
            raise DataError(NO_DATA)
        return self.dataset

    def batch_index(self) -> np.ndarray:
        """The current batch's sample indices into the data; DataError without data."""
        return np.random.default_rng(self.batch_seed).choice(len(self._chosen()), self.samples,
                                                             replace=False)

    def current_batch(self) -> tuple[np.ndarray, np.ndarray]:
        idx, data = self.batch_index(), self._chosen()
        return data.x[idx], data.y[idx]

    def feeds(self, graph) -> dict:
        """{data Input: x, label Input: y} for the current batch; DataError if unusable."""
        problem = self.problem(graph)
        if problem:
            raise DataError(problem)
        x_id, y_id = data_inputs(graph)
        x, y = self.current_batch()
        return {x_id: x, y_id: y}
