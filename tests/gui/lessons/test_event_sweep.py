"""The event sweep (issue 20): at every step of every shipped lesson, before and after its
reveal, at 1280x720 in presentation mode, the mouse goes over the whole window as the class
sees it. Each visible widget gets mouse moves (with the tool tip that hovering asks for), a
wheel turn, a Ctrl+wheel and a double-click; whatever a double-click enlarges gets the same
inside the enlarged view, then Esc. Nothing may escape into Qt, no dialog, popup or window
may be left open, the data, batch, sample, tab and step must be as they were (a stray wheel
turn over a control changes nothing: widgets/wheel_style.py), and Page Down must still move
the lesson on.

Sampled, deterministically, to keep the file near a minute on a 2-core machine: in each
state of a step (before its reveal, after it) every class of visible widget is swept, one
widget of each class, the one the state's number picks, so that a lesson's states between
them reach many widgets of a class (labels, buttons). A widget inside a view already
enlarged in that state gets no second double-click (it would enlarge the same view again);
the enlarged view's own widgets are sampled the same way. Only what is in sight is swept
(not a widget scrolled away), and a double-click lands where the widget is in sight.
Buttons, menus, combo boxes, tabs and docks get no double-click: that is two clicks on a
command (on a dock's title bar: float the dock), which their own tests press."""
from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QMenuBar,
    QTabBar,
    QToolTip,
    QWidget,
)

from bpviz.core.teaching.lessons import SUFFIX, load_lesson
from bpviz.paths import lessons_dir

from ..dialogs import answer_dialogs
from ..pointing import alive, kind, move_over, visible

LESSONS = sorted(path.name[:-len(SUFFIX)] for path in lessons_dir().glob(f"*{SUFFIX}"))
PER_CLASS = 1                 # widgets of one class swept in one state of a step
PAINT_EVERY = 10              # widgets swept between two turns of the event loop
# a double-click on these is two clicks on a command (a dock's title bar: float the dock)
COMMANDS = (QAbstractButton, QComboBox, QMenuBar, QTabBar, QDockWidget)


