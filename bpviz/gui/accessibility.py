"""What a screen reader is told, and what a keyboard user sees (issue 21, WCAG 2.1 AA).

- Every control has an accessible name. Names are given where a control is made; a central
  pass (``name_control``, run by the app's style when a control is first polished) backs
  that up with a name taken from the control's buddy label, its form label, its tool tip,
  its placeholder text or, for a list or tree alone in a dock, the dock's title. Qt gives a
  control its tool tip as description where none is set.
- Focus is visible: one ring (``FocusRing``, a QFocusFrame) follows the focused control and
  is drawn by the style in the theme's selection colour, 2 px wide, in every theme (Fusion
  alone shows focus on some controls with a faint line, on a tool button not at all).
- The colour-blind-safe colour maps are a View menu choice, remembered (``ColourMapChoice``).
"""
from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QAccessible, QPainter, QPen
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider,
                               QAbstractSpinBox, QApplication, QComboBox, QDockWidget,
                               QFocusFrame, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QScrollBar, QStyle, QTabBar, QTextEdit, QWidget)

from .settings import setting, settings
from .widgets.colormap import MAPS, maps_in_use, use_maps
from .widgets.heatmap import HeatMap
from .widgets.wheel_style import WheelStyle

CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QTabBar,
            QTextEdit, QPlainTextEdit, QAbstractItemView)
# parts of another control, which speaks for them (a spin box's line edit, a tab bar's
# scroll arrows), and a dock's title-bar buttons, whose actions are in the View menu
PART_OF = (QAbstractSpinBox, QComboBox, QTabBar)
DOCK_BUTTONS = ("qt_dockwidget_floatbutton", "qt_dockwidget_closebutton")
RING_MARGIN, RING_WIDTH = 3, 2.0          # px outside the control; the ring's line


def is_control(widget: QWidget) -> bool:
    """A widget a user acts on (not a scroll bar, not a part of another control)."""
    parent = widget.parentWidget()
    return (isinstance(widget, CONTROLS) and not isinstance(widget, QScrollBar)
            and not isinstance(parent, PART_OF) and not widget.isWindow()
            and widget.objectName() not in DOCK_BUTTONS)


def controls(root: QWidget) -> list[QWidget]:
    """The controls inside ``root`` that are on screen, in creation order."""
    return [w for w in root.findChildren(QWidget)
            if is_control(w) and w.isVisible() and not w.size().isEmpty()]


def spoken_name(widget: QWidget) -> str:
    """The name Qt's accessibility interface gives ``widget``: what AT-SPI passes on. A
    combo box on Linux gives its current text as name and its label as a relation (Qt's
    QAccessibleComboBox): its name is then its accessible name, else its label's text."""
    iface = QAccessible.queryAccessibleInterface(widget)
    if iface is None:
        return ""
    if isinstance(widget, QComboBox):
        labels = [other.text(QAccessible.Text.Name) for other, _ in
                  iface.relations(QAccessible.RelationFlag.Label)]
        return widget.accessibleName() or next((t for t in labels if t), "")
    return iface.text(QAccessible.Text.Name) or ""


def says_something(name: str) -> bool:
    """A name made of words, not a bare symbol ("−", "+", "▶") or nothing."""
    return any(ch.isalpha() for ch in name)


def plain(text: str) -> str:
    """Rich text (a tool tip) as one plain line, without keyboard-shortcut ampersands."""
    text = re.sub(r"<[^>]+>", " ", text).replace("&&", "\0").replace("&", "")
    return " ".join(text.replace("\0", "&").split())


