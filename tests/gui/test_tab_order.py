"""The Tab order follows the layout (issue 21): in every panel of every tab, the lesson
strip and the main dialogs, Tab reaches every control, in reading order (left to right,
top to bottom), and leaves the panel again (no trap)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from bpviz.gui.accessibility import controls
from bpviz.gui.tab_order import covered_parts

from .test_accessibility import app_style, click_tab, described, every_control, settle

__all__ = ["app_style"]          # the theme applied as the app does: the focus ring with it


def overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isEnabled()


def box(host: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(host, QPoint(0, 0)), widget.size())


def top_left(host: QWidget, widgets: list) -> QWidget:
    return min(widgets, key=lambda w: (box(host, w).y(), box(host, w).x()))


def entries(root: QWidget, seq: list) -> list[int]:
    """Where in the focus sequence ``seq`` Tab came into ``root`` from outside it."""
    inside = [w is root or root.isAncestorOf(w) for w in seq]
    return [i for i in range(1, len(seq)) if inside[i] and not inside[i - 1]]


def walk(qtbot, host: QWidget, root: QWidget) -> tuple[list, list[str]]:
    """Tab through ``host`` as a keyboard user does, from one of ``root``'s controls round
    the whole cycle and into ``root`` again: (``root``'s controls in the order reached from
    where Tab enters ``root``, what went wrong: a control never reached, focus stuck)."""
    ours = [w for w in controls(root) if takes_tab(w)]
    if not ours:
        return [], []
    ours[0].setFocus(Qt.FocusReason.TabFocusReason)
    seq, problems = [ours[0]], []
    for _ in range(8 * len(controls(host)) + 20):
        before = QApplication.focusWidget()
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is before:
            problems.append(f"Tab stays on {described(now)}")
            break
        seq.append(now)
        entered = entries(root, seq)
        start = entered[0] if entered else seq.index(top_left(host, ours)) \
            if top_left(host, ours) in seq else len(seq)
        if set(ours) <= set(seq[start:]):
            break
    entered = entries(root, seq)
    # a dialog has no outside: read from its top-left control round its cycle
    first = top_left(host, ours)
    start = entered[0] if entered else seq.index(first) if first in seq else len(seq)
    visited = list(dict.fromkeys(w for w in seq[start:] if w in ours))
    problems += [f"never reached: {described(w)}" for w in ours if w not in visited]
    return visited, problems


def order_faults(host: QWidget, visited: list) -> list[str]:
    """A control reached after one that lies below it in the same column, or right of it
    on the same row."""
    boxes = [box(host, w) for w in visited]
    faults = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if overlaps((a.left(), a.right()), (b.left(), b.right())) and b.bottom() < a.top():
                faults.append(f"{described(visited[j])} above {described(visited[i])}")
            if overlaps((a.top(), a.bottom()), (b.top(), b.bottom())) and b.right() < a.left():
                faults.append(f"{described(visited[j])} left of {described(visited[i])}")
    return faults


def check(qtbot, host: QWidget, roots: dict) -> list[str]:
    found = []
    for name, root in roots.items():
        visited, problems = walk(qtbot, host, root)
        found += [f"{name}: {p}" for p in problems + order_faults(host, visited)]
    return found


def panels(window) -> dict:
    """The visible docks' contents and the current tab's page (less its docks); not those
    an enlarged view covers (Tab skips them: test_under_an_enlarged_view...)."""
    hidden = covered_parts(window)
    roots = {f"dock {d.windowTitle()!r}": d.widget() for d in window.findChildren(QDockWidget)
             if d.isVisible() and d.widget() is not None and d not in hidden}
    if window.centralWidget() not in hidden:
        page = window.tabs.currentWidget()
        roots[f"tab {window.tabs.tabText(window.tabs.currentIndex())!r}"] = page
    return roots


@pytest.fixture
def built(window, qtbot):
    every_control(window, qtbot)                   # every tab built, the lesson open
    return window


@pytest.mark.parametrize("presentation", [False, True])
def test_the_lesson_strip_at_a_question_and_the_backprop_tab(built, qtbot, presentation):
    window = built
    click_tab(qtbot, window, 0)
    window.set_presentation(presentation)
    settle(qtbot)
    for _ in range(2):                             # step 3: a question, Previous enabled
        window.lessons.next()
    settle(qtbot)
    strip = window.lessons.panel
    assert strip.number.isVisible() and strip.previous.isEnabled()
    faults = check(qtbot, window, panels(window))
    window.lessons.leave()
    window.focus.close()                           # Esc: what a step enlarged covers the docks
    settle(qtbot)
    window.workspace.show_training()
    settle(qtbot)
    faults += check(qtbot, window, panels(window))
    window.set_presentation(False)
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("tab", [1, 2, 3])
def test_the_other_tabs(built, qtbot, tab):
    window = built
    window.lessons.leave()
    click_tab(qtbot, window, tab)
    settle(qtbot)
    if tab == 2:         # the Optimizers tab makes its fields again for another optimizer
        window.optimizers.panel.optimizers.setCurrentRow(0)
        settle(qtbot)
    faults = check(qtbot, window, panels(window))
    assert not faults, "\n".join(faults)


def test_shift_tab_goes_back_the_same_way(built, qtbot):
    window = built
    click_tab(qtbot, window, 0)
    settle(qtbot)
    forward, _ = walk(qtbot, window, window.lessons.panel)
    assert len(forward) >= 2
    forward[-1].setFocus(Qt.FocusReason.TabFocusReason)
    back = [forward[-1]]
    for _ in range(len(forward) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab,
                       Qt.KeyboardModifier.ShiftModifier)
        back.append(QApplication.focusWidget())
    assert back == forward[::-1]


def dialogs(window, qtbot) -> dict:
    """The main dialogs, open: Lessons…, Keyboard and Mouse, the chain rule, a plot's
    values table."""
    from bpviz.gui.backprop.chain_view import open_chain
    from bpviz.gui.lessons.start_page import StartPage
    start = StartPage(window.lessons, window)
    start.show()
    keys = window.show_keys()
    for _ in range(8):
        window.stepper.step()
    chain = open_chain(window.workspace)
    chain.show()
    from bpviz.gui.widgets.plot_style import ValuesTable
    table = ValuesTable("loss", {"step": [0, 1, 2], "loss": [1.0, 0.5, 0.25]}, window)
    table.show()
    return {"Lessons": start, "Keyboard and mouse": keys, "Chain rule": chain,
            "Values table": table}


def test_the_main_dialogs(window, qtbot):
    faults = []
    for name, dialog in dialogs(window, qtbot).items():
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        settle(qtbot)
        visited, problems = walk(qtbot, dialog, dialog)
        assert len(visited) >= 2, name
        faults += [f"{name}: {p}" for p in problems + order_faults(dialog, visited)]
        dialog.close()
    assert not faults, "\n".join(faults)


def test_under_an_enlarged_view_tab_skips_what_it_covers(window, qtbot):
    """A lesson's reveal enlarges a view over the tabs and the docks, the lesson strip
    beside it: Tab goes between the enlarged view and the strip, never under the view."""
    assert window.lessons.open("01_one_layer", step=2, ask=False) == ""
    window.lessons.next()                          # the reveal enlarges the output
    settle(qtbot)
    focus = window.focus
    assert focus.is_open
    strip = window.lessons.panel
    focus.view.content.setFocus(Qt.FocusReason.TabFocusReason)
    reached = set()
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert focus.view.isAncestorOf(now) or now is strip or strip.isAncestorOf(now), \
            described(now)
        reached.add(now)
    assert strip.next in reached and focus.view.content in reached
