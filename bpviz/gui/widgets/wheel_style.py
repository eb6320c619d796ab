"""The app's style: Fusion, but the mouse wheel over a combo box scrolls what holds it
instead of choosing another item (as Qt's macOS style does). A lecturer scrolling the
Inspector, a lab or the data bar passes over combo boxes on the way: the event sweep of
issue 20 found a wheel turn over the data bar choosing another data set mid-lesson, or
"CSV file…", whose file dialog then stopped the lesson. A combo box still changes with a
click, the arrow keys and typing."""
from __future__ import annotations

from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory


class WheelStyle(QProxyStyle):
    def __init__(self, base: str = "Fusion"):
        super().__init__(QStyleFactory.create(base))

    def styleHint(self, hint, option=None, widget=None, data=None):
        if hint == QStyle.StyleHint.SH_ComboBox_AllowWheelScrolling:
            return 0
        return super().styleHint(hint, option, widget, data)
