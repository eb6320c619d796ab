"""The room a lesson step needs before and after its reveal, so that the lesson column is
sized once per step: a reveal swaps the choices for the answer and its explanation, and a
column fitted to each in turn jumped in width and height under the class's eyes (6.3,
6.6)."""
from __future__ import annotations

from html import escape

from ...core.teaching.answer_cards import answer_number

RETRY = "✘ Not quite: try once more (or press Next for the answer)."
CARD_VALUE = "0.0000"         # a card's value is read from the reveal: a typical width


def tallest_for(panel, question, width: int) -> int:
    """The most height ``panel`` (a LessonPanel) asks for at ``width`` while ``question``
    is asked, after a wrong first try, or answered. The answer's widgets are filled in
    for the measure and emptied again: nothing is painted in between."""
    if question is None or not panel.check.isEnabled():
        return panel.height_for(width)
    inputs = [w for w in panel.choices.buttons() + [panel.number, panel.check]
              if not w.isHidden()]
    panel.feedback.setText(RETRY)
    tried = panel.height_for(width)
    for widget in inputs:
        widget.hide()
    answer = (question.choices[int(question.answer)] if question.choices
              else answer_number(question.answer))
    panel.feedback.setText(f"✘ Not quite. The answer: <b>{escape(answer)}</b>")
    panel.explain.setText(question.explain)
    if question.card is not None:
        also = question.card.also
        panel.card.show_value(question.card.label, CARD_VALUE,
                              (CARD_VALUE, also.label) if also else None)
    answered = panel.height_for(width)
    panel.feedback.clear()
    panel.explain.clear()
    panel.card.hide()
    for widget in inputs:
        widget.show()
    return max(tried, answered)
