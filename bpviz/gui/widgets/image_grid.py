"""ImageGrid: pictures made by bpviz.core.display.images (an image input, feature maps, dL/dx, the
class templates of a Linear layer) side by side, each with its caption (a channel or a class
name) under it, wrapping into rows that fit the width. Drawing only: the pixels come ready,
or from a worker thread (a Drawing: bpviz.gui.widgets.drawing) while empty frames hold their
places."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from .colormap import DIVERGING
from .drawing import Drawing

GAP = 8
MIN_CELL = 64              # px: smaller and a 32x32 image loses its shape on a projector
ONE_CELL = 256             # a single picture (the input image) may be this large
MANY_CELL = 128            # a few: three class templates side by side in a dock
ONE_ROW = 4                # up to this many shrink (to MIN_CELL) to share one row
MANY = 12                  # more (a conv layer's maps) are drawn MIN_CELL large


def to_qimage(picture) -> QImage:
    """A QImage of a Picture's uint8 pixels: RGB, grey, or the diverging colour scale."""
    pixels = np.ascontiguousarray(picture.pixels)
    if pixels.ndim == 3:
        h, w, _ = pixels.shape
        return QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    h, w = pixels.shape
    if picture.signed:
        rgba = np.ascontiguousarray(DIVERGING[pixels])
        return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    return QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def wrapped_height(font: QFont, text: str, width: float) -> float:
    """Height of ``text`` word-wrapped to ``width``: titles and notes wrap in a narrow dock
    (or in presentation mode's large font) instead of running past its edge."""
    if not text:
        return 0.0
    return QFontMetricsF(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e5),
                                            Qt.TextFlag.TextWordWrap, text).height()


def bold(font: QFont) -> QFont:
    font = QFont(font)
    font.setBold(True)
    return font


