"""`named(QLabel(wordWrap=True), "lesson_text")`: a widget built with its object name.

PySide6 takes any Qt property as a keyword at run time (`QLabel(objectName="x")`), but
its type stubs list only the properties a class declares itself, so a type checker
rejects an inherited one such as `objectName`. Setting the name here keeps the one-line
construction and a type the checker can follow."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

Named = TypeVar("Named", bound=QObject)


def named(widget: Named, name: str) -> Named:
    """`widget` with its objectName set to `name` (tests and style sheets find it by it)."""
    widget.setObjectName(name)
    return widget
