"""The parts of the augmentation demo that draw: a picture with the crop box on it, the
numbers of the colour PCA as a table, and an image file read into the demo's 256×256 RGB.
The arithmetic is bpviz.core.data.augment's."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ...core.data.augment import IMAGE_SIZE, Augmented, ColourPCA, from_rgb_pixels, rgb_pixels

MIN_SIDE = 112               # px: smaller and the crop box is hard to see on a projector


def to_qimage(image) -> QImage:
    pixels = rgb_pixels(image)
    h, w, _ = pixels.shape
    return QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ImageView(QWidget):
    """One (3, H, W) image scaled to fit, square pixels kept; ``box`` (top, left, size) in
    image pixels is outlined in white over black, visible on any colour."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image = QImage()
        self.box = None
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image, box=None) -> None:
        self.image, self.box = to_qimage(image), box
        self.update()

    def sizeHint(self) -> QSize:
        # small: the page scrolls by its hinted height (its captions wrap), and the
        # pictures take whatever height the window has left once the controls fit
        return QSize(MIN_SIDE, MIN_SIDE)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        # no taller than wide: a tall window's spare height goes below the captions, not
        # into a gap above a square picture
        self.setMaximumHeight(max(MIN_SIDE, self.width()))

    def image_rect(self) -> QRectF:
        """Where the image is drawn: as large as fits, centred across and at the bottom
        (on its caption, when the view is taller than the picture)."""
        w, h = max(self.image.width(), 1), max(self.image.height(), 1)
        scale = min(self.width() / w, self.height() / h)
        return QRectF((self.width() - w * scale) / 2, self.height() - h * scale,
                      w * scale, h * scale)

    def paintEvent(self, event):
        if self.image.isNull():
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = self.image_rect()
        p.drawImage(rect, self.image)
        if self.box is not None:
            top, left, size = self.box
            scale = rect.width() / self.image.width()
            box = QRectF(rect.left() + left * scale, rect.top() + top * scale,
                         size * scale, size * scale)
            p.setPen(QPen(QColor("black"), 5))
            p.drawRect(box)
            p.setPen(QPen(QColor("white"), 2))
            p.drawRect(box)


def _number(v: float, decimals: int = 4) -> str:
    return f"{v:.{decimals}f}".replace("-", "−")      # a real minus sign reads better


def _table(head, rows) -> str:
    """rows: (name, values[, decimals]); numbers right-aligned under their column's head,
    apart by the cell padding (no spaces: the page must fit beside a lesson at 1280×720)."""
    top = "".join(f"<th align='right'>{h}</th>" for h in head)
    body = "".join(f"<tr><th align='left'>{row[0]}</th>" + "".join(
        f"<td align='right'>{_number(v, *row[2:])}</td>" for v in row[1]) + "</tr>"
        for row in rows)
    return f"<table cellspacing='0' cellpadding='2'><tr><th></th>{top}</tr>{body}</table>"


def components_html(pca: ColourPCA, alpha, out: Augmented) -> str:
    """Per principal component k (a column): p_k (down R, G, B) to 3 decimals, λ_k, α_k
    and α_k λ_k."""
    rows: list[tuple] = [(f"p {c}", pca.eigvec[i], 3) for i, c in enumerate("RGB")]
    rows += [("λ", pca.eigval), ("α", alpha, 3), ("α·λ", out.weights)]
    return "<b>Principal components</b>" + _table(("k = 1", "2", "3"), rows)


def colours_html(pca: ColourPCA, out: Augmented) -> str:
    """Per colour channel (a column): the covariance C and the colour added to each pixel."""
    rows = [(f"C {c}", pca.covariance[i]) for i, c in enumerate("RGB")]
    rows.append(("added", out.shift))
    return "<b>Covariance C</b>" + _table(("R", "G", "B"), rows)


class Caption(QLabel):
    """A picture's caption, centred, as tall as the longest text it may show (``widest``)
    takes at its width: the pictures above keep their size when a value changes (8.4's
    reveal wrapped the added colour from two lines to three, shrinking them by 21 px)."""

    def __init__(self, widest: str = ""):
        super().__init__(alignment=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         wordWrap=True)
        self.widest = widest
        self._least: dict[tuple, int] = {}          # (font, width) -> height

    def least(self, width: int) -> int:
        key = (self.font().key(), width)
        if self.widest and key not in self._least:
            probe = QLabel(self.widest, wordWrap=True)       # laid out as this label is
            probe.setFont(self.font())
            self._least[key] = probe.heightForWidth(width)
        return self._least.get(key, 0)

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self.least(width))


def added_text(shift) -> str:
    """The caption of the lit picture: the colour added to every pixel."""
    return "+ p·(α ⊙ λ), " + shift_text(shift)


def shift_text(shift) -> str:
    """The colour added to every pixel, per channel in steps of the screen's 0..255."""
    return "of 255: " + ", ".join(f"{c}\u00a0{_signed(255 * v)}"     # a channel and its value
                                  for c, v in zip("RGB", shift, strict=True))  # on one line


def _signed(v: float) -> str:
    return f"{v:+.1f}".replace("-", "−")


def read_image(path) -> np.ndarray:
    """A picture file as the paper prepares one: its central square, scaled to 256×256;
    (3, 256, 256) in [0, 1]. ValueError saying why when it cannot be read."""
    name = Path(path).name
    if Path(path).is_dir():
        raise ValueError(f"'{name}' is a folder, not an image file")
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)                 # a phone photo's rotation
    image = reader.read()
    if image.isNull():
        formats = ", ".join(sorted({f.toStdString().upper() for f in
                                    QImageReader.supportedImageFormats()} & {
            "PNG", "JPEG", "JPG", "BMP", "GIF", "WEBP"}))
        raise ValueError(f"'{name}' is not an image that can be read "
                         f"({reader.errorString()}); pick a picture file ({formats})")
    side = min(image.width(), image.height())    # the centre square first: no huge copies
    square = image.copy((image.width() - side) // 2, (image.height() - side) // 2, side, side)
    square = square.scaled(IMAGE_SIZE, IMAGE_SIZE, Qt.AspectRatioMode.IgnoreAspectRatio,
                           Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(square.constBits(), np.uint8, square.bytesPerLine() * IMAGE_SIZE)
    rows = rows.reshape(IMAGE_SIZE, square.bytesPerLine())[:, :3 * IMAGE_SIZE]
    return from_rgb_pixels(rows.reshape(IMAGE_SIZE, IMAGE_SIZE, 3))
