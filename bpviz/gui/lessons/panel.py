"""LessonPanel: the side panel of a lesson — its step's text and formula, the question to
answer before the reveal, the answer and its card, and Previous / Next. It shows what the
LessonController gives it and reports the user's clicks; it runs nothing itself."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.display.formula_parts import formula_parts
from ...core.teaching.answer_cards import answer_number
from ..theme import ok_color, show_as_error
from ..widgets.formula import Formula
from ..widgets.named import named


def as_html(text: str) -> str:
    """A step's text: paragraphs at blank lines, **bold**, everything else as written."""
    paragraphs = []
    for block in text.split("\n\n"):
        parts = escape(block.strip()).split("**")
        html = "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))
        paragraphs.append(f"<p>{html.replace(chr(10), '<br>')}</p>")
    return "".join(paragraphs)


CARD_SCALE = 2.0        # the card's value against the strip's text: read from the back row


class AnswerCard(QLabel):
    """The number a reveal shows, in large type, followed by what it is: "66.5 the loss
    after one step". One text that wraps, so that a wide value (a colour's three numbers)
    and a narrow one both fit the strip's answer column. The value's size follows the
    strip's font (larger in presentation mode): CARD_SCALE times it."""

    def __init__(self, parent=None):
        super().__init__(parent, wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.setObjectName("lesson_card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(4)
        self.value = self.label = ""
        self.also: tuple[str, str] | None = None    # a second (value, label) below it
        self.narrow = False     # a column: the value may wrap between its parts
        self.hide()

    def show_value(self, label: str, value: str, also: tuple[str, str] | None = None
                   ) -> None:
        self.label, self.value, self.also = label, value, also
        self._render()
        self.show()

    def value_px(self) -> int:
        return round(QFontInfo(self.font()).pixelSize() * CARD_SCALE)

    def set_narrow(self, narrow: bool) -> None:
        self.narrow = narrow
        if self.value:
            self._render()

    def _render(self) -> None:
        # the value stays whole on a line where it can; in a column it wraps rather than
        # widen the strip past the screen's edge (every text beside it was cut there)
        lines = []
        for value, label in [(self.value, self.label)] + ([self.also] if self.also else []):
            value = escape(value)
            if not self.narrow:
                value = value.replace(" ", "&nbsp;")
            lines.append(f"<span style='font-size:{self.value_px()}px; font-weight:bold'>"
                         f"{value}</span>&nbsp;&nbsp; {escape(label)}")
        self.setText("<br>".join(lines))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.value:   # presentation mode
            self._render()


class LessonPanel(QScrollArea):
    previous_requested = Signal()
    next_requested = Signal()
    leave_requested = Signal()
    answered = Signal(object)          # the index of a choice, or the text of a number

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)    # text wraps instead
        self.body = body = QWidget()
        # a strip under the canvas, read left to right; or a column beside it, top down
        self.columns = columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self.narrow = False
        self.latex = ""
        # kept at the top by a stretch under it, not by the layout's alignment: an aligned
        # layout gets its size hint's height, blind to wrapping, and the step's text was
        # cut a line short ("That is all back-")
        text = QVBoxLayout()
        # text from a lesson file is escaped into rich labels or shown as plain text: an
        # <img src=…> in a title must not draw a local image
        self.lesson_title = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText),
                                  "lesson_title")
        self.position = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText),
                              "lesson_position")       # escaped: ' showed as &#x27;
        self.text = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText), "lesson_text")
        self.formula = Formula()
        self.formula_rest = Formula()         # a narrow column's second line of a formula
        self.error = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText),
                           "lesson_error")
        show_as_error(self.error)
        for widget in (self.lesson_title, self.position, self.text, self.formula,
                       self.formula_rest, self.error):
            text.addWidget(widget)
        text.addStretch(1)
        self.error.hide()                     # an empty line's height only when it says so
        columns.addLayout(text, 3)
        columns.addWidget(self._question_box(), 2, Qt.AlignmentFlag.AlignTop)
        self.setWidget(body)
        columns.addLayout(self._buttons())

    def _question_box(self) -> QWidget:
        self.question = named(QWidget(), "lesson_question")
        layout = QVBoxLayout(self.question)
        layout.setContentsMargins(0, 0, 0, 0)
        self.ask = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText), "lesson_ask")
        self.choices = QButtonGroup(self.question)
        self.choice_box = QVBoxLayout()
        self.number = named(QLineEdit(placeholderText="your answer"), "lesson_number")
        self.number.returnPressed.connect(self._check)
        self.check = named(QPushButton("Check answer"), "lesson_check")
        self.check.clicked.connect(self._check)
        self.feedback = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText),
                              "lesson_feedback")
        self.card = AnswerCard()
        self.explain = named(QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText),
                             "lesson_explain")
        layout.addWidget(self.ask)
        layout.addLayout(self.choice_box)
        layout.addWidget(self.number)
        layout.addWidget(self.check)
        # the score under all of it: in the position line it wrapped that line at the
        # first answer and pushed the text and "Predict" down under the class's eyes
        self.score = named(QLabel(textFormat=Qt.TextFormat.PlainText), "lesson_score")
        self.score.hide()
        # the answer, its card, then why: in a short strip what scrolls out is the why
        for widget in (self.feedback, self.card, self.explain, self.score):
            layout.addWidget(widget)
        return self.question

    def _buttons(self) -> QBoxLayout:
        """Next, Previous and Leave in a column at the strip's right end (a row on top of
        the narrow column)."""
        self.previous = named(QPushButton("◀ Previous"), "lesson_previous")
        self.next = named(QPushButton("Next ▶"), "lesson_next")
        self.leave = named(QPushButton("Leave lesson"), "lesson_leave")
        self.previous.setToolTip("Previous step (Page Up)")
        self.next.setToolTip("Next step (Page Down); reveals the answer first")
        self.leave.setToolTip("Back to your own graph")
        self.previous.clicked.connect(self.previous_requested.emit)
        self.next.clicked.connect(self.next_requested.emit)
        self.leave.clicked.connect(self.leave_requested.emit)
        # Next first: what a presenter presses most
        self.button_box = column = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        column.setAlignment(Qt.AlignmentFlag.AlignTop)
        for button in (self.next, self.previous, self.leave):
            column.addWidget(button)
        return column

    def set_narrow(self, narrow: bool) -> None:
        """A column beside the canvas (presentation mode, presentation_layout.py): text,
        question and buttons one below the other, the buttons first and short."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.columns.removeItem(self.button_box)
        if narrow:
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)
            self.button_box.setDirection(QBoxLayout.Direction.RightToLeft)
            self.columns.insertLayout(0, self.button_box)
        else:
            self.columns.setDirection(QBoxLayout.Direction.LeftToRight)
            self.button_box.setDirection(QBoxLayout.Direction.TopToBottom)
            self.columns.addLayout(self.button_box)
        # in the column the room a reveal will fill lies under the question, not between
        # the text and it: "Predict" sat 70 px lower before 2.6's answer than after it
        text, question = (1, 2) if narrow else (0, 1)
        self.columns.setStretch(text, 0 if narrow else 3)
        self.columns.setStretch(question, 1 if narrow else 2)
        # in the column, PresentationLayout.fit shows the scroll bar where the text does
        # not fit (a bar left to Qt came and went with the reveal and cut the text)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if narrow
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.previous.setText("◀" if narrow else "◀ Previous")
        self.leave.setText("Leave" if narrow else "Leave lesson")
        self.card.set_narrow(narrow)
        self._show_formula()

    def _show_formula(self) -> None:
        """The step's formula; in a narrow column, two formulas set side by side (``\\qquad``,
        ``,\\quad``) one below the other, not shrunk to unreadable type."""
        parts = formula_parts(self.latex, most=2) if self.narrow else [self.latex]
        for widget, latex in zip((self.formula, self.formula_rest), parts + ["", ""], strict=False):
            widget.setVisible(bool(latex))
            widget.set_latex(latex)

    def min_width(self) -> int:
        """The narrowest the strip can be without cutting what does not wrap."""
        chrome = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return self.body.minimumSizeHint().width() + chrome

    def height_for(self, width: int) -> int:
        """The height the step's text, question and buttons ask for at ``width`` (the
        dock's), with no scrolling."""
        body = self.body
        inner = width - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        return body.heightForWidth(inner) + 2 * self.frameWidth() if body.hasHeightForWidth() \
            else body.sizeHint().height()

    # --- what the controller shows -----------------------------------------------------
    def show_step(self, lesson, index: int) -> None:
        step = lesson.steps[index]
        self.lesson_title.setText(f"<b>{escape(lesson.title)}</b>")
        self.position.setText(f"Step {index + 1} of {len(lesson.steps)} · {escape(step.title)}")
        self.text.setText(as_html(step.text))
        self.latex = step.formula
        self._show_formula()
        self._show_question(step.question)
        self.show_error("")
        self.previous.setEnabled(index > 0)
        self.next.setText("Next ▶" if index + 1 < len(lesson.steps) else "Finish")
        self.verticalScrollBar().setValue(0)

    def _show_question(self, question) -> None:
        self.question.setVisible(question is not None)
        self.feedback.clear()
        self.card.hide()
        self.explain.clear()
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            self.choice_box.removeWidget(button)
            button.hide()                  # not drawn under the next step's until deleted
            button.deleteLater()
        if question is None:
            return
        self.ask.setText(f"<b>Predict:</b> {escape(question.ask)}")
        for i, text in enumerate(question.choices):
            button = named(QRadioButton(text), f"lesson_choice_{i}")
            self.choices.addButton(button, i)
            self.choice_box.addWidget(button)
            button.show()      # now, not when Qt gets round to it: the column is sized by it
        self.number.setVisible(not question.choices)
        self.number.clear()
        self.check.setEnabled(True)
        self.check.show()

    def _check(self) -> None:
        given: str | int       # the typed number's text, or the index of the choice
        if self.number.isVisible():
            given = self.number.text().strip()
            if not given:
                return
        else:
            given = self.choices.checkedId()
            if given < 0:
                self.feedback.setText("Pick one of the answers first.")
                return
        self.answered.emit(given)

    def show_retry(self, text: str) -> None:
        """A wrong first answer: say so and keep the question for a second try."""
        self.feedback.setText(escape(text))
        self.number.selectAll()

    def show_answer(self, question, right: bool | None, card: tuple[str, ...] = ()) -> None:
        """After an answer (right or wrong) or a skip (None): say what the answer was, and
        ``card``, the values of the question's card (and of its "also"), in large type."""
        answer = (question.choices[int(question.answer)] if question.choices
                  else answer_number(question.answer))
        if right:
            verdict = f"<span style='color:{ok_color()}'>✔ Right.</span>"
        elif right is None:
            verdict = "The answer:"
        else:
            verdict = "✘ Not quite. The answer:"
        self.feedback.setText(f"{verdict} <b>{escape(answer)}</b>")
        self.explain.setText(question.explain)
        self.check.setEnabled(False)
        # the answer replaces the choices: the strip is short, the explanation must show
        for widget in self.choices.buttons() + [self.number, self.check]:
            widget.hide()
        if question.card is not None and card:
            also = question.card.also
            self.card.show_value(question.card.label, card[0],
                                 (card[1], also.label) if also and len(card) > 1 else None)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_score(self, right: int, answered: int, total: int, appear: bool = True) -> None:
        """The score under the question; at an answer it changes only if already shown
        (``appear`` False): a line that appeared at a reveal needed room not kept for it."""
        self.score.setText(f"score {right} of {answered} right" if answered else "")
        self.score.setVisible(bool(answered) and (appear or not self.score.isHidden()))
