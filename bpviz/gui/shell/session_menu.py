"""SessionMenu: File ▸ Save Session… and Open Session… — the window's whole state (graph,
data choice, stepper position, tab, the labs' settings, the lesson and its step) in one
``*.bpviz-session.json`` file (bpviz.core.teaching.session_file), so that an instructor can prepare
a
class and open it at the right point.

``capture`` makes a Session from the window's Classroom and its tab, labs and lesson;
``restore`` puts one back into the Classroom (bpviz.core.classroom_session), then the labs
and the tab. A file
that cannot be read changes nothing; a session that cannot be shown here (a lesson or data
file gone, a control unknown) is one message, and the state before it comes back.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ...core.classroom_session import FileReaders, restore_classroom, session_of
from ...core.errors import GraphError
from ...core.teaching.lessons import TABS
from ...core.teaching.session_file import (
    SUFFIX,
    LessonPlace,
    Session,
    SessionError,
    load_session,
    save_session,
    session_from_dict,
    session_to_dict,
)
from ...paths import lessons_dir
from ..backprop.csv_reading import read_csv_in_background
from ..backprop.data_panel import read_image_folder
from ..lessons.controller import find_lesson

FILE_FILTER = f"bpviz sessions (*{SUFFIX});;All files (*)"


# --- the window into a Session ------------------------------------------------------------------
def capture(window) -> Session:
    """Everything a class needs to come back to this point."""
    doc = window.document
    labs = {name: page.panel.state() for name, page in
            (("losses", window.losses), ("optimizers", window.optimizers)) if page.built}
    return session_of(window.classroom, str(doc.path) if doc.path else None, doc.modified,
                      TABS[window.tabs.currentIndex()], labs, _lesson_place(window.lessons))


def _lesson_place(lessons) -> LessonPlace | None:
    if not lessons.active:
        return None
    lesson = lessons.lesson
    shipped = lesson.path is None or lesson.path.parent.resolve() == lessons_dir().resolve()
    return LessonPlace(lesson.name if shipped else str(lesson.path), lessons.index,
                       lessons.window.classroom.aside)


# --- a Session into the window ------------------------------------------------------------------
def restore(window, session: Session, as_copy: bool = True) -> None:
    """Show ``session``; ValueError (LessonError, DataError, GraphError...) saying what
    could not be restored, with the field it came from.

    ``as_copy``: the session came from a file, so its graphs open as copies, with no file
    of their own (Save asks where): a shared session's ``graph_file`` must not make Ctrl+S
    overwrite a file the user never opened. The window's own state, put back after a
    session that failed, keeps its files (``as_copy=False``)."""
    lessons = window.lessons
    lessons.leave()
    if session.lesson is not None:
        place = session.lesson
        if as_copy and place.aside is not None:
            place = replace(place, aside=replace(place.aside, graph_file=None))
        _start_lesson(lessons, place)
    with window.classroom.held():
        window.document.set_graph(session.graph, None if as_copy else session.graph_file,
                                  session.modified)
        restore_classroom(window.classroom, session, FileReaders(
            folder=lambda path, shape: read_image_folder(path, shape)[0],
            csv=lambda path: read_csv_in_background(path, window)))
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
    if place.aside is not None:        # given back when the lesson ends, as if put aside
        lessons.window.classroom.aside = place.aside
    try:
        ran = lessons.start(lesson, place.step)
    except ValueError as err:
        raise ValueError(f"field lesson.step: {err}") from None
    if not ran:
        raise ValueError(f"field lesson: {lessons.panel.error.text()}")


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
        except Exception as err:      # a fault of bpviz: still a message, the user's work back
            fault = f"{type(err).__name__}: {str(err)[:120]}"
            return self._failed(f"bpviz failed to open '{Path(path).name}' ({fault})", ask,
                                self._put_back(before))
        copied = f"; its graph is a copy of {Path(session.graph_file).name}, Save asks " \
                 f"where" if session.graph_file else ""
        self.window.say(f"Session {Path(path).name} restored{copied}")
        return ""

    def _put_back(self, before: Session) -> str:
        try:
            restore(self.window, before, as_copy=False)
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
