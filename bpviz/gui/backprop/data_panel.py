"""DataPanel: where the numbers come from — the engine's toy and procedural sets, a CSV
file or a folder of small images — with a batch size and a sample selector; a view of the
Classroom's data (bpviz.core.data.data_source has the rules that fit data to a graph)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QWidget,
)

from ...core.data import datasets as ds
from ...core.data.data_source import CSV_SOURCE, FOLDER_SOURCE, MAX_BATCH, SOURCES, input_shape
from ...core.errors import DataError
from ...core.network.fileformat import read_checked
from .csv_reading import read_csv_in_background

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm"}
MAX_IMAGE_BYTES = 32 * 2**20          # one small training image; a larger file is skipped


def read_image_folder(folder, shape) -> tuple[ds.Dataset, int]:
    """Images in one subfolder per class, resized to ``shape`` = (C, H, W) with C 1 or 3,
    scaled to [0, 1]. Returns the dataset and how many files could not be read (skipped):
    those that do not decode, and those that are no regular file (a FIFO would block the
    reader for ever) or weigh more than MAX_IMAGE_BYTES, which are never opened."""
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
            try:
                image = QImage.fromData(read_checked(path, MAX_IMAGE_BYTES, "an image",
                                                     DataError))
            except (DataError, OSError):
                skipped += 1
                continue
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
    fmt = QImage.Format.Format_Grayscale8 if c == 1 else QImage.Format.Format_RGB888
    image = image.convertToFormat(fmt).scaled(w, h)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = raw.reshape(h, image.bytesPerLine())[:, : w * c].reshape(h, w, c)
    return rows.transpose(2, 0, 1)


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
    """The data bar: a view of the Classroom's data choice, batch and sample; the files it
    reads (a CSV file, an image folder) are handed to the Classroom."""

    def __init__(self, classroom, parent=None):
        super().__init__(parent)
        self.classroom = classroom
        self.source = QComboBox()
        self.source.setObjectName("data_source")
        self.source.addItems(SOURCES)
        self.source.setToolTip("Where the inputs come from")
        self.source.setAccessibleName("Data")
        self.batch = QSpinBox(minimum=1, maximum=MAX_BATCH, value=classroom.data.batch)
        self.batch.setObjectName("data_batch")
        self.batch.setToolTip("Batch size: samples per forward and backward pass")
        self.batch.setAccessibleName("Batch size")
        self.sample = QSpinBox(minimum=0, maximum=7)
        self.sample.setObjectName("data_sample")
        self.sample.setToolTip("The sample whose values and Jacobians are shown")
        self.sample.setAccessibleName("Sample shown")
        self.reshuffle = QToolButton()
        reload = self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        self.reshuffle.setIcon(reload)
        self.reshuffle.setObjectName("data_reshuffle")
        self.reshuffle.setToolTip("Draw a new batch from the data")
        self.reshuffle.setAccessibleName("Draw a new batch")
        self.info = FittedLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, w in (("Data", self.source), ("Batch", self.batch), ("Sample", self.sample)):
            layout.addWidget(QLabel(label))
            layout.addWidget(w)
        layout.addWidget(self.reshuffle)
        layout.addWidget(self.info, 1)
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)   # may shrink away
        self.source.activated.connect(lambda _: self._source_chosen())
        self.batch.valueChanged.connect(self._batch_typed)
        self.sample.valueChanged.connect(self._sample_typed)
        self.reshuffle.clicked.connect(classroom.new_batch)
        classroom.data_changed.connect(self.show_data)
        classroom.sample_changed.connect(lambda _: self.show_data())
        self.show_data()

    def show_data(self) -> None:
        """Show the Classroom's data choice, batch and sample."""
        d = self.classroom.data
        for box, value, maximum in ((self.batch, d.batch, MAX_BATCH),
                                    (self.sample, d.sample, max(d.samples - 1, 0))):
            box.blockSignals(True)
            box.setMaximum(maximum)
            box.setValue(value)
            box.blockSignals(False)
        self.source.setCurrentText(d.source)
        self.info.setText(f"{len(d.dataset)} samples, {len(d.dataset.classes)} classes"
                          if d.dataset is not None else "")

    def _batch_typed(self, value: int) -> None:
        self.classroom.set_batch(value)

    def _sample_typed(self, value: int) -> None:
        if value < self.classroom.data.samples:
            self.classroom.set_sample(value)

    # --- choosing data -------------------------------------------------------------------
    def _source_chosen(self) -> None:
        name = self.source.currentText()
        if name == CSV_SOURCE:
            path, _ = QFileDialog.getOpenFileName(self, "Open CSV data", "",
                                                  "CSV files (*.csv *.txt);;All files (*)")
            if path:
                self.load_csv(path)
        elif name == FOLDER_SOURCE:
            path = QFileDialog.getExistingDirectory(self, "Folder with one subfolder per class")
            if path:
                self.load_image_folder(path)
        else:
            self.classroom.use_builtin(name)
        self.show_data()                  # a cancelled file dialog: the old choice again

    def load_csv(self, path) -> bool:
        try:
            data = read_csv_in_background(path, self.window())     # the window paints on
        except DataError as err:
            self.classroom.message.emit(str(err))
            return False
        self.classroom.use_dataset(data, CSV_SOURCE, str(path))
        return True

    def load_image_folder(self, path) -> bool:
        try:
            data, skipped = read_image_folder(path, input_shape(self.classroom.graph) or ())
        except DataError as err:
            self.classroom.message.emit(str(err))
            return False
        self.classroom.use_dataset(data, FOLDER_SOURCE, str(path))
        if skipped:
            self.classroom.message.emit(f"{skipped} file(s) in '{Path(path).name}' could not "
                                        f"be read and were skipped")
        return True
