"""DataPanel: where the numbers come from — the engine's toy and procedural sets, a CSV
file or a folder of small images — with a batch size and a sample selector."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QSizePolicy,
                               QSpinBox, QStyle, QToolButton, QWidget)

from ...core import datasets as ds
from ...core.classes import LectureContext, lecture_context
from ...core.errors import DataError, GraphError
from ...core.ops import shape_label
from ...core.trainer import binary_loss, class_count, data_inputs

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm"}
SOURCES = list(ds.TOY_2D) + list(ds.SIGNED_2D) + list(ds.IMAGES) + ["CSV file…", "Image folder…"]


def read_image_folder(folder, shape) -> tuple[ds.Dataset, int]:
    """Images in one subfolder per class, resized to ``shape`` = (C, H, W) with C 1 or 3,
    scaled to [0, 1]. Returns the dataset and how many files could not be read (skipped)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"'{folder}' is not a folder")
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if not classes:
        raise DataError(f"'{folder.name}' has no subfolders: put each class's images in a "
                        f"subfolder named after the class")
    if len(shape) != 3 or shape[0] not in (1, 3):
        raise DataError(f"images need an Input of shape (1, H, W) or (3, H, W), not "
                        f"{tuple(shape)}")
    c, h, w = shape
    images, labels, skipped = [], [], 0
    for k, name in enumerate(classes):
        for path in sorted((folder / name).iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            image = QImage(str(path))
            if image.isNull():
                skipped += 1
                continue
            images.append(_pixels(image, c, h, w))
            labels.append(k)
    if not images:
        raise DataError(f"no readable images in the subfolders of '{folder.name}'"
                        + (f" ({skipped} could not be read)" if skipped else ""))
    x = np.stack(images).astype(np.float64) / 255.0
    return ds.Dataset(folder.name, x, np.array(labels, dtype=np.int64), classes), skipped


def _pixels(image: QImage, c: int, h: int, w: int) -> np.ndarray:
    fmt = QImage.Format_Grayscale8 if c == 1 else QImage.Format_RGB888
    image = image.convertToFormat(fmt).scaled(w, h)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = raw.reshape(h, image.bytesPerLine())[:, : w * c].reshape(h, w, c)
    return rows.transpose(2, 0, 1)


def fit_dataset(data: ds.Dataset, graph) -> str:
    """Why ``data`` cannot feed ``graph`` (empty string when it can)."""
    try:
        x_id, y_id = data_inputs(graph)
    except GraphError as err:
        return str(err)
    want = tuple(graph.nodes[x_id].attrs.get("shape", ()))
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
    if len(shape) == 3 and shape[0] == 1:
        return "shapes"
    if len(shape) == 3 and shape[0] == 3:
        return "colour_shapes" if classes <= len(ds.COLOUR_SHAPES) else "imagenet10"
    return "spirals" if classes >= 3 else "moons"


class FittedLabel(QLabel):
    """A one-line label that shows all of its text or none of it: a squeezed "40 samples"
    must not read "4" (the text stays in the tooltip)."""

    def paintEvent(self, event):
        if self.fontMetrics().horizontalAdvance(self.text()) <= self.width():
            super().paintEvent(event)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)


