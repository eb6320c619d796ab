"""What a screen reader is told, and what a keyboard user sees (issue 21, WCAG 2.1 AA).

- Every control has an accessible name. Names are given where a control is made; a central
  pass (``name_controls``, run on a panel once it is built: widgets/lazy.py) backs that up
  with a name taken from the control's buddy label, its form label, its tool tip, its
  placeholder text or, for a list or tree alone in a dock, the dock's title. Qt gives a
  control its tool tip as description where none is set. (Not from the style's polish():
  a Python override of QStyle.polish crashed PySide6 6.11 when the style was replaced.)
- Focus is visible: one ring (``FocusRing``) follows the focused control, 3 px wide in the
  theme's selection colour, in every theme (Fusion alone shows focus on some controls with
  a faint line, on a tool button not at all). An own widget, not Qt's QFocusFrame, which is
  drawn through QStyle overrides and keeps a raw pointer to the widget it rings.
- The colour-blind-safe colour maps are a View menu choice, remembered (``ColourMapChoice``).
- Space presses the focused button, check box or toggle, opens the focused combo box, picks
  in the focused list and types into a text field, as a keyboard user expects
  (``SpaceForControls``); elsewhere (the canvas, a slider, a tab bar) it steps the network.
  Step Forward keeps a key that works everywhere (``STEP_KEYS``).
- Tab follows what is on screen, in the main window and in dialogs (tab_order.py).
"""
from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QPainter, QRegion
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from .config.settings import setting, settings
from .tab_order import DOCK_BUTTONS, order_dialog
from .widgets.colormap import MAPS, maps_in_use, use_maps
from .widgets.heatmap import HeatMap
from .widgets.signs import show_signs, signs_shown

CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QTabBar,
            QTextEdit, QPlainTextEdit, QAbstractItemView)
# parts of another control, which speaks for them (a spin box's line edit, a tab bar's
# scroll arrows), and a dock's title-bar buttons, whose actions are in the View menu
PART_OF = (QAbstractSpinBox, QComboBox, QTabBar)
# the ring lies just outside the control, drawn by the window or the scroll area's viewport
# over everything: a panel without margins (the stepper bar, the data bar) does not clip it
RING_MARGIN, RING_WIDTH = 3, 3


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
    # imported here: creating QAccessible's enums (8, 190 names) costs start-up time (issue 24)
    from PySide6.QtGui import QAccessible

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
    buddy = next((lab for lab in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly)
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


def name_controls(root: QWidget) -> None:
    """``name_control`` for every control under ``root`` (a panel once it is built)."""
    for widget in root.findChildren(QWidget):
        if is_control(widget):
            name_control(widget)


def ring_host(widget: QWidget) -> QWidget:
    """Where the ring around ``widget`` is drawn: the viewport of the scroll area it is in
    (the ring scrolls and is clipped with it), else its window."""
    child, parent = widget, widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QAbstractScrollArea) and child is parent.viewport():
            return child
        child, parent = parent, parent.parentWidget()
    return widget.window()


class FocusRing(QWidget):
    """A ring in the palette's highlight colour around the control with the keyboard focus
    (not one focused by a click),
    drawn over its host (``ring_host``) and following the control as it moves. It keeps no
    C++ pointer to the control: a control deleted while ringed only leaves the ring hidden."""

    def __init__(self, app: QApplication):
        super().__init__()
        self.setObjectName("focus_ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None
        self.watched: list[QWidget] = []
        # placed after the event that moved the control, never inside it: a Hide may come
        # from a window being deleted, whose widgets must not be asked anything then
        self.later = QTimer(self, singleShot=True, interval=0)
        self.later.timeout.connect(self.place)
        app.focusChanged.connect(self.follow)
        app.aboutToQuit.connect(self.deleteLater)

    def follow(self, _old=None, new=None) -> None:
        for widget in self.watched:
            if shiboken6.isValid(widget):
                widget.removeEventFilter(self)
        self.watched, self.target = [], None
        # controls only (a panel or the canvas ringed whole is a yellow frame on the
        # projector), and not one a click just focused: the pointer shows where that is
        # (as CSS's :focus-visible)
        if new is None or not shiboken6.isValid(new) or not is_control(new) \
                or QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.hide()
            return
        self.target = new
        self.later.stop()
        host = ring_host(new)
        if self.parentWidget() is not host:
            self.setParent(host)
        moving: QWidget | None = new
        while moving is not None and moving is not host:       # moves of any of them
            moving.installEventFilter(self)
            self.watched.append(moving)
            moving = moving.parentWidget()
        self.place()

    def place(self) -> None:
        target, host = self.target, self.parentWidget()
        if target is None or host is None or not shiboken6.isValid(target) \
                or not target.isVisible():
            self.hide()
            return
        m = RING_MARGIN
        top_left = target.mapTo(host, QPoint(0, 0))
        self.setGeometry(QRect(top_left, target.size()).adjusted(-m, -m, m, m))
        inner = self.rect().adjusted(RING_WIDTH, RING_WIDTH, -RING_WIDTH, -RING_WIDTH)
        self.setMask(QRegion(self.rect()) - QRegion(inner))      # the ring alone
        self.show()
        self.raise_()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show,
                            QEvent.Type.Hide):
            self.later.start()
        return False

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().highlight())
        painter.end()


