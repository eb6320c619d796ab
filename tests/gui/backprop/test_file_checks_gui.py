"""The files the GUI reads itself are checked before they are read (issue 25, items 5 and
13): a FIFO or an oversize file in an image folder is skipped, never opened; the temp file a
killed autosave left is removed; a recovery file that is a FIFO does not block start-up."""
import os
import time

import pytest
from PySide6.QtGui import QColor, QImage

from bpviz.gui.backprop.data_panel import MAX_IMAGE_BYTES, read_image_folder
from bpviz.gui.config.settings import recovery_path
from tests.core.test_file_checks import finishes_at_once

pytestmark = pytest.mark.timeout(60)


def test_a_fifo_or_an_oversize_image_is_skipped_unopened(qapp, tmp_path):
    root = tmp_path / "pics"
    for cls, color in (("red", "#ff0000"), ("blue", "#0000ff")):
        (root / cls).mkdir(parents=True)
        image = QImage(4, 4, QImage.Format.Format_RGB32)
        image.fill(QColor(color))
        assert image.save(str(root / cls / "1.png"))
    os.mkfifo(root / "red" / "0.png")
    with open(root / "blue" / "0.png", "wb") as f:
        f.truncate(MAX_IMAGE_BYTES + 1)
    (data, skipped), err = finishes_at_once(lambda p: read_image_folder(p, (3, 4, 4)), root)
    assert err is None
    assert skipped == 2 and data.x.shape == (2, 3, 4, 4) and data.classes == ["blue", "red"]


def test_a_killed_autosave_leaves_no_temp_file(window):
    target = recovery_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    left = target.parent / f".{target.name}.k1ll3d00.tmp"
    left.write_text('{"saved_at": ')
    old = time.time() - 120
    os.utime(left, (old, old))
    window.editor.select(["relu2"])
    window.editor.add_op("Sigmoid")
    assert window.document.write_recovery()
    assert sorted(p.name for p in target.parent.glob(".*.tmp")) == []
    left.write_text("{")
    os.utime(left, (old, old))
    window.document.clear_recovery()                 # a clean exit
    assert not left.exists() and not target.exists()


def test_a_recovery_file_that_is_a_fifo_is_ignored(window):
    target = recovery_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    record = finishes_at_once(lambda _p: window.document.recovery_record(), target)
    assert record == (None, None)
