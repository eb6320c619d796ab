"""Tab follows what is on screen (issue 21): part by part (the tab bar, the tab's page,
each dock, the lesson strip, an enlarged view, and within them each bar, form or column),
each read left to right, top to bottom, whatever order the controls were made in or a
layout (presentation mode) put them in. The main window moves the focus with
``tab_to_next``; a dialog takes the order once, the first time the focus comes into it
(``order_dialog``)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QWidget

# a dock's title-bar buttons: their actions are in the View menu
DOCK_BUTTONS = ("qt_dockwidget_floatbutton", "qt_dockwidget_closebutton")


def is_tab_stop(widget: QWidget) -> bool:
    """Where Tab stops, as Qt decides it (and not on a dock's title-bar buttons)."""
    return (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isVisible()
            and widget.isEnabled() and widget.focusProxy() is None
            and widget.objectName() not in DOCK_BUTTONS)


def reading_order(widgets: list[QWidget], host: QWidget) -> list[QWidget]:
    """``widgets`` left to right in rows, rows top to bottom. Taken from the top, a widget
    joins the row while it starts above the bottom of every one in it (a tall list or the
    canvas does not take in the rows beside it)."""
    box = {w: QRect(w.mapTo(host, QPoint(0, 0)), w.size()) for w in widgets}
    rows: list[list[QWidget]] = []
    bottom = 0                                    # of the row being filled (rows[-1])
    for w in sorted(widgets, key=lambda w: (box[w].top(), box[w].left())):
        if rows and box[w].top() < bottom:
            rows[-1].append(w)
            bottom = min(bottom, box[w].bottom())
        else:
            rows.append([w])
            bottom = box[w].bottom()
    return [w for row in rows for w in sorted(row, key=lambda w: box[w].left())]


def in_reading_order(container: QWidget, stops: list[QWidget],
                     host: QWidget) -> list[QWidget]:
    """``stops`` (inside ``container``) part by part: the parts of ``container`` that hold
    them in reading order, each read whole (a form's column before the plots beside it)."""
    parts: dict[QWidget, list[QWidget]] = {}
    for stop in stops:
        parts.setdefault(part_of(stop, container), []).append(stop)
    order: list[QWidget] = []
    for part in reading_order(list(parts), host):
        inside = [s for s in parts[part] if s is not part]
        order += ([part] if part in parts[part] else []) + (
            in_reading_order(part, inside, host) if inside else [])
    return order


def tab_stops(window: QWidget) -> list[QWidget]:
    """Every Tab stop of ``window`` in the order Tab visits them (``tab_to_next``): the
    window's parts (the tabs, each dock, an enlarged view) in reading order, each whole."""
    stops: list[QWidget] = []
    widget = window.nextInFocusChain()            # the chain is a ring: None never comes
    while widget is not None and widget is not window and len(stops) < 5000:
        if is_tab_stop(widget) and widget.window() is window:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    hidden = covered_parts(window)
    return in_reading_order(window, [s for s in stops if part_of(s, window) not in hidden],
                            window)


def part_of(widget: QWidget, window: QWidget) -> QWidget:
    """The child of ``window`` that ``widget`` is in (``widget`` lies inside ``window``)."""
    while (parent := widget.parentWidget()) is not window:
        assert parent is not None, "part_of: the widget is not inside the window"
        widget = parent
    return widget


def covered_parts(window: QWidget) -> list[QWidget]:
    """The window's parts lying wholly under another raised above them (the tabs and the
    docks under an enlarged view): Tab skips what the user cannot see."""
    parts = [w for w in window.children() if isinstance(w, QWidget) and w.isVisible()
             and not w.isWindow()]
    covers = [not w.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
              for w in parts]                     # not the focus ring, not a pen's overlay
    return [part for k, part in enumerate(parts)
            if any(covers[j] and parts[j].geometry().contains(part.geometry())
                   for j in range(k + 1, len(parts)))]


def tab_to_next(window: QWidget, forward: bool) -> bool:
    """Move the focus to the next (``forward``) or previous Tab stop in reading order;
    False where the focus is not on one (Qt's own order then moves it)."""
    stops, focus = tab_stops(window), QApplication.focusWidget()
    if focus not in stops:
        return False
    target = stops[(stops.index(focus) + (1 if forward else -1)) % len(stops)]
    target.setFocus(Qt.FocusReason.TabFocusReason if forward
                    else Qt.FocusReason.BacktabFocusReason)
    return True


def order_dialog(_old=None, new=None) -> None:
    """The first time the focus comes into a dialog, its Tab order becomes its reading
    order (a dialog button box's follows the platform's button order, not the screen's),
    and Tab leaves a table rather than walking its cells (the arrows do that)."""
    if new is None or not shiboken6.isValid(new):
        return
    dialog = new.window()
    if isinstance(dialog, QDialog) and not dialog.property("bpviz_tab_order"):
        dialog.setProperty("bpviz_tab_order", True)
        for view in dialog.findChildren(QAbstractItemView):
            view.setTabKeyNavigation(False)
        stops = tab_stops(dialog)
        for first, then in zip(stops, stops[1:], strict=False):
            QWidget.setTabOrder(first, then)
