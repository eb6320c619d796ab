"""The mouse wheel over a control that has no focus scrolls what holds the control.

A lecturer scrolling the lesson strip, the Inspector or a lab passes over spin boxes, sliders,
combo boxes and tab bars on the way. Qt gives each of them the wheel whether focused or not
(a spin box or a combo box even takes the focus from the wheel), so the turn meant for the
page changed the batch size, chose another data set (or "CSV file…", whose file dialog then
stopped the lesson) or another tab mid-lesson. Here such a control takes the wheel only once
it has the focus (a click or Tab first); otherwise the turn goes to the widgets around it, as
Qt passes on any wheel event a widget does not take, and the scroll area there scrolls.

One filter on the application does it for every window, present and future (``install``)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QTabBar,
    QWidget,
)

# controls whose value a stray wheel turn would change; a scroll bar is there to be wheeled
GUARDED = (QAbstractSpinBox, QAbstractSlider, QComboBox, QTabBar)
WHEEL, SHOW = QEvent.Type.Wheel, QEvent.Type.Show


def is_guarded(widget) -> bool:
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


def has_focus(control: QWidget) -> bool:
    """The keyboard focus is on ``control`` or inside it (an editable combo box's line
    edit)."""
    focused = QApplication.focusWidget()
    return focused is not None and (focused is control or control.isAncestorOf(focused))


def pass_on(control: QWidget, event: QWheelEvent) -> None:
    """Offer ``event`` to the parents of ``control``, nearest first, until one takes it: Qt's
    own way with a wheel event a widget ignores (QApplication::notify), which Qt 6 follows
    only for the events of a real wheel, not for those a program sends."""
    widget, at = control, event.position()
    while not widget.isWindow() and not widget.testAttribute(
            Qt.WidgetAttribute.WA_NoMousePropagation):
        at += QPointF(widget.pos())
        parent = widget.parentWidget()
        if parent is None:
            return
        widget = parent
        offered = QWheelEvent(at, event.globalPosition(), event.pixelDelta(),
                              event.angleDelta(), event.buttons(), event.modifiers(),
                              event.phase(), event.inverted(), event.source())
        QApplication.sendEvent(widget, offered)
        if offered.isAccepted():
            return


class WheelGuard(QObject):
    """The application's event filter: a wheel turn over an unfocused control goes to what
    holds it; a control is kept from taking the focus from the wheel (Qt.FocusPolicy.WheelFocus becomes
    Qt.FocusPolicy.StrongFocus when it is first shown)."""

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind is WHEEL:
            if is_guarded(watched) and not has_focus(watched):
                pass_on(watched, event)
                event.accept()                   # taken here: Qt passes it on no further
                return True
        elif kind is SHOW and is_guarded(watched) \
                and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            # when first shown, not while polished: a focus policy changed inside the polish
            # set off a long stream of layout events in the Losses tab
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False



GUARDS: list = []                     # the one guard, kept alive here
ON: list = []                         # [True] while it filters the application's events


def install(app: QApplication) -> None:
    """The guard, once per application; the controls polished before it came (a spin box
    is polished when its size is first asked) are kept from the wheel's focus here."""
    if GUARDS:
        return
    GUARDS.append(WheelGuard(app))
    resume(app)


def suspend(app: QApplication) -> None:
    """Hold the guard off while the main window is built and first painted: as the
    application's filter it sees every event of every object (about 2,700 before the first
    paint, some 30 ms of CPU; issue 24), and no wheel turn comes before the window is on
    the screen. ``resume`` puts it back."""
    if ON:
        app.removeEventFilter(GUARDS[0])
        ON.clear()


def resume(app: QApplication) -> None:
    """The guard on ``app``, unless it is on already; the controls shown meanwhile are kept
    from the wheel's focus, as the guard would have kept them."""
    if GUARDS and not ON:
        ON.append(True)
        app.installEventFilter(GUARDS[0])
        for widget in app.allWidgets():
            if is_guarded(widget) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
