"""The augmentation demo: crops, flips and PCA lighting shown on one image, driven by its
controls, by the Training tab, by a lesson; readable on a projector."""
import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QScrollArea

from bpviz.core.data import augment as A
from bpviz.core.data.photos import PHOTOS, photo
from bpviz.core.teaching.lessons import LessonError, lesson_from_dict
from bpviz.gui.training.augment_demo import SOURCES, AugmentDemo
from bpviz.gui.training.augment_views import read_image

from ..readability import too_small
from ..test_readable_sizes import MODES, set_mode


@pytest.fixture
def demo(qtbot):
    widget = AugmentDemo()
    qtbot.addWidget(widget)
    widget.resize(1280, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_pixels(view) -> np.ndarray:
    """The (H, W, 3) pixels an ImageView was given to draw."""
    image = view.image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * image.height())
    return rows.reshape(image.height(), -1)[:, :3 * image.width()].reshape(
        image.height(), image.width(), 3).copy()


def test_the_sliders_change_the_lit_image_by_exactly_p_alpha_lambda(demo):
    before = shown_pixels(demo.views[3])
    demo.alphas[0].slider.setValue(500)                    # α1 = 0.5, by the slider
    assert demo.alphas[0].box.value() == pytest.approx(0.5)
    after = shown_pixels(demo.views[3])
    assert not np.array_equal(before, after)
    pca = A.pca_of(demo.image)
    expected = A.light(demo.result.flipped, pca.eigval, pca.eigvec, [0.5, 0, 0])
    assert np.allclose(demo.result.lit, expected)
    assert np.array_equal(after, A.rgb_pixels(expected))
    assert "0.500" in demo.components.text()
    demo.alphas[2].box.setValue(-0.25)                     # the box moves its slider too
    assert demo.alphas[2].slider.value() == -250


def test_crop_box_flip_and_draw(demo):
    demo.crop_x.setValue(30)
    demo.crop_y.setValue(2)
    assert demo.views[0].box == (2, 30, 224)
    assert np.array_equal(demo.result.crop, demo.image[:, 2:226, 30:254])
    assert np.array_equal(demo.result.flipped, demo.result.crop)
    demo.flip.setChecked(True)
    assert np.array_equal(demo.result.flipped, demo.result.crop[:, :, ::-1])
    assert "x 30, y 2" in demo.captions[0].text() and demo.captions[2].text() == "mirrored"
    demo.draw_alpha()
    drawn = demo.alpha()
    assert np.allclose(drawn, np.round(A.draw_alpha(np.random.default_rng(0)), 3))
    demo.random_crop()
    offsets = (demo.crop_y.value(), demo.crop_x.value())
    assert all(0 <= v <= 32 for v in offsets)


def test_the_covariance_source_changes_lambda_and_p(demo):
    own = demo.pca()
    demo.source.setCurrentText("ImageNet (as trained)")
    assert np.allclose(demo.pca().eigval, A.IMAGENET_EIGVAL)
    assert "0.2175" in demo.components.text() and "0.0805" in demo.colours.text()
    demo.source.setCurrentText("the procedural set")
    pooled = demo.pca()
    assert not np.allclose(pooled.eigval, own.eigval)
    demo.chooser.setCurrentIndex(1)
    demo.chooser.activated.emit(1)
    assert demo.image_name == "espresso"


def test_a_picked_file_that_is_not_an_image_gives_a_clear_message(demo, tmp_path):
    before = demo.image.copy()
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    assert demo.open_file(text) is False
    assert "'notes.png' is not an image that can be read" in demo.message.text()
    assert demo.message.foregroundRole() == QPalette.ColorRole.BrightText          # error colour
    assert np.array_equal(demo.image, before)              # the demo keeps its image
    assert demo.open_file(tmp_path) is False
    assert "is a folder" in demo.message.text()


