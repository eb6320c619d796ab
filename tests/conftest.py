import os

# Before any QApplication exists: the suite needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