class DataPanel(QWidget):
    """Holds the current dataset and batch; ``changed`` when either changes."""

    changed = Signal()                  # another dataset or batch: stepping starts again
    sample_changed = Signal(int)        # another sample of the same batch
    message = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.source = QComboBox()
        self.source.addItems(SOURCES)
        self.source.setToolTip("Where the inputs come from")
        self.batch = QSpinBox(minimum=1, maximum=4096, value=8)
        self.batch.setToolTip("Batch size: samples per forward and backward pass")
        self.sample = QSpinBox(minimum=0, maximum=7)
        self.sample.setToolTip("The sample whose values and Jacobians are shown")
        self.reshuffle = QToolButton(icon=self.style().standardIcon(QStyle.SP_BrowserReload))
        self.reshuffle.setToolTip("Draw a new batch from the data")
        self.info = FittedLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, w in (("Data", self.source), ("Batch", self.batch), ("Sample", self.sample)):
            layout.addWidget(QLabel(label))
            layout.addWidget(w)
        layout.addWidget(self.reshuffle)
        layout.addWidget(self.info, 1)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # may shrink away
        self.graph = None
        self.data: ds.Dataset | None = None
        self.file_data: ds.Dataset | None = None
        self.file_path: str | None = None     # the CSV file or image folder (for a session)
        self.batch_seed = 0
        self.source.activated.connect(lambda _: self._source_chosen())
        self.batch.valueChanged.connect(self._batch_changed)
        self.sample.valueChanged.connect(self.sample_changed.emit)
        self.reshuffle.clicked.connect(self._new_batch)

    # --- choosing data -------------------------------------------------------------------
    def set_graph(self, graph) -> None:
        """Pick the built-in data that fits a newly opened graph."""
        self.graph = graph
        self.file_data = None
        shape = ()
        try:
            x_id, _ = data_inputs(graph)
            shape = tuple(graph.nodes[x_id].attrs.get("shape", ()))
        except GraphError:
            pass
        name = default_source(shape, class_count(graph) or 3, binary_loss(graph))
        self.source.setCurrentText(name)
        self._load(name)

    def use_builtin(self, name: str) -> None:
        """Choose and load the built-in data set ``name`` (a lesson, a session, the end of
        a lesson); ValueError listing the built-in sets when there is none of that name."""
        names = [self.source.itemText(i) for i in range(self.source.count())]
        if name not in names or name.endswith("…"):
            known = ", ".join(n for n in names if not n.endswith("…"))
            raise ValueError(f"no built-in data set {name!r} (data sets: {known})")
        self.source.setCurrentText(name)
        self._load(name)

    def _source_chosen(self) -> None:
        name = self.source.currentText()
        if name == "CSV file…":
            path, _ = QFileDialog.getOpenFileName(self, "Open CSV data", "",
                                                  "CSV files (*.csv *.txt);;All files (*)")
            if path:
                self.load_csv(path)
        elif name == "Image folder…":
            path = QFileDialog.getExistingDirectory(self, "Folder with one subfolder per class")
            if path:
                self.load_image_folder(path)
        else:
            self._load(name)

    def _image_shape(self):
        try:
            x_id, _ = data_inputs(self.graph)
        except GraphError:
            return None
        return tuple(self.graph.nodes[x_id].attrs.get("shape", ()))

    def _load(self, name: str) -> None:
        """A built-in set, sized to the graph: image side, and classes where it can choose."""
        classes = class_count(self.graph) if self.graph is not None else None
        if name in ds.TOY_2D:
            kwargs = {"classes": min(classes, 5)} if classes and name in ("spirals",
                                                                          "blobs") else {}
            self._use(ds.TOY_2D[name](n=300, seed=0, **kwargs))
            return
        if name in ds.SIGNED_2D:
            self._use(ds.SIGNED_2D[name](n=300, seed=0))
            return
        shape = self._image_shape() or ()
        size = shape[1] if len(shape) == 3 and shape[1] == shape[2] else 16
        size = max(4, min(size, 256))
        n = 40 if size > 64 else 600                 # 224x224x3 images are 1.2 MB each
        names = {"shapes": ds.SHAPE_CLASSES, "colour_shapes": ds.COLOUR_SHAPES}.get(name)
        kwargs = ({"classes": max(2, min(classes, len(names)))} if names and classes else {})
        self._use(ds.IMAGES[name](n=n, size=size, seed=0, **kwargs))

    def load_csv(self, path) -> bool:
        try:
            data = ds.read_csv(path)
        except DataError as err:
            self.message.emit(str(err))
            return False
        self.file_path = str(path)
        self._use(data, from_file=True)
        return True

    def load_image_folder(self, path) -> bool:
        try:
            data, skipped = read_image_folder(path, self._image_shape() or ())
        except DataError as err:
            self.message.emit(str(err))
            return False
        self.file_path = str(path)
        self._use(data, from_file=True)
        if skipped:
            self.message.emit(f"{skipped} file(s) in '{Path(path).name}' could not be read "
                              f"and were skipped")
        return True

    def _use(self, data: ds.Dataset, from_file: bool = False) -> None:
        self.data = data
        if from_file:
            self.file_data = data
        self.batch_seed = 0
        self.info.setText(f"{len(data)} samples, {len(data.classes)} classes")
        self._limit_sample()
        self.changed.emit()

    def _limit_sample(self) -> None:
        """Samples exist up to the batch size, or the data's size if it is smaller."""
        size = min(self.batch.value(), len(self.data)) if self.data is not None else 1
        self.sample.setMaximum(max(size - 1, 0))

    def _batch_changed(self, value: int) -> None:
        self._limit_sample()
        self.changed.emit()

    def _new_batch(self) -> None:
        self.batch_seed += 1
        self.changed.emit()

    # --- what the stepper, trainer and inspector read ----------------------------------
    def lecture_context(self) -> LectureContext:
        """Class names, the data Input's image shape and the per-class nodes, for the
        inspector's images and class labels."""
        labels = self.data.y[self._batch_index()] if self.data is not None else ()
        return lecture_context(self.graph, self.data, labels)

    def problem(self) -> str:
        if self.data is None:
            return "no data: choose a dataset"
        return fit_dataset(self.data, self.graph)

    def _batch_index(self) -> np.ndarray:
        size = min(self.batch.value(), len(self.data))
        return np.random.default_rng(self.batch_seed).choice(len(self.data), size, replace=False)

    def current_batch(self) -> tuple[np.ndarray, np.ndarray]:
        idx = self._batch_index()
        return self.data.x[idx], self.data.y[idx]

    def feeds(self) -> dict:
        """{data Input: x, label Input: y} for the current batch; DataError if unusable."""
        problem = self.problem()
        if problem:
            raise DataError(problem)
        x_id, y_id = data_inputs(self.graph)
        x, y = self.current_batch()
        return {x_id: x, y_id: y}
