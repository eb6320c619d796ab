"""LessonController: a lesson in the window — the Lessons menu, the lesson's dock, moving
between steps, answers kept between sessions, and the user's own document put aside while
the lesson runs and given back when it ends."""
from __future__ import annotations

import json

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QFileDialog

from ...core.data.data_source import BUILTIN
from ...core.errors import shown
from ...core.optimization.optim import OptimizerSettings
from ...core.snapshot import still_fits
from ...core.teaching.answers import readings
from ...core.teaching.lessons import (
    SUFFIX,
    TABS,
    Lesson,
    LessonError,
    lessons_in,
    load_lesson,
    where,
)
from ...core.teaching.session_file import Aside
from ...paths import lessons_dir
from ..config.settings import settings
from ..shell.presentation_layout import CORNERS
from . import moments
from .panel import LessonPanel
from .runner import LessonRunner


def find_lesson(name_or_path: str) -> Lesson:
    """A shipped lesson by name (e.g. '01_one_layer'), or a lesson file by path."""
    if name_or_path.endswith(SUFFIX) or "/" in name_or_path or "\\" in name_or_path:
        return load_lesson(name_or_path)
    path = lessons_dir() / f"{name_or_path}{SUFFIX}"
    if not path.is_file():
        known = ", ".join(lesson.name for lesson in lessons_in(lessons_dir())[0])
        raise LessonError(f"no lesson named {shown(name_or_path)} (lessons: {known})")
    return load_lesson(path)


WARM_UP_MS = 0                    # right after the first step is shown


def warm_up() -> None:
    """Load what later steps' views need (the plots' library: a quarter of a second) while
    the class reads the first step, not when Page Down is pressed."""
    import pyqtgraph  # noqa: F401


