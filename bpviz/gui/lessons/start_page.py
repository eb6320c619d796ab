"""StartPage: the lessons that ship with bpviz, each with its summary and the user's score,
and a way to open a lesson file an instructor wrote."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from ...core.teaching.lessons import lessons_in
from ...paths import lessons_dir
from ..theme import show_as_error
from ..widgets.named import named


class StartPage(QDialog):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Lessons")
        self.setObjectName("lesson_start_page")
        self.resize(760, 560)
        lessons, problems = lessons_in(lessons_dir())
        self.lessons = lessons
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Lessons</b> — the lecture <i>Training neural networks</i>, "
                                "step by step. Page Down moves on, Page Up goes back.",
                                wordWrap=True))
        self.list = named(QListWidget(), "lesson_list")
        self.list.setWordWrap(True)
        for lesson in lessons:
            self.list.addItem(self._item(lesson))
        self.list.itemActivated.connect(lambda _item: self._open())
        layout.addWidget(self.list, 1)
        if problems:
            broken = QLabel("Lessons that could not be read:<br>" + "<br>".join(
                escape(p) for p in problems), wordWrap=True)
            broken.setObjectName("lesson_problems")
            show_as_error(broken)
            layout.addWidget(broken)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Close)
        other = buttons.addButton("Open File…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)
        other.clicked.connect(self._open_file)
        layout.addWidget(buttons)
        if lessons:
            self.list.setCurrentRow(0)

    def _item(self, lesson) -> QListWidgetItem:
        answers = self.controller.answers(lesson.name)
        score = (f"   ({sum(bool(v) for v in answers.values())} of {len(answers)} answered "
                 "right)" if answers else "")
        item = QListWidgetItem(f"{lesson.title}{score}\n{lesson.summary}")
        item.setData(Qt.ItemDataRole.UserRole, lesson.name)
        return item

    def _open(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.accept()
        self.controller.start_lesson(self.lessons[row])

    def _open_file(self) -> None:
        self.accept()
        self.controller.open_file()
