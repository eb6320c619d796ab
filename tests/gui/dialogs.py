"""Dialogs a test must not leave waiting for a user: each one that opens is recorded and
answered at once, so that a test that opens one fails instead of hanging."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox


def answer_dialogs(monkeypatch) -> list[str]:
    """The names of the dialogs opened from now on (message boxes, file dialogs, any
    QDialog's exec), each closed as soon as it opens."""
    opened: list[str] = []

    def record(name):
        return lambda *args, **kwargs: opened.append(name) or 0
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, record(f"QMessageBox.{name}"))
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, lambda *a, _n=name, **k: (
            opened.append(f"QFileDialog.{_n}"), ("", ""))[1])
    monkeypatch.setattr(QDialog, "exec", lambda self: opened.append(type(self).__name__) or 0)
    return opened