class LessonController(QObject):
    changed = Signal()                 # a lesson started, moved or ended
    starting = Signal()                # before a lesson takes the window (window_layout.py)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.runner = LessonRunner(window)
        self.lesson: Lesson | None = None
        self.index = 0
        self.visited: dict[int, moments.Visited] = {}   # this run's steps, as they were left
        self.revealed: set[int] = set()           # steps whose answer was shown in this run
        self.tried: set[int] = set()              # steps answered in this run (scored)
        self.cards: dict[int, tuple[str, ...]] = {}           # the values each revealed step's card showed
        self.live = False                         # a step is shown (not yet at the start)
        self.problems_shown = True
        self.user_view: moments.Visited | None = None   # the user's, as the lesson found it
        self.origin: moments.Visited | None = None      # the lesson's start
        self.panel = LessonPanel()
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("dock_lesson")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        window.focus.keep_clear_of(self.dock)     # an enlarged view leaves the strip be
        self.panel.previous_requested.connect(self.previous)
        self.panel.next_requested.connect(self.next)
        self.panel.leave_requested.connect(self.leave)
        self.panel.answered.connect(self.answer)

    @property
    def active(self) -> bool:
        return self.lesson is not None

    def _open(self) -> Lesson:      # steps are shown, answered and revealed only in one
        assert self.lesson is not None, "no lesson is open"
        return self.lesson

    # --- starting and leaving ------------------------------------------------------------
    def start(self, lesson: Lesson, step: int = 0) -> bool:
        """Put the user's document aside and go to ``step`` (from 0) of ``lesson``."""
        if not 0 <= step < len(lesson.steps):
            raise LessonError(f"{lesson.name}{SUFFIX} has steps 1 to {len(lesson.steps)}, "
                              f"not {step + 1}")
        switching = self.lesson is not None        # another lesson was running
        if not switching:
            self.starting.emit()
        classroom = self.window.classroom
        self._stop_training()
        if classroom.aside is None:
            classroom.aside = self._user_state()
            self.user_view = moments.take(self.window)    # given back exactly at the end
            self.window.document.write_recovery()         # a crash in the lesson loses none
        self.lesson = lesson
        self._forget_run()
        self._show_dock()
        with classroom.held():                     # a lesson starts from the defaults
            classroom.set_optimizer(OptimizerSettings().kind)
        if not switching or self.origin is None:
            # a lesson starts from the window as it was before any lesson: not with the
            # panels the lesson before it had open (Update & Train, Gradient Flow)
            self.origin = moments.take(self.window)
        QTimer.singleShot(WARM_UP_MS, self, warm_up)
        return self.go(step)

    def _forget_run(self) -> None:
        """A new run of a lesson: no step visited, revealed or answered yet."""
        self.visited, self.revealed, self.tried, self.live, self.cards = {}, set(), set(), False, {}
        self.finishing = False                  # Page Down once more at the end leaves

    def _stop_training(self) -> None:
        """Continuous training stops: a lesson must not train the user's graph behind it."""
        training = self.window.workspace.training
        if training.built:
            training.panel.set_continuous(False)

    def _show_dock(self) -> None:
        """The lesson is a strip under the canvas, in the Problems list's place (hidden
        while the lesson runs; a lesson's graphs have no problems to list): read left to
        right on a wide projector, it leaves the canvas and the Inspector their width."""
        layout = getattr(self.window, "presentation_layout", None)
        if layout is not None and layout.on:
            # the user's docks given back by a lesson before bring the desk's corners (Qt
            # saves them with the docks): Gradient Flow then took the column's bottom
            for corner, area in CORNERS:
                self.window.setCorner(corner, area)
        if self.dock.isHidden():
            problems = self.window.docks["problems"]
            self.problems_shown = not problems.isHidden()
            problems.hide()
            self.dock.show()
        self.dock.raise_()
        lines = self.panel.fontMetrics().height()
        self.panel.setMinimumHeight(9 * lines)    # a paragraph, a formula and the buttons
        height = max(9 * lines, self.window.height() * 33 // 100)
        self.window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    def _user_state(self) -> Aside:
        w, data = self.window, self.window.classroom.data
        return Aside(w.document.graph, str(w.document.path) if w.document.path else None,
                     w.document.modified, TABS[w.tabs.currentIndex()], data.source,
                     data.batch, data.sample)

    def leave(self) -> None:
        """End the lesson: the user's graph, file, data choice and tab come back."""
        if self.lesson is None:
            return
        self.lesson = None
        self._forget_run()                       # what the steps held goes
        self.window.focus.close()
        self.dock.hide()
        self.window.docks["problems"].setVisible(self.problems_shown)
        w = self.window
        self._stop_training()
        state, w.classroom.aside = w.classroom.aside, None
        view, self.user_view, self.origin = self.user_view, None, None
        if state is not None:
            with w.classroom.held():
                w.document.set_graph(state.graph, state.graph_file, state.modified)
                if view is not None and still_fits(view.snapshot):   # weights, data, steps
                    moments.come_back(self.window, view)
                else:                            # put aside by a session file
                    if state.data in BUILTIN:
                        w.classroom.use_builtin(state.data)
                    w.classroom.set_batch(state.batch)
                    w.classroom.set_sample(min(state.sample, w.classroom.data.samples - 1))
            w.show_tab(state.tab)
        w.say("Left the lesson: your graph is back")
        self.changed.emit()

    # --- moving between steps ------------------------------------------------------------
    def go(self, index: int) -> bool:
        """Show step ``index``: the app as the lesson's steps up to it left it. The next
        step runs its own actions; a step visited before comes back as it was left; any
        other is reached by running the steps' actions on the Classroom from the last step
        at or before it that opens an example, with no view built on the way."""
        lesson, w = self._open(), self.window
        leaving = self.index if self.live else None
        if leaving is not None:
            self.visited[leaving] = moments.take(self.window)
        self.visited = moments.bounded(self.visited, w.classroom.graph)
        came_back = index in self.visited
        follows = leaving == index - 1 and (lesson.steps[leaving].question is None
                                            or leaving in self.revealed)
        self.index, self.live = index, True
        self.panel.show_step(lesson, index)
        w.focus.close()
        try:
            with w.classroom.held():
                if came_back:
                    moments.come_back(self.window, self.visited[index])
                else:
                    self._reach(index, follows)
        except (LessonError, ValueError) as err:
            self._failed(str(err))
            self.changed.emit()                # the Lessons menu follows a failed step too
            return False
        if came_back:
            moments.refocus(w, self.visited[index])
        self.visited = moments.bounded(self.visited, w.classroom.graph)
        step = lesson.steps[index]
        if step.question is not None and index in self.revealed:
            self.panel.show_answer(step.question, self.answers(lesson.name).get(str(index)),
                                   self.cards.get(index, ()))
        self._show_score()
        self.changed.emit()
        return True

    def _reach(self, index: int, follows: bool) -> None:
        """Step ``index`` from the one before it (``follows``), or else from the lesson's
        start. What the class changed on the way (a wheel turned over the data set, a
        sample or a step taken by hand) can leave a step nothing to follow from: it is
        then reached from the start, as a jump is."""
        if follows:
            try:
                self._run_up_to(index, fresh=False)
                return
            except (LessonError, ValueError):
                pass
        self._run_up_to(index, fresh=True)

    def _run_up_to(self, index: int, fresh: bool) -> None:
        """Run step ``index``'s actions (and, ``fresh``, the earlier steps' from the last
        one that opens an example); a question's reveal waits for the answer."""
        lesson = self._open()
        start = index
        if fresh:                  # from the lesson's start: none of a later step's state
            start = max((i for i in range(index + 1)
                         if any("example" in a for a in lesson.steps[i].actions)), default=0)
            if self.origin is not None and still_fits(self.origin.snapshot):
                moments.come_back(self.window, self.origin)
        for i in range(start, index + 1):
            step = lesson.steps[i]
            self.runner.run(step.actions, where(lesson.name + SUFFIX, i, step.title, "do"),
                            replay=i < index)
            if i < index or step.question is None:
                self.runner.run(step.reveal, where(lesson.name + SUFFIX, i, step.title,
                                                   "reveal"), replay=i < index)

    def _failed(self, message: str) -> None:
        self.panel.show_error(message)
        self.window.say(message)

    def next(self) -> None:
        if self.lesson is None:
            return
        step = self.lesson.steps[self.index]
        if step.question is not None and self.panel.check.isEnabled():
            self.reveal(None)                 # Next before answering shows the answer first
            return
        if self.index + 1 < len(self.lesson.steps):
            self.go(self.index + 1)
        elif not self.finishing:             # a presenter remote's extra press: ask once
            self.finishing = True
            self.panel.next.setText("Leave the lesson")
            self.window.say("End of the lesson: Page Down once more leaves it, Page Up goes "
                            "back")
        else:
            self.window.say(f"End of the lesson '{self.lesson.title}'")
            self.leave()

    def previous(self) -> None:
        if self.lesson is not None and self.finishing:      # back from "leave?"
            self.finishing = False
            self.panel.next.setText("Finish")
            return
        if self.lesson is not None and self.index > 0:
            self.go(self.index - 1)

    def reload(self) -> None:
        """Read the lesson file again (while an instructor edits it) and stay on the step."""
        if self.lesson is None or (path := self.lesson.path) is None:
            return
        try:
            lesson = load_lesson(path)
        except LessonError as err:
            self._failed(str(err))
            return
        self.lesson = lesson
        self._forget_run()                       # the steps may differ: run them again
        self.go(min(self.index, len(lesson.steps) - 1))
        self.window.say(f"Reloaded {path.name}")

    # --- questions ---------------------------------------------------------------------
    def answer(self, given) -> None:
        """Check an answer: a wrong first one gets a second try, then the answer shows.
        The score keeps the first answer given in this run of the lesson."""
        step = self._open().steps[self.index]
        assert step.question is not None, "only a step with a question takes an answer"
        if not step.question.choices and not readings(given):   # no try used up on a typo
            self.panel.show_retry(f"{str(given)[:40]!r} is not a number: type it as 0.25, "
                                  f"0,25, 1/4, 25 % or 3e-8")
            return
        right = step.question.is_right(given)
        if self.index not in self.tried:
            self.tried.add(self.index)
            answers = self.answers(self._open().name)
            answers[str(self.index)] = right
            settings().setValue(f"lessons/{self._open().name}", json.dumps(answers))
            if not right:
                self.panel.show_retry("✘ Not quite: try once more (or press Next for the "
                                      "answer).")
                self._show_score(appear=False)
                return
        self.reveal(right)

    def reveal(self, right) -> None:
        """Run the step's reveal, then show the answer with its card's value, read from
        what the reveal left on screen."""
        step, index = self._open().steps[self.index], self.index
        assert step.question is not None, "only a step with a question has an answer to reveal"
        self.revealed.add(index)
        name = self._open().name + SUFFIX
        try:
            with self.window.classroom.held():
                self._run_reveal(index)
            if step.question.card is not None:
                try:
                    card = step.question.card
                    self.cards[index] = tuple(self.runner.card(c) for c in (card, card.also)
                                              if c is not None)
                except LessonError as err:
                    raise LessonError(f"{where(name, index, step.title, 'question.card')}: "
                                      f"{err}") from None
        except (LessonError, ValueError) as err:
            self._failed(str(err))
        self.panel.show_answer(step.question, right, self.cards.get(index, ()))
        self._show_score(appear=False)

    def _run_reveal(self, index: int) -> None:
        """Step ``index``'s reveal; if what the class changed since the step was shown
        leaves it nothing to act on, the step is reached again from the lesson's start."""
        step = self._open().steps[index]
        field = where(self._open().name + SUFFIX, index, step.title, "reveal")
        try:
            self.runner.run(step.reveal, field)
        except (LessonError, ValueError):
            self._run_up_to(index, fresh=True)
            self.runner.run(step.reveal, field)

    @staticmethod
    def answers(name: str) -> dict:
        """{step index: answered right} for lesson ``name``, kept between sessions."""
        try:
            record = json.loads(settings().value(f"lessons/{name}", "{}"))
        except (TypeError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def _show_score(self, appear: bool = True) -> None:
        answers, steps = self.answers(self._open().name), self._open().steps
        right, asked = sum(map(bool, answers.values())), sum(s.question is not None for s in steps)
        self.panel.show_score(right, len(answers), asked, appear)

    # --- menu ------------------------------------------------------------------------------
    def add_actions(self, menu, add) -> None:
        add(menu, "&Lessons…", self.show_start_page, "Ctrl+Shift+L")
        add(menu, "&Open Lesson File…", self.open_file)
        menu.addSeparator()
        self.step_actions = [add(menu, "&Next Step", self.next, "PgDown"),
                             add(menu, "&Previous Step", self.previous, "PgUp"),
                             add(menu, "&Reload Lesson", self.reload, "Ctrl+Shift+R"),
                             add(menu, "L&eave Lesson", self.leave)]
        self.changed.connect(self._enable_actions)
        self._enable_actions()

    def _enable_actions(self) -> None:
        for action in self.step_actions:
            action.setEnabled(self.active)

    def show_start_page(self) -> None:
        from .start_page import StartPage
        StartPage(self, self.window).exec()

    def open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "",
                                              f"bpviz lessons (*{SUFFIX});;All files (*)")
        if path:
            self.open(path)

    def open(self, name_or_path: str, step: int = 0, ask: bool = True) -> str:
        """Start a lesson by name or path at ``step`` (from 0); returns what went wrong
        ('' when it started and its steps up to ``step`` ran). A file that is not a lesson
        is shown in a dialog (``ask``) and changes nothing."""
        try:
            lesson = find_lesson(name_or_path)
            self.start(lesson, step)
        except LessonError as err:
            if ask:
                self.window.show_error("Cannot open lesson", str(err))
            return str(err)
        return self.panel.error.text()

    def start_lesson(self, lesson: Lesson) -> None:
        self.start(lesson, 0)