def sample(widgets: list[QWidget], salt: int) -> list[QWidget]:
    """Every class of ``widgets``, at most PER_CLASS of each, picked by ``salt``."""
    by_kind: dict[str, list[QWidget]] = {}
    for widget in widgets:
        by_kind.setdefault(kind(widget), []).append(widget)
    picked = []
    for group in by_kind.values():
        n = len(group)
        picked += [group[(salt + k * (n // PER_CLASS + 1)) % n] for k in range(min(n, PER_CLASS))]
    return picked


class Sweep:
    """The mouse over one window; ``swept`` counts the widgets, by class."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window, self.focus = qtbot, window, window.focus
        self.swept: dict[str, int] = {}
        self.enlarged = 0

    def touch(self, widget: QWidget, double: bool = True) -> None:
        move_over(widget)
        self.swept[kind(widget)] = self.swept.get(kind(widget), 0) + 1
        if double and alive(widget) and not isinstance(widget, COMMANDS):
            # where the class sees it: a double-click at the middle of a widget half
            # scrolled away lands on what is there instead (a dock's title bar)
            spot = in_sight(widget)
            if not spot.isEmpty():
                self.qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=spot.center())
        assert left_open(self.window) == [], (kind(widget), parents(widget),
                                              left_open(self.window))

    def run(self, salt: int) -> None:
        """Sweep what is on screen in the window; what a double-click enlarges is swept and
        closed. A view the step itself enlarged is swept with the rest, and closed."""
        origins: list[QWidget] = []               # the widgets enlarged in this state
        for n, widget in enumerate(sample(reachable(self.window), salt)):
            if n % PAINT_EVERY == 0:              # what the events posted runs, and paints
                QApplication.processEvents()
            if not alive(widget):
                continue
            was_open = self.focus.is_open
            self.touch(widget, double=not inside(widget, origins))
            if self.focus.is_open and not was_open:
                origins.append(self.focus.origin)
                self.sweep_enlarged(salt, kind(widget))
        self.escape()
        QToolTip.hideText()

    def sweep_enlarged(self, salt: int, opener: str) -> None:
        """The enlarged view gets what the window got (a double-click inside it enlarges
        nothing further), then Esc closes it."""
        self.enlarged += 1
        QApplication.processEvents()              # laid out: the enlarged view has its size
        for inner in sample(reachable(self.focus.view), salt):
            if alive(inner) and self.focus.is_open:
                self.touch(inner)
        self.escape()
        assert not self.focus.is_open, f"Esc left {opener}'s enlarged view open"

    def escape(self) -> None:
        target = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(target, Qt.Key.Key_Escape)
        QApplication.processEvents()


def in_sight(widget: QWidget) -> QRect:
    """The largest rectangle of ``widget`` that is on screen (not scrolled away, not under
    another widget); empty where none is."""
    return max(widget.visibleRegion(), key=lambda r: r.width() * r.height(), default=QRect())


def reachable(root: QWidget) -> list[QWidget]:
    """The visible widgets in ``root`` that the mouse can reach: some of each is in sight."""
    return [w for w in visible(root) if not in_sight(w).isEmpty()]


def parents(widget: QWidget) -> str:
    """Where ``widget`` sits: its parents' classes, the nearest first."""
    names = []
    while widget is not None and shiboken6.isValid(widget):
        names.append(type(widget).__name__)
        widget = widget.parentWidget()
    return " < ".join(names)


def inside(widget: QWidget, origins: list[QWidget]) -> bool:
    """``widget`` is one of ``origins`` or inside one (each may be gone by now)."""
    return any(shiboken6.isValid(o) and (o is widget or o.isAncestorOf(widget))
               for o in origins)


@pytest.fixture
def dialogs(monkeypatch):
    """Any dialog a sweep opens is recorded and answered at once (none may open)."""
    return answer_dialogs(monkeypatch)


def lesson_state(window) -> tuple:
    """What a stray wheel turn or double-click must not change mid-lesson: the data, the
    batch, the sample shown, the tab, the lesson's step."""
    data = window.classroom.data
    return (data.source, data.file, data.batch, data.sample, data.batch_seed,
            window.tabs.currentIndex(), window.lessons.index)


def left_open(window) -> list[str]:
    """Dialogs, popups and windows other than ``window`` still on screen (tool tips aside)."""
    tops = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window
            and w.windowType() != Qt.WindowType.ToolTip]
    return [" ".join((type(w).__name__, repr(w.windowTitle()))) for w in tops]


@pytest.mark.parametrize("name", LESSONS)
def test_the_mouse_over_every_step_of_a_lesson_breaks_nothing(qtbot, window, dialogs, name):
    lesson = load_lesson(lessons_dir() / f"{name}{SUFFIX}")
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)                    # a projector's (full screen is the screen's)
    window.lessons.open(name, ask=False)
    sweep = Sweep(qtbot, window)
    states = 0
    with qtbot.captureExceptions() as escaped:
        while window.lessons.active and not window.lessons.finishing:
            at = (window.lessons.index, window.lessons.index in window.lessons.revealed)
            assert window.lessons.panel.error.text() == "", window.lessons.panel.error.text()
            knocked = lesson_state(window)
            sweep.run(salt=states)
            states += 1
            assert lesson_state(window) == knocked, (at, knocked, lesson_state(window))
            assert escaped == [], (at, escaped[:1])
            assert dialogs == [] and left_open(window) == [], (at, dialogs, left_open(window))
            assert QApplication.activePopupWidget() is None, at
            qtbot.keyClick(QApplication.focusWidget() or window.view, Qt.Key.Key_PageDown)
            now = (window.lessons.index, window.lessons.index in window.lessons.revealed)
            assert now != at or window.lessons.finishing, f"Page Down did not move on from {at}"
    asked = sum(step.question is not None for step in lesson.steps)
    assert states == len(lesson.steps) + asked          # every step, every reveal
    assert sweep.swept and sweep.enlarged > 0
