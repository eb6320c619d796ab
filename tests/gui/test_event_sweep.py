"""The event sweep (issue 20): at every step of every shipped lesson, before and after its
reveal, at 1280x720 in presentation mode, the mouse goes over what the class sees. Each
visible widget gets mouse moves (with the tool tip that hovering asks for), a wheel turn,
a Ctrl+wheel and a double-click; whatever a double-click enlarges gets the same, then Esc.
Nothing may escape into Qt, no dialog or popup may be left open, and Page Down must still
move the lesson on.

Every class of widget on screen is swept at every step; of a class with many widgets on
screen (labels, buttons) one is taken, chosen by the step's number, so that a lesson's
steps between them reach many of them. While a question is asked only the lesson strip is
swept (the answer field, the choices): the rest is swept after the reveal, which may
enlarge a view itself. Buttons, menus, combo boxes and tabs get no
double-click: that is two clicks on a command, which their own tests press."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QMenuBar,
    QTabBar,
    QToolTip,
    QWidget,
)

from bpviz.core.lessons import SUFFIX, load_lesson
from bpviz.paths import lessons_dir

from .dialogs import answer_dialogs
from .pointing import alive, kind, move_over, visible

LESSONS = sorted(path.name[:-len(SUFFIX)] for path in lessons_dir().glob(f"*{SUFFIX}"))
PER_CLASS = 1                 # widgets of one class swept in one state of a step
PAINT_EVERY = 10              # widgets swept between two turns of the event loop
COMMANDS = (QAbstractButton, QComboBox, QMenuBar, QTabBar)     # a double-click is two clicks


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
            self.qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())

    def run(self, salt: int, root: QWidget | None = None) -> None:
        """Sweep what is on screen in ``root`` (the window); what a double-click enlarges
        is swept and closed."""
        for n, widget in enumerate(sample(visible(root or self.window), salt)):
            if n % PAINT_EVERY == 0:              # what the events posted runs, and paints
                QApplication.processEvents()
            if not alive(widget):
                continue
            was_open = self.focus.is_open
            self.touch(widget, double=not was_open)
            if self.focus.is_open and not was_open:
                self.enlarged += 1
                QApplication.processEvents()      # laid out: the enlarged view has its size
                for inner in sample(visible(self.focus.view), salt):
                    if alive(inner):
                        self.touch(inner, double=False)
                self.escape()
                assert not self.focus.is_open, f"Esc left {kind(widget)}'s enlarged view open"
        self.escape()
        QToolTip.hideText()

    def escape(self) -> None:
        target = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(target, Qt.Key.Key_Escape)
        QApplication.processEvents()


@pytest.fixture
def dialogs(monkeypatch):
    """Any dialog a sweep opens is recorded and answered at once (none may open)."""
    return answer_dialogs(monkeypatch)


def left_open(window) -> list[str]:
    """Dialogs, popups and windows other than ``window`` still on screen (tool tips aside)."""
    tops = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window
            and w.windowType() != Qt.WindowType.ToolTip]
    return [type(w).__name__ for w in tops]


@pytest.mark.parametrize("name", LESSONS)
def test_the_mouse_over_every_step_of_a_lesson_breaks_nothing(qtbot, window, dialogs, name):
    lesson = load_lesson(lessons_dir() / f"{name}{SUFFIX}")
    window.resize(1280, 720)
    window.set_presentation(True)
    window.lessons.open(name, ask=False)
    sweep = Sweep(qtbot, window)
    states = 0
    with qtbot.captureExceptions() as escaped:
        while window.lessons.active and not window.lessons.finishing:
            at = (window.lessons.index, window.lessons.index in window.lessons.revealed)
            assert window.lessons.panel.error.text() == "", window.lessons.panel.error.text()
            asking = lesson.steps[at[0]].question is not None and not at[1]
            # while a question is asked only the strip differs from the step's reveal
            sweep.run(salt=states, root=window.lessons.dock if asking else None)
            states += 1
            assert escaped == [], (at, escaped[:1])
            assert dialogs == [] and left_open(window) == [], (at, dialogs, left_open(window))
            assert QApplication.activePopupWidget() is None, at
            qtbot.keyClick(QApplication.focusWidget() or window.view, Qt.Key.Key_PageDown)
            now = (window.lessons.index, window.lessons.index in window.lessons.revealed)
            assert now != at or window.lessons.finishing, f"Page Down did not move on from {at}"
    asked = sum(step.question is not None for step in lesson.steps)
    assert states == len(lesson.steps) + asked          # every step, every reveal
    assert sweep.swept and sweep.enlarged > 0


def test_the_wheel_over_a_combo_box_chooses_nothing_and_opens_no_dialog(qtbot, window, dialogs):
    """The sweep's first finding: a wheel turn over the data bar's data set box chose another
    data set mid-lesson, and one turn further "CSV file…", whose file dialog stopped the
    lesson. The wheel over a combo box now scrolls what holds it (the app's style)."""
    from PySide6.QtCore import QPointF

    from .pointing import wheel
    window.set_presentation(True)                     # the app's style, as at its start
    window.lessons.open("01_one_layer", 1, ask=False)
    box, data = window.data.source, window.classroom.data.source
    for turn in (-120, -120, 120, 120, 120, 120, 120):
        wheel(box, QPointF(box.rect().center()), turn)
    assert window.classroom.data.source == data and box.currentText() == data
    assert dialogs == []
