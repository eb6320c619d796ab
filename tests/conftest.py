import os
from pathlib import Path

# Before any QApplication exists: the suite needs no display. The offscreen screen is a
# desk's 1920x1080 (its default, 800x800, would shrink every window the app fits to it);
# the laptop and projector sizes are tested where they matter, on screens of their own.
SCREEN = Path(__file__).with_name("offscreen_screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")