def test_a_picked_image_is_centre_cropped_and_scaled_to_256(demo, tmp_path):
    picture = QImage(600, 300, QImage.Format.Format_RGB888)
    picture.fill(QColor(0, 0, 255))
    for x in range(150, 450):                              # the central square is red
        for y in range(300):
            picture.setPixelColor(x, y, QColor(255, 0, 0))
    path = tmp_path / "wide.png"
    assert picture.save(str(path))
    assert demo.open_file(path) is True
    assert demo.image.shape == (3, 256, 256)
    assert np.allclose(demo.image[:, 5:-5, 5:-5].reshape(3, -1).T, [1, 0, 0])
    assert demo.image_name == "wide.png" and "wide.png" in demo.captions[0].text()
    assert read_image(path).shape == (3, 256, 256)


def test_the_training_tab_and_a_lesson_open_it(qtbot, window):
    spec = {"format": "bpviz.lesson", "version": 1, "title": "AlexNet",
            "steps": [{"title": "Lighting", "text": "PCA colour augmentation.",
                       "do": [{"augment_demo": True},
                              {"set": {"control": "augment_alpha_0", "value": 0.3}},
                              {"set": {"control": "augment_flip", "value": True}}]},
                      {"title": "Back", "text": "The recipe.", "do": [{"augment_demo": False}]}]}
    lesson = lesson_from_dict(spec, "augment")
    window.lessons.start(lesson)
    tab = window.training_tab.panel
    assert window.tabs.currentWidget() is window.training_tab
    assert tab.pages.currentWidget() is tab.augment_demo
    assert tab.augment_demo.alpha()[0] == pytest.approx(0.3) and tab.augment_demo.flip.isChecked()
    window.lessons.next()
    assert tab.pages.currentIndex() == 0
    tab.augment_button.click()                             # the Training tab's own button
    assert tab.pages.currentWidget() is tab.augment_demo
    tab.augment_demo.findChild(type(tab.augment_button), "augment_back").click()
    assert tab.pages.currentIndex() == 0
    window.show_tab("backprop")
    window.augment_action.trigger()                        # View ▸ AlexNet Augmentation Demo
    assert window.tabs.currentWidget() is window.training_tab
    assert tab.pages.currentWidget() is tab.augment_demo


def test_the_lesson_format_checks_the_action():
    step = {"title": "t", "text": "x", "do": [{"augment_demo": "yes"}]}
    with pytest.raises(LessonError, match=r"do\[0\]\.augment_demo: expected one of True"):
        lesson_from_dict({"format": "bpviz.lesson", "version": 1, "title": "a",
                          "steps": [step]}, "bad")


