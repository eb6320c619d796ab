"""The dropout mask at AlexNet's scale (issue 20 item 3): a 4,096-unit mask is not ~60 dots
in a heat map but its share of zeros as a number, its first 32×32 units in cells a class
can see, and where the lecture puts dropout next to where this graph has it."""
from PySide6.QtCore import Qt

from bpviz.gui.backprop.dropout_view import CELL, SIDE, DropoutMaskView
from bpviz.paths import example_path

from ..readability import too_small


def test_drop7s_mask_reads_as_a_share_and_a_zoomed_patch(qtbot, window):
    window.document.open_example(example_path("alexnet"))
    classroom = window.classroom
    classroom.set_batch(1)
    window.stepper.train_mode.click()                  # as the user turns training on
    assert classroom.train_mode
    classroom.step_to("drop7", "forward")
    ev = classroom.current
    view = window.inspector.findChild(DropoutMaskView)
    assert view is not None and view.isVisible()
    mask = ev.cache["mask"][ev.sample].ravel()
    zeros = int((mask == 0).sum())
    assert (view.dropped, view.total) == (zeros, 4096)
    assert not view.share.isVisible()       # lesson 8 asks here; its card states the share
    pixmap = view.patch.pixmap()
    assert (pixmap.width(), pixmap.height()) == (SIDE * CELL, SIDE * CELL)
    image = pixmap.toImage()
    for unit in (0, 1, 33, 1023):                     # each unit's cell: black or white
        y, x = divmod(unit, SIDE)
        grey = image.pixelColor(x * CELL + CELL // 2, y * CELL + CELL // 2).value()
        assert grey == (0 if mask[unit] == 0 else 255)
    places = view.places.text()
    assert "outputs of the first two FC layers" in places and "drop7" in places
    assert "relu6" in places
    assert too_small(view, 11) == []
    classroom.step_to("drop7", "backward")     # the mask as the Jacobian's diagonal
    view = window.inspector.findChild(DropoutMaskView)
    assert view.dropped == zeros and view.share.isVisible()
    assert f"{100 * zeros / 4096:.1f} %" in view.share.text()


def test_no_mask_no_view_when_evaluating(window):
    window.document.open_example(example_path("alexnet"))
    window.classroom.set_batch(1)
    window.classroom.step_to("drop6", "forward")
    assert not window.classroom.train_mode
    view = window.inspector.findChild(DropoutMaskView)
    assert view is None or not view.isVisible()


def test_lesson_8_enlarges_the_mask_while_it_asks(qtbot, window):
    """The projector shows the mask's cells while lesson 8 asks about dropout; the share of
    zeros stays for the answer card, and the reveal goes on to the backward Jacobian."""
    window.resize(1280, 720)
    assert window.lessons.open("08_alexnet_case_study", 5, ask=False) == ""
    assert window.focus.is_open
    shown = window.focus.view.content
    assert isinstance(shown, DropoutMaskView) and shown.cell == 2 * CELL
    assert shown.patch.pixmap().width() == SIDE * 2 * CELL
    assert shown.share.isHidden() and "drop7" in shown.title
    qtbot.mouseMove(shown.patch)                          # a lecturer's mouse: nothing breaks
    qtbot.mouseDClick(shown.patch, Qt.MouseButton.LeftButton)
    window.lessons.next()                                 # the reveal
    assert window.focus.is_open and window.focus.origin.objectName() != "dropout"
    assert window.classroom.current.phase == "backward"
