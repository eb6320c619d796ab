"""The mouse as a user moves it over what is on screen: hovering (with the tool tip it asks
for), the wheel, and which widgets are visible. Events are sent to the widget named, as
Qt delivers them to the widget under the mouse (an ignored one goes up to its parents)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget


def alive(widget) -> bool:
    """Still there and on screen (an action may have deleted or hidden it)."""
    return widget is not None and shiboken6.isValid(widget) and widget.isVisible()


def visible(root: QWidget) -> list[QWidget]:
    """The widgets inside ``root`` that are on screen, in a fixed order."""
    return [w for w in root.findChildren(QWidget)
            if w.isVisible() and not w.size().isEmpty() and not w.isWindow()]


def kind(widget: QWidget) -> str:
    """A plain QWidget is named by its parent: a scroll area's viewport is not a spacer."""
    if type(widget) is QWidget and widget.parentWidget() is not None:
        return f"QWidget in {type(widget.parentWidget()).__name__}"
    return type(widget).__name__


def points(widget: QWidget) -> list[QPointF]:
    """Where the mouse goes: the middle, near two corners, and on the canvas its items."""
    r = widget.rect()
    spots = [r.center(), QPoint(2, 2), QPoint(r.width() - 3, r.height() - 3)]
    view = widget.parentWidget()
    if isinstance(view, QGraphicsView) and widget is view.viewport():
        items = [item for item in view.items() if item.isVisible()][:6]
        spots += [view.mapFromScene(item.sceneBoundingRect().center()) for item in items]
    return [QPointF(p) for p in spots if r.contains(p)]


def hover(widget: QWidget, at: QPointF) -> None:
    QApplication.sendEvent(widget, QMouseEvent(
        QEvent.Type.MouseMove, at, QPointF(widget.mapToGlobal(at)), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    if alive(widget):
        QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, at.toPoint(),
                                                  widget.mapToGlobal(at.toPoint())))


def wheel(widget: QWidget, at: QPointF, turn: int, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """``turn`` in eighths of a degree: 120 is one notch away from the user."""
    QApplication.sendEvent(widget, QWheelEvent(
        at, QPointF(widget.mapToGlobal(at)), QPoint(), QPoint(0, turn), Qt.MouseButton.NoButton,
        mods, Qt.ScrollPhase.NoScrollPhase, False))


def move_over(widget: QWidget) -> None:
    """Hover at each of ``points``, then a wheel notch each way (the second with Ctrl)."""
    for at in points(widget):
        if not alive(widget):
            return
        hover(widget, at)
    centre = QPointF(widget.rect().center())
    for turn, mods in ((-120, Qt.KeyboardModifier.NoModifier),
                       (120, Qt.KeyboardModifier.ControlModifier)):
        if alive(widget):
            wheel(widget, centre, turn, mods)
