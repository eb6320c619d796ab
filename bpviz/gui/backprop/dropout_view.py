"""DropoutMaskView: a training step's dropout mask as the class can read it at AlexNet's
scale — the share of units set to 0 as a number, the first 32×32 units in cells large
enough to see, and where the lecture puts dropout next to where this graph has it. The
numbers are bpviz.core.display.images.mask_patch's."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.display.array_views import sample_of
from ...core.display.images import mask_patch
from ..widgets.named import named

SIDE = 32                   # units a side of the patch
CELL = 8                    # px a unit: 256 px for the patch, a unit seen from the back
LECTURE = ("The lecture (and the paper) sets the outputs of the first two FC layers to 0 "
           "with probability 0.5.")


def dropout_mask(ev):
    """The shown sample's saved mask of a Dropout step, or None (evaluating: no mask)."""
    mask = getattr(ev, "cache", {}).get("mask") if ev.op.name() == "Dropout" else None
    return None if mask is None else np.asarray(sample_of(mask, ev.sample))


def _pixmap(pixels: np.ndarray, cell: int) -> QPixmap:
    side = pixels.shape[0]
    image = QImage(np.ascontiguousarray(pixels).data, side, side, side,
                   QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(side * cell, side * cell,
                                           Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.FastTransformation)


class DropoutMaskView(QWidget):
    """``cell`` px a unit; ``focus_copy`` is the view enlarged (a lesson's "focus":
    "dropout_mask"), its cells twice as large."""

    def __init__(self, parent=None, cell: int = CELL):
        super().__init__(parent)
        self.cell, self.title = cell, "dropout mask"
        self.pixels: np.ndarray | None = None         # the mask shown, once a step shows one
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # wraps: on one line the share ran to 519 px and scrolled the Inspector sideways
        self.share = named(QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True),
                           "dropout_share")
        self.patch = named(QLabel(), "dropout_patch")
        self.caption = named(QLabel(wordWrap=True), "dropout_caption")
        self.places = named(QLabel(wordWrap=True), "dropout_places")
        for w in (self.share, self.patch, self.caption, self.places):
            layout.addWidget(w)
        self.dropped = self.total = 0

    def show_event(self, ev) -> None:
        found = mask_patch(dropout_mask(ev), SIDE)
        self.dropped, self.total = found.dropped, found.total
        # counts without thousands separators: "2,031" would read as a number of its own
        share = 100 * found.dropped / max(1, found.total)
        # the share on the backward step, where the mask is the Jacobian's diagonal: a
        # lesson asks about it at the forward step and states it as its answer card
        self.share.setVisible(ev.phase == "backward")
        self.share.setText(f"<span style='font-size:150%'><b>{share:.1f} %</b> of the units "
                           f"dropped</span> ({found.dropped} of {found.total}, sample "
                           f"{ev.sample})")
        self.pixels, self.title = found.pixels, f"dropout mask of {ev.node}, sample {ev.sample}"
        self.patch.setPixmap(_pixmap(found.pixels, self.cell))
        self.caption.setText(f"The first {found.shown} units, {SIDE} to a row: black = "
                             f"dropped (0), white = kept" + (", grey = no unit" if
                                                            found.shown < SIDE * SIDE else ""))
        source = next(iter(ev.input_ids.values()), "its input")
        self.places.setText(f"{LECTURE} Here {ev.node} sets the values of {source} to 0 "
                            f"with probability {ev.op.p:g}.")

    def focus_copy(self) -> DropoutMaskView | None:
        if self.pixels is None:
            return None
        copy = DropoutMaskView(cell=2 * self.cell)
        copy.pixels, copy.title = self.pixels, self.title
        copy.dropped, copy.total = self.dropped, self.total
        copy.patch.setPixmap(_pixmap(self.pixels, copy.cell))
        for mine, theirs in ((self.share, copy.share), (self.caption, copy.caption),
                             (self.places, copy.places)):
            theirs.setText(mine.text())
        copy.share.setVisible(not self.share.isHidden())
        return copy
