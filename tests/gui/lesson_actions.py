"""A seeded random session with the lesson features (issue 25), as a class uses them:
Page Down and Page Up, lessons opened at any step and left, answers (right, wrong, "0,75",
junk), views enlarged by double-click or F and the mouse moved over them, Esc, the pen and
the highlighter, help (F1, Shift+F1), the Jacobian's −/+/Fit in a narrow Inspector, the
chain-rule dialog (Ctrl+R), presentation mode (F11), Update & Train (Ctrl+U, its buttons,
Ctrl+Shift+U) and window sizes from a netbook's to a desk's.

Used by tests/gui/test_random_session.py (a short session) and by
benchmarks/random_actions.py (5 × 1,000 actions, crashes and freezes counted)."""
from __future__ import annotations

import random

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QCursor, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QRadioButton, QToolTip

from bpviz.core.teaching.lessons import SUFFIX, load_lesson
from bpviz.gui.widgets.enlarged_view import can_focus
from bpviz.paths import lessons_dir

from .pointing import alive, move_over, visible

LESSONS = {path.name[:-len(SUFFIX)]: load_lesson(path)
           for path in sorted(lessons_dir().glob(f"*{SUFFIX}"))}
JUNK = ("", "abc", "0,75", "1/4", "25 %", "3e-8", "3·10⁻⁸", "10,000", "nan", "1e999", "-",
        "9" * 400, "<b>x</b>", "½", "2,178", "  7 ")
SIZES = ((1280, 720), (1366, 768), (1024, 600), (1920, 1080), (800, 600))
# how often each action is drawn (1 if not named): moving through the lesson most
WEIGHTS = {"act_page_down": 6, "act_page_up": 2, "act_answer": 4, "act_enlarge": 3,
           "act_mouse_over_enlarged": 3, "act_escape": 2, "act_open_lesson": 2}
KEY = Qt.KeyboardModifier