class ImageGrid(QWidget):
    def __init__(self, title: str = "", pictures=(), note: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.note = note
        self.drawing: Drawing | None = None
        self._pictures: list = []
        self._images: list[QImage] = []
        self.sizes: list[tuple[int, int]] = []          # (width, height) of each picture
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.set_pictures(title, pictures, note)

    def set_pictures(self, title: str, pictures, note: str = "", sizes=()) -> None:
        """Show ``pictures`` (Pictures) under ``title``, or what a Drawing makes of an array
        — (pictures, note) — with ``sizes``, (width, height) of each, holding their places
        while a worker thread makes them."""
        laid_out = self._geometry()
        self.title = title
        if self.drawing is not None and self.drawing is not pictures:
            self.drawing.forget(self)
        if isinstance(pictures, Drawing):
            self.drawing = pictures
            if list(sizes) != self.sizes or not self._images:
                # else the last pictures stay until the new ones come (no blank flicker)
                self._pictures, self._images, self.sizes = [], [], list(sizes)
                self.note = "drawing…"
            pictures.when_done(self, lambda: self._drawn(pictures))
        else:
            self.drawing = None
            self._show(list(pictures), note)
        self._changed(laid_out)

    def _drawn(self, drawing: Drawing) -> None:
        if drawing is self.drawing:             # not one that an update replaced
            laid_out = self._geometry()
            self.drawing = None
            self._show(*drawing.result())
            self._changed(laid_out)

    def _geometry(self) -> tuple:
        return self.title, self.note, self.sizes

    def _changed(self, laid_out: tuple) -> None:
        if self._geometry() != laid_out:        # else the page keeps its layout
            self.updateGeometry()
        self.update()

    def _show(self, pictures: list, note: str) -> None:
        self._pictures, self.note = pictures, note
        self._images = [to_qimage(p) for p in pictures]
        self.sizes = [(im.width(), im.height()) for im in self._images]

    def _finish(self) -> None:
        """Made now, if the worker thread has not yet: for whoever reads them."""
        if self.drawing is not None:
            self._drawn(self.drawing)

    @property
    def pictures(self) -> list:
        self._finish()
        return self._pictures

    @property
    def images(self) -> list[QImage]:
        self._finish()
        return self._images

    def focus_copy(self):
        """Enlarged (the enlarged view): the same pictures as large as the page allows."""
        # no title of its own: the enlarged view's bar names it (02.5 showed it twice)
        return LargeImageGrid("", self.pictures, self.note) if self.images else None

    # --- geometry ------------------------------------------------------------------------
    def cell_side(self, width: int) -> int:
        """Side of each picture's square: a whole-pixel zoom up to ONE_CELL or MANY_CELL,
        shrunk (not below MIN_CELL) so that a few share one row, never wider than the widget."""
        n = len(self.sizes)
        if not n:
            return MIN_CELL
        side = max(max(size) for size in self.sizes)
        target = ONE_CELL if n == 1 else MANY_CELL if n <= MANY else MIN_CELL
        cell = side * max(1, target // side) if side < target else target
        shared = min(n, ONE_ROW)
        cell = min(cell, max(MIN_CELL, (width - (shared - 1) * GAP) // shared))
        return int(max(1, min(cell, width)))

    def columns(self, width: int) -> int:
        return max(1, min(len(self.sizes), (width + GAP) // (self.cell_side(width) + GAP)))

    def _title_height(self, width: int) -> float:
        return wrapped_height(bold(self.font()), self.title, width) + 4

    def _caption_height(self) -> float:
        return 2 * QFontMetricsF(self.font()).lineSpacing() + 2   # "Australian terrier" wraps

    def height_for(self, width: int) -> int:
        rows = math.ceil(len(self.sizes) / self.columns(width)) if self.sizes else 0
        block = self.cell_side(width) + self._caption_height() + GAP
        note = wrapped_height(self.font(), self.note, width) + 4 if self.note else 0
        return int(math.ceil(self._title_height(width) + rows * block + note))

    def hasHeightForWidth(self) -> bool:
        return True                    # rows of pictures wrap: the height follows the width

    def heightForWidth(self, width: int) -> int:
        return self.height_for(width)

    def sizeHint(self) -> QSize:
        width = max(240, min(3, len(self.sizes)) * (MANY_CELL + GAP))
        return QSize(width, self.height_for(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_CELL, self.height_for(max(self.width(), MIN_CELL)))

    def cell_rect(self, k: int) -> QRectF:
        """Where picture k is drawn (its caption goes below)."""
        width = self.width()
        cell, cols = self.cell_side(width), self.columns(width)
        row, col = divmod(k, cols)
        top = self._title_height(width) + row * (cell + self._caption_height() + GAP)
        return QRectF(col * (cell + GAP), top, cell, cell)

    # --- drawing -------------------------------------------------------------------------
    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        pal = self.palette()
        width = self.width()
        p.setFont(bold(self.font()))
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(0, 0, width, self._title_height(width)),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self.title)
        p.setFont(self.font())
        bottom = self._title_height(width)
        for k, size in enumerate(self.sizes):
            cell = self.cell_rect(k)
            rect = self._fitted(cell, *size)
            if self._images:
                p.drawImage(rect, self._images[k])   # nearest pixels: the data, not a blur
            else:
                p.fillRect(rect, pal.alternateBase())    # on its way from the worker thread
            p.setPen(pal.mid().color())        # a frame: a white (zero) map on a light page
            p.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
            p.setPen(pal.windowText().color())
            text_rect = QRectF(cell.left() - GAP / 2, rect.bottom() + 2,
                               cell.width() + GAP, self._caption_height())
            caption = self._pictures[k].caption if self._pictures else ""
            p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, caption)
            bottom = max(bottom, cell.bottom() + self._caption_height() + GAP)
        if self.note:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(0, bottom, width, wrapped_height(self.font(), self.note, width)),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self.note)

    @staticmethod
    def _fitted(cell: QRectF, width: int, height: int) -> QRectF:
        """A picture's aspect ratio inside the square cell, at its top."""
        scale = min(cell.width() / width, cell.height() / height)
        w, h = width * scale, height * scale
        return QRectF(cell.left() + (cell.width() - w) / 2, cell.top(), w, h)


class LargeImageGrid(ImageGrid):
    """The enlarged view's copy: every picture in one screen, each as large as fits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def cell_side(self, width: int) -> int:
        n = len(self.sizes)
        if not n:
            return MIN_CELL
        height = self.height() - self._title_height(width)
        best = MIN_CELL
        for cols in range(1, n + 1):                   # the layout that gives the largest
            rows = math.ceil(n / cols)
            side = min((width - (cols - 1) * GAP) // cols,
                       (height - rows * (self._caption_height() + GAP)) // rows)
            best = max(best, int(side))
        return best

    def heightForWidth(self, width: int) -> int:
        return self.height()

    def hasHeightForWidth(self) -> bool:
        return False
