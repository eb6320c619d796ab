"""AugmentDemo: AlexNet's data augmentation on one image, step by step — the 256×256 image
with its crop box, the 224×224 crop, its mirror image, and the PCA lighting p·(α ⊙ λ) with
a slider per α and a button that draws α ~ N(0, 0.1); beside them the covariance, λ and p.

Opened from the Training tab, View ▸ Augmentation Demo, or a lesson ({"augment_demo": true});
a lesson sets its controls by name: augment_image, augment_crop_x, augment_crop_y,
augment_flip, augment_pca, augment_alpha_0..2 (α itself) and augment_alpha_slider_0..2
(α in thousandths). The arithmetic is bpviz.core.data.augment's.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.data import augment as A
from ...core.data.photos import PHOTOS, photo
from ..theme import show_as_error
from ..widgets.formula import Formula
from ..widgets.named import named
from .augment_views import Caption, ImageView, added_text, colours_html, components_html, read_image

FORMULA = (r"I_{xy} \leftarrow I_{xy} + [p_1, p_2, p_3]\,[\alpha_1\lambda_1, \alpha_2\lambda_2,"
           r" \alpha_3\lambda_3]^T, \quad \alpha_i \sim N(0, 0.1)")
# whose pixels the covariance is taken over (the paper: every pixel of the training set)
SOURCES = ("this image", "the procedural set", "ImageNet (as trained)")
NOTE = ("The paper takes C over every pixel of ImageNet's training set. Training draws "
        "α ~ N(0, 0.1); the sliders reach ±1 so that the change can be seen.")
ALPHA_LIMIT = 1.0            # the sliders reach 10 σ: α ~ N(0, 0.1) alone is hard to see
MARGIN = A.IMAGE_SIZE - A.CROP_SIZE


def show_augment_demo(window, shown: bool = True) -> None:
    """The Training tab turned to the demo (False: back to its form and run)."""
    window.show_tab("training")
    window.training_tab.panel.show_augment_demo(shown)


def _row(*widgets) -> QHBoxLayout:
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return row


class AlphaControl:
    """α_k as a slider (thousandths) and a spin box showing the number, kept in step."""

    def __init__(self, k: int, changed):
        self.slider = named(QSlider(Qt.Orientation.Horizontal), f"augment_alpha_slider_{k}")
        self.slider.setRange(-1000, 1000)
        self.box = named(QDoubleSpinBox(decimals=3, singleStep=0.01), f"augment_alpha_{k}")
        self.box.setRange(-ALPHA_LIMIT, ALPHA_LIMIT)
        self.label = QLabel(f"α{'₁₂₃'[k]}")
        self.slider.valueChanged.connect(lambda v: self.box.setValue(v / 1000))
        self.box.valueChanged.connect(self._box_changed)
        self.box.valueChanged.connect(lambda _v: changed())

    def _box_changed(self, value: float) -> None:
        self.slider.blockSignals(True)         # the slider follows; no echo back
        self.slider.setValue(round(value * 1000))
        self.slider.blockSignals(False)


class AugmentDemo(QWidget):
    back_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("augment_demo")
        self.rng = np.random.default_rng(0)      # a class sees the same draws each time
        self.image_name = next(iter(PHOTOS.values()))
        self.image = photo(self.image_name)
        self._pca, self._set = None, None
        page = QWidget()
        col = QVBoxLayout(page)
        col.addLayout(self._top_bar())
        self.formula = Formula()
        self.formula.set_latex(FORMULA)
        col.addWidget(self.formula)
        col.addLayout(self._pictures(), 1)
        row = QHBoxLayout()
        row.addLayout(self._controls())
        row.addSpacing(8)
        self.colours = named(QLabel(textFormat=Qt.TextFormat.RichText), "augment_covariance")
        self.components = named(QLabel(textFormat=Qt.TextFormat.RichText), "augment_components")
        tables = QGridLayout()        # the PCA source under C, the shorter table
        for label in (self.colours, self.components):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        tables.addWidget(self.colours, 0, 0)
        tables.addLayout(_row(QLabel("PCA of"), self.source), 1, 0)
        tables.addWidget(self.components, 0, 1, 2, 1)
        tables.setHorizontalSpacing(8)
        row.addLayout(tables)
        row.addStretch(1)
        col.addLayout(row)
        self.message = named(QLabel(NOTE, wordWrap=True, textFormat=Qt.TextFormat.PlainText),
                             "augment_message")        # file names shown as they are
        col.addWidget(self.message)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.refresh()

    # --- building ------------------------------------------------------------------------
    def _top_bar(self) -> QHBoxLayout:
        back = named(QPushButton("← Training"), "augment_back")
        back.clicked.connect(self.back_requested)
        title = QLabel("<b>AlexNet's data augmentation</b>")
        title.setToolTip("Krizhevsky et al. 2012, section 4.1")
        self.chooser = named(QComboBox(), "augment_image")
        self.chooser.addItems(list(PHOTOS.values()))      # licences: resources/photos
        self.chooser.activated.connect(self.choose_image)
        self.open_button = named(QPushButton("Open image…"), "augment_open")
        self.open_button.clicked.connect(lambda: self.open_file())
        bar = QHBoxLayout()
        for w in (back, title):
            bar.addWidget(w)
        bar.addStretch(1)
        for widget in (QLabel("Image:"), self.chooser, self.open_button):
            bar.addWidget(widget)
        return bar

    def _pictures(self) -> QGridLayout:
        grid = QGridLayout()
        self.views = [ImageView() for _ in range(4)]
        # the added colour's caption is as tall as its widest values would make it
        self.captions = [*(Caption() for _ in range(3)), Caption(added_text([-88.8 / 255] * 3))]
        for k, (view, caption) in enumerate(zip(self.views, self.captions, strict=False)):
            grid.addWidget(view, 0, k)
            grid.addWidget(caption, 1, k)
            grid.setColumnStretch(k, 1)
        grid.setRowStretch(0, 1)
        return grid

    def _controls(self) -> QVBoxLayout:
        """Narrow: beside the tables (the PCA source under them) it fits a 1280×720
        projector with the lesson open."""
        col = QVBoxLayout()
        self.crop_x = named(QSpinBox(maximum=MARGIN), "augment_crop_x")
        self.crop_y = named(QSpinBox(maximum=MARGIN), "augment_crop_y")
        self.crop_x.setValue(MARGIN // 2)
        self.crop_y.setValue(MARGIN // 2)
        random_crop = named(QPushButton("Random crop"), "augment_random_crop")
        self.flip = named(QCheckBox("Flip"), "augment_flip")
        col.addLayout(_row(QLabel("Crop x"), self.crop_x, QLabel("y"), self.crop_y))
        col.addLayout(_row(random_crop, self.flip))
        grid = QGridLayout()
        self.alphas = [AlphaControl(k, self.refresh) for k in range(3)]
        for k, a in enumerate(self.alphas):
            for c, w in enumerate((a.label, a.slider, a.box)):
                grid.addWidget(w, k, c)
        grid.setColumnStretch(1, 1)
        col.addLayout(grid)
        draw = named(QPushButton("Draw α ~ N(0, 0.1)"), "augment_draw")
        self.source = named(QComboBox(), "augment_pca")
        self.source.addItems(SOURCES)
        self.source.setToolTip("Whose pixels C is taken over: this image's, 100 procedural "
                               "images', or ImageNet's (the training code's λ and p)")
        col.addLayout(_row(draw))
        col.addStretch(1)
        for box in (self.crop_x, self.crop_y):
            box.valueChanged.connect(lambda _v: self.refresh())
        self.flip.toggled.connect(lambda _on: self.refresh())
        random_crop.clicked.connect(self.random_crop)
        draw.clicked.connect(self.draw_alpha)
        self.source.currentIndexChanged.connect(lambda _i: self._new_pca())
        return col

    # --- what the user does --------------------------------------------------------------
    def choose_image(self, index: int) -> None:
        """The shipped photo ``index`` (256×256), named as what it shows."""
        self.image_name = self.chooser.itemText(index)
        self.image = photo(self.image_name)
        self.say(NOTE)
        self._new_pca()

    def open_file(self, path=None) -> bool:
        """An image file the user picks (a dialog when ``path`` is None); a file that is
        not an image leaves the demo as it was and says why."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open an image", "",
                                                  "Images (*.png *.jpg *.jpeg *.bmp *.gif "
                                                  "*.webp);;All files (*)")
            if not path:
                return False
        try:
            self.image = read_image(path)
        except (OSError, ValueError) as err:
            self.say(str(err), error=True)
            return False
        self.image_name = str(path).replace("\\", "/").rsplit("/", 1)[-1]
        self.say(f"'{self.image_name}': its central square, scaled to 256×256.")
        self._new_pca()
        return True

    def random_crop(self) -> None:
        top, left = A.random_offsets(self.image.shape, A.CROP_SIZE, self.rng)
        self.crop_y.setValue(top)
        self.crop_x.setValue(left)

    def draw_alpha(self) -> None:
        for control, value in zip(self.alphas, A.draw_alpha(self.rng), strict=False):
            control.box.setValue(float(value))

    def alpha(self) -> np.ndarray:
        return np.array([a.box.value() for a in self.alphas])

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        if error:
            show_as_error(self.message)
        else:
            self.message.setForegroundRole(QPalette.ColorRole.WindowText)

    # --- showing -------------------------------------------------------------------------
    def pca(self) -> A.ColourPCA:
        """The colour PCA the lighting uses, by the source chosen (made once per choice)."""
        if self._pca is None:
            source = self.source.currentText()
            if source == "this image":
                self._pca = A.pca_of(self.image)
            elif source == "the procedural set":
                if self._set is None:
                    self._set = A.procedural_set()
                self._pca = A.pca_of(self._set)
            else:
                self._pca = A.imagenet_pca()
        return self._pca

    def _new_pca(self) -> None:
        self._pca = None
        self.refresh()

    def refresh(self) -> None:
        top, left, size = self.crop_y.value(), self.crop_x.value(), A.CROP_SIZE
        flipped = self.flip.isChecked()
        pca, alpha = self.pca(), self.alpha()
        out = A.augment(self.image, top, left, flipped, pca, alpha)
        self.result = out
        self.views[0].set_image(self.image, (top, left, size))
        for view, image in zip(self.views[1:], (out.crop, out.flipped, out.lit), strict=False):
            view.set_image(image)
        texts = (f"{self.image_name}, 256×256, crop box at x {left}, y {top}",
                 f"the {size}×{size} crop", "mirrored" if flipped else "not flipped (Flip off)",
                 added_text(out.shift))      # at most three lines
        for caption, text in zip(self.captions, texts, strict=False):
            caption.setText(text)
        self.colours.setText(colours_html(pca, out))
        self.components.setText(components_html(pca, alpha, out))
        self._hold_widths(pca, out)

    def _hold_widths(self, pca, out) -> None:
        """Each table as wide as its widest numbers make it (all negative): 8.4's reveal
        widened the added colour's column and moved the components table 31 px right."""
        widest = replace(out, weights=np.full(3, -8.8888), shift=np.full(3, -8.8888))
        for label, html in ((self.colours, colours_html(pca, widest)),
                            (self.components, components_html(pca, np.full(3, -8.888), widest))):
            probe = QLabel(html, textFormat=Qt.TextFormat.RichText)
            probe.setFont(label.font())
            label.setMinimumWidth(probe.sizeHint().width())
