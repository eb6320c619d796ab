"""SessionMenu: File ▸ Save Session… and Open Session… — the window's whole state (graph,
data choice, stepper position, tab, the labs' settings, the lesson and its step) in one
``*.bpviz-session.json`` file (bpviz.core.session), so that an instructor can prepare a
class and open it at the right point.

``capture`` reads the window into a Session; ``restore`` puts one back through the same
calls the menus and controls make (the stepper position by replaying its steps). A file
that cannot be read changes nothing; a session that cannot be shown here (a lesson or data
file gone, a control unknown) is one message, and the state before it comes back.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..core.errors import GraphError
from ..core.lessons import TABS
from ..core.session import (SUFFIX, Aside, DataChoice, LessonPlace, Session, SessionError,
                            load_session, save_session, session_from_dict, session_to_dict)
from ..paths import lessons_dir
from .lessons.controller import UserState, find_lesson

FILE_FILTER = f"bpviz sessions (*{SUFFIX});;All files (*)"
FILE_SOURCES = {"CSV file…": "load_csv", "Image folder…": "load_image_folder"}


# --- the window into a Session ------------------------------------------------------------------
def capture(window) -> Session:
    """Everything a class needs to come back to this point."""
    doc, data, stepper = window.document, window.data, window.stepper
    source = data.source.currentText()
    choice = DataChoice(source, data.batch.value(), data.sample.value(), data.batch_seed,
                        stepper.train_mode.isChecked(),
                        data.file_path if source in FILE_SOURCES else None)
    labs = {name: page.panel.state() for name, page in
            (("losses", window.losses), ("optimizers", window.optimizers)) if page.built}
    return Session(doc.graph, str(doc.path) if doc.path else None, doc.modified,
                   TABS[window.tabs.currentIndex()], choice,
                   len(stepper.stepper.history) if stepper.stepper is not None else 0,
                   labs, _lesson_place(window.lessons))


def _lesson_place(lessons) -> LessonPlace | None:
    if not lessons.active:
        return None
    lesson, own = lessons.lesson, lessons.saved
    shipped = lesson.path is None or lesson.path.parent.resolve() == lessons_dir().resolve()
    aside = None if own is None else Aside(
        own.graph, str(own.path) if own.path else None, own.modified, TABS[own.tab],
        own.data, own.batch, own.sample)
    return LessonPlace(lesson.name if shipped else str(lesson.path), lessons.index, aside)


# --- a Session into the window ------------------------------------------------------------------
def restore(window, session: Session) -> None:
    """Show ``session``; ValueError (LessonError, DataError, GraphError...) saying what
    could not be restored, with the field it came from."""
    lessons = window.lessons
    lessons.leave()
    if session.lesson is not None:
        _start_lesson(lessons, session.lesson)
    window.document.set_graph(session.graph, session.graph_file, session.modified)
    _set_data(window, session.data)
    _replay(window.stepper, session.steps)
    for name, state in session.labs.items():
        window.show_tab(name)            # a lab is built and set as on its own tab
        try:
            getattr(window, name).panel.set_state(state)
        except ValueError as err:
            raise ValueError(f"field labs.{name}: {err}") from None
    window.show_tab(session.tab)


def _start_lesson(lessons, place: LessonPlace) -> None:
    try:
        lesson = find_lesson(place.lesson)
    except ValueError as err:
        raise ValueError(f"field lesson.lesson: {err}") from None
    own = place.aside
    if own is not None:                # given back when the lesson ends, as if put aside
        lessons.saved = UserState(own.graph, own.graph_file, own.modified,
                                  TABS.index(own.tab), own.data, own.batch, own.sample)
    try:
        ran = lessons.start(lesson, place.step)
    except ValueError as err:
        raise ValueError(f"field lesson.step: {err}") from None
    if not ran:
        raise ValueError(f"field lesson: {lessons.panel.error.text()}")


def _set_data(window, choice: DataChoice) -> None:
    data = window.data
    names = [data.source.itemText(i) for i in range(data.source.count())]
    if choice.source not in names:
        raise ValueError(f"field data.source: no data set {choice.source!r} (data sets: "
                         f"{', '.join(names)})")
    if choice.source in FILE_SOURCES:
        _load_file(data, choice)
    else:
        data.use_builtin(choice.source)
    data.batch.setValue(choice.batch)
    if choice.batch_seed != data.batch_seed:
        data.batch_seed = choice.batch_seed
        data.changed.emit()                    # another batch: stepping starts again
    if choice.sample > data.sample.maximum():
        raise ValueError(f"field data.sample: sample {choice.sample} is not in the batch "
                         f"(samples 0 to {data.sample.maximum()})")
    data.sample.setValue(choice.sample)
    window.stepper.train_mode.setChecked(choice.train_mode)


def _load_file(data, choice: DataChoice) -> None:
    """A CSV file or an image folder, read again; its own message if it cannot be."""
    if choice.file is None:
        raise ValueError(f"field data.file: {choice.source!r} needs the file or folder's path")
    said = []
    data.message.connect(said.append)
    try:
        loaded = getattr(data, FILE_SOURCES[choice.source])(choice.file)
    finally:
        data.message.disconnect(said.append)
    if not loaded:
        raise ValueError(f"field data.file: {said[-1] if said else choice.file}")
    data.source.setCurrentText(choice.source)


def _replay(stepper, steps: int) -> None:
    """Take ``steps`` steps from the start, as the Step key would."""
    stepper.reset()
    for _ in range(steps):
        stepper.step()
        if stepper.stepper is None or stepper.stepper.done:
            break
    taken = len(stepper.stepper.history) if stepper.stepper is not None else 0
    if taken != steps:
        reason = stepper.reason.toolTip() if stepper.reason.text() else ""
        raise ValueError(f"field stepper.steps: stepping stopped after {taken} of {steps} "
                         f"steps" + (f" ({reason})" if reason else ""))


# --- the menu -------------------------------------------------------------------------------
class SessionMenu(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def add_actions(self, menu, add) -> None:
        """``add(menu, text, slot, shortcut)`` makes a window-wide action."""
        add(menu, "Open Sess&ion…", self.open_dialog)
        add(menu, "Save Sessio&n…", self.save_dialog)

    def save_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session",
                                              str(Path.home() / f"class{SUFFIX}"), FILE_FILTER)
        return bool(path) and self.save(path)

    def open_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", FILE_FILTER)
        return bool(path) and self.open(path) == ""

    def save(self, path) -> bool:
        try:
            saved = save_session(capture(self.window), path)
        except (SessionError, ValueError) as err:
            self.window.show_error("Cannot save session", str(err))
            return False
        self.window.say(f"Session saved to {saved}")
        return True

    def open(self, path, ask: bool = True) -> str:
        """Show the session in ``path``; returns what went wrong ('' when all came back).
        The message is shown in a dialog (``ask``) and the state before stays or comes
        back. Unsaved changes to the user's graph are asked about first (``ask``)."""
        try:
            session = load_session(path)
        except SessionError as err:
            return self._failed(str(err), ask)
        if ask and not self.window.files.maybe_save():
            return "cancelled"
        before = session_from_dict(session_to_dict(capture(self.window)))   # a copy
        try:
            restore(self.window, session)
        except (ValueError, GraphError, OSError) as err:
            return self._failed(f"'{Path(path).name}': {err}", ask, self._put_back(before))
        self.window.say(f"Session {Path(path).name} restored")
        return ""

    def _put_back(self, before: Session) -> str:
        try:
            restore(self.window, before)
        except (ValueError, GraphError, OSError) as err:    # (never seen: it was on screen)
            return f"; what was shown before could not all come back either: {err}"
        return ""

    def _failed(self, message: str, ask: bool, after: str = "") -> str:
        message += after or "; what was shown before is kept"
        if ask:
            self.window.show_error("Cannot open session", message)
        else:
            self.window.say(message)
        return message
