"""Small datasets made in numpy, deterministic by seed: 2-D toy sets and procedural images.

Every maker returns a ``Dataset`` with ``x`` (n, *shape) float64, ``y`` (n,) int64 and the
class names. Nothing is downloaded.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Dataset:
    name: str
    x: np.ndarray
    y: np.ndarray
    classes: list

    def __len__(self) -> int:
        return len(self.y)

    def split(self, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
        """A shuffled (train, held-out) split."""
        order = np.random.default_rng(seed).permutation(len(self))
        held = int(round(test_fraction * len(self)))
        if len(self) >= 2:
            held = min(max(held, 1), len(self) - 1)        # one sample at least on each side
        cut = len(self) - held
        part = lambda idx, tag: Dataset(f"{self.name} ({tag})", self.x[idx], self.y[idx],
                                        self.classes)
        return part(order[:cut], "train"), part(order[cut:], "held out")

    def batches(self, batch_size: int, rng: np.random.Generator):
        """One epoch of shuffled mini-batches (x, y); the last one may be smaller."""
        order = rng.permutation(len(self))
        for start in range(0, len(self), batch_size):
            idx = order[start:start + batch_size]
            yield self.x[idx], self.y[idx]


def _labels(n: int, classes: int) -> np.ndarray:
    """n labels spread evenly over the classes."""
    return np.arange(n) % classes


SPIRAL_ARMS = 3                                  # spirals' classes unless asked


def spirals(n: int = 300, classes: int = SPIRAL_ARMS, noise: float = 0.2,
            seed: int = 0) -> Dataset:
    """Interleaved spiral arms, one per class (cs231n's classic non-linear problem)."""
    rng = np.random.default_rng(seed)
    y = _labels(n, classes)
    r = rng.uniform(0.05, 1.0, n)
    theta = y * 2 * np.pi / classes + r * 4.0 + rng.normal(0, noise, n)
    x = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return Dataset("spirals", x, y.astype(np.int64), spiral_arms(classes))


def spiral_arms(classes: int = SPIRAL_ARMS) -> list[str]:
    """The class names of ``spirals`` with ``classes`` arms."""
    return [f"arm {k}" for k in range(classes)]


def blobs(n: int = 300, classes: int = 3, spread: float = 0.35, seed: int = 0) -> Dataset:
    """Gaussian clusters with centres on a circle: linearly separable."""
    rng = np.random.default_rng(seed)
    y = _labels(n, classes)
    angle = 2 * np.pi * np.arange(classes) / classes
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x = centres[y] + rng.normal(0, spread, (n, 2))
    return Dataset("blobs", x, y.astype(np.int64), [f"blob {k}" for k in range(classes)])


def xor(n: int = 300, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Class = whether x1 and x2 have different signs: needs a hidden layer."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2))
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.int64)
    x = x + rng.normal(0, noise, (n, 2))
    return Dataset("xor", x, y, ["same sign", "different signs"])


def circles(n: int = 300, noise: float = 0.08, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A small circle inside a large one."""
    rng = np.random.default_rng(seed)
    y = _labels(n, 2)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x = x + rng.normal(0, noise, (n, 2))
    return Dataset("circles", x, y.astype(np.int64), ["outer", "inner"])


def moons(n: int = 300, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles."""
    rng = np.random.default_rng(seed)
    y = _labels(n, 2)
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0, np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
    x = x + rng.normal(0, noise, (n, 2))
    return Dataset("moons", x, y.astype(np.int64), ["upper moon", "lower moon"])


def blobs_pm1(n: int = 300, spread: float = 0.35, seed: int = 0) -> Dataset:
    """Two Gaussian clusters labelled as the lecture's binary hinge wants them, t = -1 or
    +1 (the right cluster +1): the labels are the values themselves, not class indices."""
    data = blobs(n, 2, spread, seed)
    return Dataset("blobs ±1", data.x, 1 - 2 * data.y, ["−1", "+1"])


SHAPE_CLASSES = ["circle", "square", "triangle", "cross", "horizontal bar", "vertical bar"]


def _shape_mask(kind: str, yy, xx, cy, cx, r) -> np.ndarray:
    dy, dx = yy - cy, xx - cx
    if kind == "circle":
        return (dy ** 2 + dx ** 2 <= r ** 2) & (dy ** 2 + dx ** 2 >= (0.55 * r) ** 2)
    if kind == "square":
        return (np.maximum(abs(dy), abs(dx)) <= r) & (np.maximum(abs(dy), abs(dx)) >= r - 1.2)
    if kind == "triangle":
        return (dy <= r) & (dy >= -r) & (abs(dx) <= (dy + r) / 2)
    if kind == "cross":
        return ((abs(dy) <= 1) & (abs(dx) <= r)) | ((abs(dx) <= 1) & (abs(dy) <= r))
    if kind == "horizontal bar":
        return (abs(dy) <= 1.2) & (abs(dx) <= r)
    return (abs(dx) <= 1.2) & (abs(dy) <= r)


def _drawing(name: str, n: int, size: int, classes: int, names: list, seed: int):
    """What every set of drawn shapes starts from: the class count checked, a generator,
    n labels spread over the classes and the pixel grid (yy, xx)."""
    if not 2 <= classes <= len(names):
        raise ValueError(f"{name} has 2 to {len(names)} classes, not {classes}")
    rng = np.random.default_rng(seed)
    return rng, _labels(n, classes), np.mgrid[0:size, 0:size].astype(float)


def _place(rng, size: int, low: float, high: float) -> tuple:
    """A random radius (low to high of the side) and a centre that keeps the shape inside."""
    r = rng.uniform(low, high) * size
    cy, cx = rng.uniform(r, size - 1 - r, 2)
    return r, cy, cx


def shapes(n: int = 600, size: int = 16, classes: int = 4, noise: float = 0.15,
           seed: int = 0) -> Dataset:
    """Greyscale (1, size, size) images of simple shapes at random places and scales."""
    rng, y, (yy, xx) = _drawing("shapes", n, size, classes, SHAPE_CLASSES, seed)
    x = np.empty((n, 1, size, size))
    for i in range(n):
        r, cy, cx = _place(rng, size, 0.22, 0.36)
        mask = _shape_mask(SHAPE_CLASSES[y[i]], yy, xx, cy, cx, r)
        x[i, 0] = mask * rng.uniform(0.7, 1.0) + rng.normal(0, noise, (size, size))
    return Dataset("shapes", x, y.astype(np.int64), SHAPE_CLASSES[:classes])


# The lecture's ten ILSVRC-2012 classes (WordNet ids and first names).
IMAGENET10 = [("n02119789", "kit fox"), ("n02100735", "English setter"),
              ("n02096294", "Australian terrier"), ("n02066245", "grey whale"),
              ("n02509815", "lesser panda"), ("n02124075", "Egyptian cat"),
              ("n02417914", "ibex"), ("n02123394", "Persian cat"), ("n02125311", "cougar"),
              ("n02423022", "gazelle")]


def imagenet10(n: int = 500, size: int = 32, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Synthetic (3, size, size) colour images for the lecture's 10 ImageNet classes.

    Not photographs: each class has its own colour and stripe texture (orientation and
    frequency), with random phase, brightness and noise, so that a small network can learn
    it while the labels read like the lecture's."""
    rng = np.random.default_rng(seed)
    classes = len(IMAGENET10)
    y = _labels(n, classes)
    hue = np.linspace(0, 2 * np.pi, classes, endpoint=False)
    colours = 0.5 + 0.4 * np.stack([np.cos(hue), np.cos(hue - 2.1), np.cos(hue + 2.1)], 1)
    angles = np.arange(classes) * np.pi / 5
    freqs = 2 * np.pi * (1.5 + (np.arange(classes) % 3)) / size
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    x = np.empty((n, 3, size, size))
    for i in range(n):
        k = y[i]
        wave = np.cos(freqs[k] * (xx * np.cos(angles[k]) + yy * np.sin(angles[k]))
                      + rng.uniform(0, 2 * np.pi))
        pattern = 0.5 + 0.5 * wave
        brightness = rng.uniform(0.8, 1.2)
        x[i] = colours[k][:, None, None] * pattern * brightness
    x += rng.normal(0, noise, x.shape)
    return Dataset("imagenet10", x, y.astype(np.int64), [name for _, name in IMAGENET10])


def photos(n: int = 40, size: int = 64, seed: int = 0) -> Dataset:
    """(3, size, size) samples of the shipped photographs (bpviz.core.data.photos), a class per
    photo, named as what it shows. Sample i is photo i mod 3: the whole of it for the first
    three, then, as AlexNet's training draws them, a random square crop of at least 7/8 of
    the side, mirrored every other round."""
    from .photos import PHOTOS, photo_view, resize  # reads files: only when asked
    rng = np.random.default_rng(seed)
    classes = list(PHOTOS.values())
    y = _labels(n, len(classes))
    x = np.empty((n, 3, size, size))
    for i in range(n):
        image = photo_view(classes[y[i]])
        if i >= len(classes):
            side = int(rng.integers(224, 257))
            top, left = rng.integers(0, 257 - side, 2)
            image = image[:, top:top + side, left:left + side]
            if (i // len(classes)) % 2:
                image = image[:, :, ::-1]
        x[i] = resize(image, size)
    return Dataset("photos", x, y.astype(np.int64), classes)


COLOUR_SHAPES = ["red square", "green disc", "blue cross"]


def _filled_mask(k: int, yy, xx, cy, cx, r) -> np.ndarray:
    """Class k's filled shape: a square, a disc or a cross of bars r/3 wide."""
    dy, dx = abs(yy - cy), abs(xx - cx)
    if k == 0:
        return (dy <= r) & (dx <= r)
    if k == 1:
        return dy ** 2 + dx ** 2 <= r ** 2
    return ((dy <= r / 3) & (dx <= r)) | ((dx <= r / 3) & (dy <= r))


def colour_shapes(n: int = 300, size: int = 32, classes: int = 3, noise: float = 0.0,
                  seed: int = 0) -> Dataset:
    """(3, size, size) images for the lecture's small example: a red square, a green disc or
    a blue cross (class k lights channel k only, value 1 on a black 0 background) at a
    random place and size. Without noise every pixel is 0 or 1, so x . x is the number of
    lit pixels and the numbers of one step can be checked by hand."""
    rng, y, (yy, xx) = _drawing("colour_shapes", n, size, classes, COLOUR_SHAPES, seed)
    x = np.zeros((n, 3, size, size))
    for i in range(n):
        r, cy, cx = _place(rng, size, 0.2, 0.3)
        x[i, y[i]] = _filled_mask(y[i], yy, xx, cy, cx, r)
    if noise:
        x += rng.normal(0, noise, x.shape)
    return Dataset("colour_shapes", x, y.astype(np.int64), COLOUR_SHAPES[:classes])


Maker = Callable[..., Dataset]                  # n=..., seed=... and the set's own options
TOY_2D: dict[str, Maker] = {"spirals": spirals, "blobs": blobs, "xor": xor, "circles": circles,
                            "moons": moons}
# labels t = -1 or +1 (HingeLoss); kept apart from TOY_2D, whose labels index classes
SIGNED_2D: dict[str, Maker] = {"blobs ±1": blobs_pm1}
IMAGES: dict[str, Maker] = {"shapes": shapes, "imagenet10": imagenet10,
                            "colour_shapes": colour_shapes, "photos": photos}


MAX_CSV_BYTES = 256 * 2**20
MAX_CSV_ROWS = 1_000_000         # rows are read one by one and refused past this
MAX_CSV_LINE = 2**20             # characters in one line: a row of 100 M cells is not data
CSV_PROGRESS_LINES = 4096


def read_csv(path, label_column: int = -1, progress=None) -> Dataset:
    """Feature columns and one label column from a CSV file (a header row is optional).

    Labels may be numbers or names; classes are their sorted distinct values. The file must
    be a regular file of at most MAX_CSV_BYTES and MAX_CSV_ROWS data rows, read a line at a
    time. Every problem is a DataError naming the file, the line and what is wrong.
    ``progress(characters read, file size)`` is called every CSV_PROGRESS_LINES lines; an
    exception it raises stops the reading (a Cancel: gui/backprop/csv_reading.py)."""
    import csv
    import io
    import os
    from pathlib import Path

    from ..errors import DataError
    from ..network.fileformat import open_checked

    path = Path(path)
    with open_checked(path, MAX_CSV_BYTES, "a CSV data file", DataError) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            sample = text.read(4096)
            text.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ")
            except csv.Error:
                dialect = csv.excel
            lines = _csv_lines(text, path, progress, os.fstat(raw.fileno()).st_size)
            return _csv_dataset(path, csv.reader(lines, dialect), label_column)
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"cannot read '{path.name}' as text: {str(err)[:150]}") from None
        except csv.Error as err:                    # e.g. a field over 131,072 characters
            raise DataError(f"'{path.name}' is not a readable CSV file: {err}") from None


def _csv_lines(text, path, progress=None, size: int = 0):
    """The lines of an open CSV file, refusing one too long or a file that grew too big."""
    from ..errors import DataError
    total = count = 0
    while line := text.readline(MAX_CSV_LINE + 1):
        total += len(line)
        count += 1
        if progress is not None and count % CSV_PROGRESS_LINES == 0:
            progress(total, size)
        if len(line) > MAX_CSV_LINE or total > MAX_CSV_BYTES:
            what = (f"a line longer than {MAX_CSV_LINE:,} characters" if len(line) >
                    MAX_CSV_LINE else f"more than {MAX_CSV_BYTES:,} characters")
            raise DataError(f"'{path.name}' has {what}: not a CSV file bpviz reads")
        yield line


def _csv_dataset(path, reader, label_column: int) -> Dataset:
    """The Dataset of the rows of a csv.reader, checked and converted row by row."""
    from array import array

    from ..errors import DataError, shown
    rows = (row for row in reader if any(cell.strip() for cell in row))
    row = next(rows, None)
    if row is None:
        raise DataError(f"'{path.name}' is empty")
    header = None
    first = list(row)
    if -len(first) <= label_column < len(first):
        first.pop(label_column)
    if not _numeric(first):                       # words where features should be: a header
        header, row = row, next(rows, None)
    if row is None:
        raise DataError(f"'{path.name}' has a header but no data rows")
    width = len(row)
    if width < 2:
        raise DataError(f"'{path.name}' needs at least one feature column and a label column")
    if not -width <= label_column < width:
        raise DataError(f"label column {label_column} does not exist ({width} columns)")
    features = array("d")
    labels: list[str] = []
    while row is not None:
        line = reader.line_num
        if len(labels) == MAX_CSV_ROWS:
            raise DataError(f"'{path.name}' has more than {MAX_CSV_ROWS:,} data rows (at "
                            f"least {MAX_CSV_ROWS + 1:,}, line {line}): bpviz reads at most "
                            f"{MAX_CSV_ROWS:,}")
        if len(row) != width:
            raise DataError(f"'{path.name}', line {line}: {len(row)} columns, expected {width}")
        label = row.pop(label_column % width).strip()
        try:
            features.extend(float(cell) for cell in row)
        except ValueError:
            bad = next(c for c in row if not _numeric([c]))
            raise DataError(f"'{path.name}', line {line}: {shown(bad.strip())} is not a "
                            f"number") from None
        labels.append(label)
        row = next(rows, None)
    classes = sorted(set(labels), key=float) if _numeric(labels) else sorted(set(labels))
    index = {c: k for k, c in enumerate(classes)}
    x = np.array(features, dtype=np.float64).reshape(len(labels), width - 1)
    if not np.isfinite(x).all():
        raise DataError(f"'{path.name}' holds values that are not finite (nan or inf)")
    name = path.stem if header is None else f"{path.stem} ({', '.join(h.strip() for h in header)})"
    return Dataset(name, x, np.array([index[v] for v in labels], dtype=np.int64), classes)


def _numeric(cells) -> bool:
    try:
        for cell in cells:
            float(cell)
    except ValueError:
        return False
    return True