def install(app: QApplication) -> None:
    """The focus ring and the dialogs' reading order, once per application (kept here:
    they have no parent to keep them)."""
    if not RINGS or not shiboken6.isValid(RINGS[0]):
        RINGS[:] = [FocusRing(app)]
        app.focusChanged.connect(order_dialog)      # tab_order.py


RINGS: list = []


# controls that act on Space themselves (press, open, pick); a text field takes it as text
SPACE_TAKERS = (QAbstractButton, QComboBox, QAbstractItemView)
# Step Forward: Space where no control takes it, F8 (a debugger's "step") everywhere
STEP_KEYS = (QKeySequence("Space"), QKeySequence("F8"))
SPACE_NOTE = ("Space steps the network unless a button, check box, list or text field has "
              "the keyboard focus: there Space presses, picks or types; F8 steps from anywhere")


class SpaceForControls(QObject):
    """Space for the focused control before the window's Space shortcut (Step Forward).
    Qt offers a key to the focused widget first as a ShortcutOverride, which goes up to the
    window unless a widget accepts it; accepted here, the key reaches the control instead of
    the shortcut. Watches the one window (an application-wide filter costs every event)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Space \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier \
                and isinstance(QApplication.focusWidget(), SPACE_TAKERS):
            event.accept()
            return True
        return False


class ColourMapChoice:
    """View ▸ Colour-Blind-Safe Maps: the heat maps, the image grids and the gradient
    colours of the canvas's edges drawn with colormap.MAPS' safe set; View ▸ Signs in Heat
    Maps (S): + and − over the cells of every heat map (widgets/signs.py). Both remembered."""

    KEY, SAFE, SIGNS = "view/colour_maps", "colour-blind safe", "view/signs"

    def __init__(self, window):
        self.window = window
        self.action: QAction | None = None
        self.signs_action: QAction | None = None
        name = setting(self.KEY, str, "standard")
        use_maps(name if name in MAPS else "standard")
        show_signs(setting(self.SIGNS, str, "off") == "on")   # an ini gives bools as text

    def add_view_actions(self, menu, add) -> None:
        self.action = add(menu, "Colour-&Blind-Safe Maps", self._toggled, checkable=True)
        self.action.setChecked(maps_in_use() == self.SAFE)
        self.signs_action = add(menu, "&Signs in Heat Maps", self._signs_toggled, "S",
                                checkable=True)
        self.signs_action.setChecked(signs_shown())

    def _signs_toggled(self) -> None:
        assert self.signs_action is not None, "the slot of signs_action, made with it"
        self.set_signs(self.signs_action.isChecked())

    def set_signs(self, on: bool) -> None:
        """+ and − over the heat maps' cells (``on``), now and at the next start."""
        show_signs(on)
        settings().setValue(self.SIGNS, "on" if on else "off")
        if self.signs_action is not None:
            self.signs_action.setChecked(bool(on))
        for widget in [self.window] + self.window.findChildren(QWidget):
            widget.update()

    def _toggled(self) -> None:
        assert self.action is not None, "the slot of action, made with it"
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