def label_for(widget: QWidget) -> str:
    """The text of the label that names ``widget``: its buddy, or its form row's label."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    form = parent.layout()
    if isinstance(form, QFormLayout):
        label = form.labelForField(widget)
        if isinstance(label, QLabel):
            return plain(label.text()).rstrip(":")
    buddy = next((lab for lab in parent.findChildren(QLabel, options=Qt.FindDirectChildrenOnly)
                  if lab.buddy() is widget), None)
    return plain(buddy.text()).rstrip(":") if buddy is not None else ""


def derived_name(widget: QWidget) -> str:
    """A name for ``widget`` from what is written around it ("" when nothing is)."""
    tip = plain(widget.toolTip())
    first = re.split(r"(?<=[a-z])[.:;(]|\s\(", tip)[0].strip() if tip else ""
    dock = widget.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    for name in (label_for(widget), first,
                 widget.placeholderText() if isinstance(widget, QLineEdit) else "",
                 plain(dock.windowTitle()) if dock is not None
                 and isinstance(widget, QAbstractItemView) else ""):
        if says_something(name):
            return name
    return ""


def name_control(widget: QWidget) -> None:
    """Give ``widget`` a name where it has none that says something (and keep any given)."""
    if not shiboken6.isValid(widget) or widget.accessibleName():
        return
    spoken = spoken_name(widget)
    if isinstance(widget, QComboBox) or not says_something(spoken):
        name = derived_name(widget)
        if name:
            widget.setAccessibleName(name)


class AccessibleStyle(WheelStyle):
    """The app's style: names controls when they are first polished, and draws the focus
    ring in the palette's highlight colour."""

    def polish(self, target):
        result = super().polish(target)
        if isinstance(target, QWidget) and is_control(target):
            # once its layout and labels are in place (polished as it is first shown)
            QTimer.singleShot(0, target, lambda: name_control(target))
        return result

    def pixelMetric(self, metric, option=None, widget=None):
        if metric in (QStyle.PixelMetric.PM_FocusFrameHMargin,
                      QStyle.PixelMetric.PM_FocusFrameVMargin):
            return RING_MARGIN
        return super().pixelMetric(metric, option, widget)

    def drawControl(self, element, option, painter, widget=None):
        if element != QStyle.ControlElement.CE_FocusFrame:
            return super().drawControl(element, option, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.highlight().color(), RING_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(option.rect).adjusted(inset, inset, -inset, -inset),
                                3, 3)
        painter.restore()
        return None


class FocusRing(QObject):
    """One QFocusFrame that moves to whichever control has the keyboard focus."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.frame: QFocusFrame | None = None
        app.focusChanged.connect(self._follow)

    def _follow(self, _old, new) -> None:
        if self.frame is not None and not shiboken6.isValid(self.frame):
            self.frame = None                  # deleted with the window it was in
        if new is None or not shiboken6.isValid(new) or new.isWindow():
            if self.frame is not None:
                self.frame.setWidget(None)
            return
        if self.frame is None:
            self.frame = QFocusFrame()
            self.frame.setObjectName("focus_ring")
        self.frame.setWidget(new)


def install(app: QApplication) -> None:
    """The focus ring, once per application."""
    if app.property("bpviz_focus_ring") is None:
        app.setProperty("bpviz_focus_ring", True)
        FocusRing(app)


class ColourMapChoice:
    """View ▸ Colour-Blind-Safe Maps: the heat maps, the image grids and the gradient
    colours of the canvas's edges drawn with colormap.MAPS' safe set; remembered."""

    KEY, SAFE = "view/colour_maps", "colour-blind safe"

    def __init__(self, window):
        self.window = window
        self.action = None
        name = setting(self.KEY, str, "standard")
        use_maps(name if name in MAPS else "standard")

    def add_view_actions(self, menu, add) -> None:
        self.action = add(menu, "Colour-&Blind-Safe Maps", self._toggled, checkable=True)
        self.action.setChecked(maps_in_use() == self.SAFE)

    def _toggled(self) -> None:
        self.set_maps(self.SAFE if self.action.isChecked() else "standard")

    def set_maps(self, name: str) -> None:
        """Draw with the maps called ``name`` (a key of MAPS), now and at the next start."""
        use_maps(name)
        settings().setValue(self.KEY, name)
        if self.action is not None:
            self.action.setChecked(name == self.SAFE)
        window = self.window
        window.set_theme(window.theme.name)          # the canvas rebuilds its edges' pens
        for heat in window.findChildren(HeatMap):    # their pictures are made once, cached
            if heat.matrix is not None:
                heat.set_array(heat.matrix, None, heat.note, heat.row_labels, heat.col_labels)
        for widget in [window] + window.findChildren(QWidget):
            widget.update()