@pytest.mark.parametrize("mode", ["desk", "projector"])
def test_every_text_is_readable_at_desk_and_projector_sizes(qtbot, window, mode):
    px = set_mode(qtbot, window, mode)
    size = MODES[mode][1]
    window.show_tab("training")
    tab = window.training_tab.panel
    tab.show_augment_demo(True)
    demo = tab.augment_demo
    qtbot.waitUntil(lambda: demo.isVisible() and demo.views[3].width() > 100)
    # the Training tab asks for the room of the page it shows, not of its tall form
    assert window.training_tab.minimumSizeHint().height() < size[1] - 100
    assert window.height() == size[1]
    assert too_small(demo, px) == []
    assert demo.formula.text_px() >= px
    for view in demo.views:                                # nothing squeezed
        assert view.width() >= 112 and view.height() >= 112
    scroll = demo.findChild(QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()   # the page fits the width
    window.grab().save(f"/tmp/augment_{mode}.png")


def test_in_presentation_the_page_fits_what_the_tab_has_at_1280x720(qtbot):
    """1280×720 less the menu bar, the tab bar and the status bar: nothing to scroll, the
    pictures at least 150 px, the text at least 16 px."""
    from PySide6.QtWidgets import QApplication

    from bpviz.gui.theme import THEMES, apply_theme
    apply_theme(QApplication.instance(), THEMES["dark"], True)
    try:
        demo = AugmentDemo()
        qtbot.addWidget(demo)
        demo.resize(1260, 600)
        demo.show()
        qtbot.waitExposed(demo)
        QApplication.processEvents()          # the scroll area lays its page out
        scroll = demo.findChild(QScrollArea)
        for source in reversed(SOURCES):                   # ImageNet's numbers are widest
            demo.source.setCurrentText(source)
            QApplication.processEvents()
            assert not scroll.verticalScrollBar().isVisible(), source
            assert not scroll.horizontalScrollBar().isVisible(), source
        assert min(min(v.width(), v.height()) for v in demo.views) >= 150
        assert too_small(demo, 16) == []
        demo.grab().save("/tmp/augment_page_projector_dark.png")
    finally:
        apply_theme(QApplication.instance(), THEMES["light"], False)


def test_the_demo_shows_photographs_named_as_what_they_are(demo):
    """Issue 20 item 8: photographs (no stripes called "kit fox"), and the lighting's change
    written per channel under the lit picture."""
    names = [demo.chooser.itemText(k) for k in range(demo.chooser.count())]
    assert names == list(PHOTOS.values()) and "kit fox" not in names
    assert demo.image_name == "tabby cat" and np.array_equal(demo.image, photo("tabby cat"))
    assert "tabby cat" in demo.captions[0].text()
    demo.chooser.setCurrentIndex(2)
    demo.chooser.activated.emit(2)
    assert demo.image_name == "photo: rocket" and "photo: rocket" in demo.captions[0].text()
    demo.source.setCurrentText("ImageNet (as trained)")
    demo.alphas[0].box.setValue(1.0)
    shift = 255 * A.lighting_shift(A.IMAGENET_EIGVAL, A.IMAGENET_EIGVEC, [1, 0, 0])
    caption = demo.captions[3].text().replace("\u00a0", " ")
    for channel, value in zip("RGB", shift, strict=True):
        assert f"{channel} {value:+.1f}".replace("-", "−") in caption
    # a photo's pixels differ from place to place: the crop and the mirror image show it
    crop = demo.result.crop
    assert np.abs(crop - crop[:, :, ::-1]).mean() > 0.05
    demo.crop_x.setValue(0)
    left = demo.result.crop.copy()
    demo.crop_x.setValue(32)
    assert np.abs(left - demo.result.crop).mean() > 0.02


def test_lesson_8_shows_the_whole_demo_at_1280x720_presentation(qtbot, window):
    """Issue 20 item 8: beside the lesson on a 1280×720 projector, the lit picture, the
    α₂/α₃ sliders and the λ row are in view, not below the fold or off to the right."""
    set_mode(qtbot, window, "projector")
    assert window.lessons.open("08_alexnet_case_study", 4, ask=False) == ""   # a wide formula
    demo = window.training_tab.panel.augment_demo
    qtbot.wait(50)
    scroll = demo.findChild(QScrollArea)
    viewport = scroll.viewport()

    def in_view(widget) -> bool:
        top_left = widget.mapTo(viewport, widget.rect().topLeft())
        bottom_right = widget.mapTo(viewport, widget.rect().bottomRight())
        return viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)
    assert not scroll.horizontalScrollBar().isVisible()
    for widget in (demo.views[3], demo.captions[3], demo.alphas[1].slider,
                   demo.alphas[2].slider, demo.alphas[2].box, demo.components, demo.colours):
        assert in_view(widget), (widget.objectName(), widget.geometry())
    assert demo.views[3].width() >= 150


def test_lesson_8_step_4s_added_colour_takes_three_lines_at_most(qtbot, window):
    """Issue 20: at 8.4's reveal the added-colour caption wrapped to a fourth line (an
    orphaned "255)") and the pictures shrank to 178 px; now three lines at most, 200 px."""
    set_mode(qtbot, window, "projector")
    assert window.lessons.open("08_alexnet_case_study", 3, ask=False) == ""
    demo = window.training_tab.panel.augment_demo
    window.lessons.answer(0)
    qtbot.wait(100)
    assert demo.alphas[0].box.value() == 1.0
    caption = demo.captions[3]
    assert caption.heightForWidth(caption.width()) < 4 * caption.fontMetrics().lineSpacing()
    assert min(demo.views[3].width(), demo.views[3].height()) >= 190
