import os
import sys
from pathlib import Path

import pytest

# Before any QApplication exists: the suite needs no display. The offscreen screen is a
# desk's 1920x1080 (its default, 800x800, would shrink every window the app fits to it);
# the laptop and projector sizes are tested where they matter, on screens of their own.
SCREEN = Path(__file__).with_name("offscreen_screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    """Settings, recent files, the instance lock and the recovery file go to a fresh folder
    for each test, in every room (the Training tab reads its settings in tests/train too):
    no test reads the user's settings or another test's, also with several workers (-n)."""
    path = tmp_path / "config"
    monkeypatch.setenv("BPVIZ_CONFIG_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def widgets_deleted():
    """The widgets a test gave qtbot are deleted when it ends. pytest-qt closes them and calls
    deleteLater, but a DeferredDelete posted outside an event loop waits for one, and the
    suite mostly runs processEvents: windows, their instance locks and their timers piled up
    (nine main windows alive after ten tests), and every later test that drew or processed
    events paid for all of them (issue 22 item 5)."""
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None or widgets.QApplication.instance() is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