class LessonSession:
    def __init__(self, window, qtbot, seed: int, lessons=tuple(LESSONS)):
        self.w, self.qtbot, self.rng = window, qtbot, random.Random(seed)
        self.lessons = list(lessons)
        self.log: list[str] = []

    def actions(self) -> list:
        return [getattr(self, name) for name in sorted(dir(self)) if name.startswith("act_")
                for _ in range(WEIGHTS.get(name, 1))]

    def step(self) -> str:
        """Draw one action and do it; its name."""
        action = self.rng.choice(self.actions())
        self.log.append(action.__name__)
        action()
        QApplication.processEvents()
        return action.__name__

    def run(self, n: int) -> None:
        for _ in range(n):
            self.step()

    # --- helpers ------------------------------------------------------------------------
    def key(self, key, mods=KEY.NoModifier) -> None:
        """A key pressed where the keyboard focus is; mostly the user has clicked back into
        the main window first (from the chain-rule dialog, or none active after a dialog)."""
        active = QApplication.activeWindow()
        if active is None or (active is not self.w and self.rng.random() < 0.7):
            self.w.activateWindow()
            QApplication.processEvents()
        target = QApplication.focusWidget()
        self.qtbot.keyClick(target if alive(target) else self.w, key, mods)

    def pick(self, widgets):
        widgets = [w for w in widgets if alive(w)]
        return self.rng.choice(widgets) if widgets else None

    def point_at(self, widget) -> None:
        QCursor.setPos(widget.mapToGlobal(widget.rect().center()))

    # --- the lesson ---------------------------------------------------------------------
    def act_open_lesson(self):
        name = self.rng.choice(self.lessons)
        self.w.lessons.open(name, self.rng.randrange(len(LESSONS[name].steps)), ask=False)

    def act_page_down(self):
        self.key(Qt.Key.Key_PageDown)

    def act_page_up(self):
        self.key(Qt.Key.Key_PageUp)

    def act_leave(self):
        if self.rng.random() < 0.3:
            self.w.lessons.leave()

    def act_answer(self):
        lessons, panel = self.w.lessons, self.w.lessons.panel
        if not lessons.active or not panel.check.isVisible() or not panel.check.isEnabled():
            return
        question = lessons.lesson.steps[lessons.index].question
        if question is None:
            return
        if question.choices:
            buttons = [b for b in panel.question.findChildren(QRadioButton) if alive(b)]
            if buttons:
                self.rng.choice(buttons).click()
        else:
            text = self.rng.choice((str(question.answer), str(question.answer) + "1",
                                    self.rng.choice(JUNK)))
            panel.number.setFocus()
            panel.number.selectAll()
            type_text(panel.number, text)
        if self.rng.random() < 0.5:
            self.qtbot.mouseClick(panel.check, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.keyClick(panel.number, Qt.Key.Key_Return)

    # --- enlarging and the mouse --------------------------------------------------------
    def act_enlarge(self):
        target = self.pick(w for w in visible(self.w) if can_focus(w))
        if target is not None:
            self.qtbot.mouseDClick(target, Qt.MouseButton.LeftButton,
                                   pos=target.rect().center())

    def act_enlarge_with_f(self):
        target = self.pick(visible(self.w))
        if target is not None:
            self.point_at(target)
            self.key(Qt.Key.Key_F)

    def act_mouse_over_enlarged(self):
        root = self.w.focus.view if self.w.focus.is_open else self.w
        for widget in self.rng.sample(visible(root), min(3, len(visible(root)))):
            if alive(widget):
                move_over(widget)
        QToolTip.hideText()

    def act_escape(self):
        self.key(Qt.Key.Key_Escape)

    # --- the pen and help ---------------------------------------------------------------
    def act_pen(self):
        self.key(Qt.Key.Key_P if self.rng.random() < 0.5 else Qt.Key.Key_H,
                 KEY.ControlModifier | KEY.ShiftModifier)
        page = self.w.annotations.overlay
        if page.isVisible():
            start = QPoint(self.rng.randrange(max(page.width(), 1)),
                           self.rng.randrange(max(page.height(), 1)))
            self.qtbot.mousePress(page, Qt.MouseButton.LeftButton, pos=start)
            self.qtbot.mouseMove(page, start + QPoint(40, 25))
            self.qtbot.mouseRelease(page, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 30))
        self.key(self.rng.choice((Qt.Key.Key_C, Qt.Key.Key_Backspace, Qt.Key.Key_Escape)))

    def act_help(self):
        if self.rng.random() < 0.5:
            target = self.pick(visible(self.w))
            if target is not None:
                self.point_at(target)
            self.key(Qt.Key.Key_F1)
        else:
            self.key(Qt.Key.Key_F1, KEY.ShiftModifier)       # the key list, read, then Esc
            keys = self.pick(w for w in QApplication.topLevelWidgets()
                             if type(w).__name__ == "KeysDialog")
            if keys is not None:
                self.qtbot.keyClick(keys, Qt.Key.Key_Escape)

    # --- Jacobians, the chain rule, Update & Train ---------------------------------------
    def act_jacobian_zoom(self):
        """−, + or Fit on a Jacobian, with the Inspector squeezed to 60–200 px now and then."""
        from bpviz.gui.widgets.jacobian_view import JacobianView
        if self.rng.random() < 0.5:
            dock = self.w.docks["inspector"]
            self.w.resizeDocks([dock], [self.rng.randint(60, 200)], Qt.Orientation.Horizontal)
        view = self.pick(v for v in self.w.findChildren(JacobianView))
        if view is not None:
            if self.rng.random() < 0.5:
                button = self.pick(view.buttons)
                if button is not None:
                    self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            else:
                view.setFocus()
                self.key(self.rng.choice((Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_0)))

    def act_chain_rule(self):
        self.key(Qt.Key.Key_R, KEY.ControlModifier)
        dialog = getattr(self.w.workspace, "chain_dialog", None)
        if dialog is not None and dialog.isVisible() and self.rng.random() < 0.6:
            dialog.close()

    def act_presentation(self):
        self.key(Qt.Key.Key_F11)

    def act_update_and_train(self):
        if self.rng.random() < 0.4:
            self.key(Qt.Key.Key_U, KEY.ControlModifier)
        elif self.rng.random() < 0.3:
            self.key(Qt.Key.Key_U, KEY.ControlModifier | KEY.ShiftModifier)
        elif self.w.docks["training"].isVisible():
            button = self.pick(b for b in self.w.docks["training"].findChildren(QAbstractButton)
                               if b.isEnabled())
            if button is not None:
                self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            self.w.docks["training"].close()

    def act_resize(self):
        self.w.resize(*self.rng.choice(SIZES))

    def act_dock(self):
        """A dock closed or shown (the lecturer tidies the screen)."""
        dock = self.pick(self.w.findChildren(QDockWidget)) if self.rng.random() < 0.5 else None
        if dock is not None:
            dock.close()
        else:
            self.key(Qt.Key.Key_D, KEY.ControlModifier | KEY.ShiftModifier)


def type_text(widget, text: str) -> None:
    """Key presses that type ``text``, "·" and "⁻⁸" too (QTest's keyClicks aborts the
    process on a character that is not ASCII)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def stop_training(window) -> None:
    """Continuous training started by the session stops (the end of a test or a run)."""
    training = window.workspace.training
    if training.built:
        training.panel.set_continuous(False)

