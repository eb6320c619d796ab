"""LessonBookmark: where a running lesson stands, kept in the settings at every step so that
the next start can ask "Continue lesson X at step K?" after a quit or a crash mid-lesson. A
lesson that ends (Leave, Finish, or opening a file) forgets it; so does a No.

Each instance slot (instance_lock.py) has its own bookmark, as its own recovery file: a
second bpviz neither offers nor clears the lesson of one still running."""
from __future__ import annotations

import json

from PySide6.QtCore import QObject

from ...core.teaching.lessons import LessonError
from ..config.settings import setting, settings
from ..shell.session_menu import _lesson_place
from .controller import find_lesson


def bookmark_key(slot: int) -> str:
    return "lesson_place" if slot == 0 else f"lesson_place_{slot}"


class LessonBookmark(QObject):
    def __init__(self, lessons, slot: int):
        super().__init__(lessons)
        self.lessons, self.key = lessons, bookmark_key(slot)
        self.following = False           # from the start of the event loop (app.py) on
        self.held = False                # quitting: the lesson is left, its place is kept
        lessons.changed.connect(self.write)

    def follow(self) -> None:
        """Keep the place from now on (not for a screenshot or a test's window)."""
        self.following = True
        if self.lessons.active:
            self.write()

    def write(self) -> None:
        if not self.following or self.held:
            return
        place = _lesson_place(self.lessons)
        store = settings()
        if place is None:
            store.remove(self.key)
        else:
            store.setValue(self.key, json.dumps({"lesson": place.lesson, "step": place.step}))
        store.sync()                     # a crash may come next

    def place(self) -> tuple[str, int] | None:
        """(a shipped lesson's name or a lesson file's path, step from 0), if one is kept."""
        try:
            record = json.loads(setting(self.key, str, ""))
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        lesson, step = record.get("lesson"), record.get("step")
        if not (isinstance(lesson, str) and lesson and type(step) is int and step >= 0):
            return None
        return lesson, step

    def forget(self) -> None:
        store = settings()
        store.remove(self.key)
        store.sync()

    def offer(self, ask) -> bool:
        """``ask(title, step from 1)``: go on with the kept lesson? No forgets it, and a
        lesson that is gone (a moved file) is forgotten without a question."""
        place = self.place()
        if place is None or self.lessons.active:
            return False
        try:
            lesson = find_lesson(place[0])
        except LessonError:
            self.forget()
            return False
        step = min(place[1], len(lesson.steps) - 1)
        if not ask(lesson.title, step + 1):
            self.forget()
            return False
        self.lessons.start(lesson, step)
        return True
