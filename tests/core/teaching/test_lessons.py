"""The lesson file format: a good file loads; each kind of damage is one message naming the
file, the step and the field."""
import json

import numpy as np
import pytest

from bpviz.core import Stepper, load_graph
from bpviz.core.teaching.answer_cards import Card, card_array, card_number, card_text, step_arrays
from bpviz.core.teaching.lessons import (
    LessonError,
    Question,
    lesson_from_dict,
    lessons_in,
    load_lesson,
)
from bpviz.paths import example_path

GOOD = {
    "format": "bpviz.lesson", "version": 1, "title": "One layer", "order": 1,
    "summary": "y = Wx on an image",
    "steps": [
        {"title": "Open", "text": "The lecture's network.",
         "do": [{"example": "fc_softmax_ce"}, {"data": "imagenet10"}, {"sample": 0}]},
        {"title": "Predict", "text": "Which entries are non-zero?", "formula": "y = Wx",
         "question": {"ask": "How many?", "choices": ["all", "the diagonal"], "answer": 1},
         "reveal": [{"step_to": {"node": "fc", "phase": "backward"}}, {"focus": "jac_input"}]},
        {"title": "A number", "text": "t", "question": {
            "ask": "dL/dx?", "answer": -1, "tolerance": 0.01,
            "card": {"label": "∂L/∂x summed", "show": "sum", "of": "grad_input", "digits": 2}}},
    ],
}


def write(tmp_path, spec, name="one") -> str:
    path = tmp_path / f"{name}.lesson.json"
    path.write_text(json.dumps(spec) if not isinstance(spec, str) else spec)
    return path


def test_a_good_lesson_loads_with_its_steps_actions_and_questions(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    assert lesson.name == "one" and lesson.title == "One layer" and len(lesson.steps) == 3
    assert lesson.steps[0].actions == ({"example": "fc_softmax_ce"}, {"data": "imagenet10"},
                                       {"sample": 0})
    q = lesson.steps[1].question
    assert q.choices == ("all", "the diagonal") and q.is_right(1) and not q.is_right(0)
    assert lesson.steps[1].reveal[0] == {"step_to": {"node": "fc", "phase": "backward"}}
    number = lesson.steps[2].question
    assert number.is_right("-1.005") and not number.is_right(-0.9)
    assert not number.is_right("minus one")
    assert number.card == Card("∂L/∂x summed", "sum", "grad_input", 2)
    assert lesson.steps[1].question.card is None


def damaged(path, value):
    """GOOD with the field at ``path`` (a list of keys) replaced by ``value``."""
    spec = json.loads(json.dumps(GOOD))
    target = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return spec


@pytest.mark.parametrize("path, value, expected", [
    (["steps", 1, "reveal", 0, "step_to", "phase"], "sideways",
     "one.lesson.json, step 2 ('Predict'), field reveal[0].step_to.phase: expected one of "
     "'forward', 'backward', got 'sideways'"),
    (["steps", 0, "do", 1], {"dance": 1}, "step 1 ('Open'), field do[1]: unknown action "
                                          "'dance'"),
    (["steps", 0, "do", 2, "sample"], -1, "field do[2].sample: expected a whole number"),
    (["steps", 0, "do", 2], {"sample": 1, "batch": 2}, "do[2]: expected an object with one"),
    (["steps", 1, "question", "answer"], 5, "question.answer: expected a whole number from 0 "
                                           "to 1"),
    (["steps", 1, "question", "choices"], ["only one"], "question.choices: expected a list"),
    (["steps", 2, "question", "tolerance"], -1, "question.tolerance: expected a number >= 0"),
    (["steps", 2, "text"], "", "step 3 ('A number'), field text: expected non-empty text"),
    (["steps", 0, "titel"], "typo", "step 1 ('Open'), field 'titel': unknown field"),
    (["steps", 0, "do"], "example", "field do: expected a list of actions"),
    (["steps"], [], "field steps: expected a list of 1 to 200 steps"),
    (["title"], 3, "one.lesson.json: field title: expected non-empty text"),
    (["format"], "bpviz.graph", "not a bpviz lesson: 'format' is 'bpviz.graph'"),
    (["version"], 2, "lesson format version 2"),
    (["steps", 0, "do", 0, "example"], "x" * 300, "do[0].example: 300 characters"),
    (["steps", 0, "do", 0], {"set": {"control": "lr"}}, "do[0].set: expected"),
    (["steps", 0, "do", 0], {"set": {"control": "lr", "value": float("nan")}},
     "do[0].set.value: expected a number"),
    (["steps", 2, "question", "card", "show"], "mean",
     "field question.card.show: expected one of 'value', 'sum', 'largest', 'zeros'"),
    (["steps", 2, "question", "card", "of"], "__import__('os')",
     "field question.card.of: expected output, dout, in_NAME, grad_NAME or saved_NAME"),
    (["steps", 2, "question", "card", "digits"], 9,
     "field question.card.digits: expected a whole number from 1 to 6"),
    (["steps", 2, "question", "card"], {"show": "sum", "of": "output"},
     "field question.card: expected {\"label\", \"show\"}"),
    (["steps", 2, "question", "card"], {"label": "RGB", "show": "colour_added", "of": "output"},
     "field question.card.of: 'colour_added' is not of an array"),
])
def test_each_kind_of_damage_is_named(tmp_path, path, value, expected):
    with pytest.raises(LessonError) as err:
        load_lesson(write(tmp_path, damaged(path, value)))
    assert expected in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ("", "'one.lesson.json' is empty"), ("{", "is not valid JSON"), ("[1, 2]", "expected a "
                                                                            "JSON object"),
])
def test_files_that_are_not_lessons(tmp_path, text, expected):
    with pytest.raises(LessonError, match=expected):
        load_lesson(write(tmp_path, text))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LessonError, match="no such file"):
        load_lesson(tmp_path / "gone.lesson.json")


def test_a_folder_lists_good_lessons_in_order_and_names_the_bad_ones(tmp_path):
    write(tmp_path, dict(GOOD, order=2, title="Second"), "b")
    write(tmp_path, dict(GOOD, order=1, title="First"), "c")
    write(tmp_path, "{", "a")
    lessons, problems = lessons_in(tmp_path)
    assert [lesson.title for lesson in lessons] == ["First", "Second"]
    assert len(problems) == 1 and problems[0].startswith("'a.lesson.json'")


def test_a_question_needs_choices_or_a_number():
    q = Question("?", 2.0, (), 0.5)
    assert q.is_right(2.4) and not q.is_right(2.6)
    with pytest.raises(LessonError, match="question.answer: expected a number"):
        lesson_from_dict(damaged(["steps", 2, "question", "answer"], "two"), "one")


@pytest.mark.parametrize("value, digits, text", [
    (0.99999994, 4, "1.000"), (66.5114, 3, "66.5"), (3.1435e-8, 3, "3.14·10⁻⁸"),
    (100.0, 3, "100"), (-0.5, 2, "−0.50"), (123456.0, 3, "123,000"), (0.0, 3, "0"),
])
def test_a_card_writes_a_number_as_a_slide_does(value, digits, text):
    assert card_number(value, digits) == text


def test_a_card_computes_its_named_quantity_and_nothing_else():
    x = np.array([[0.0, 2.0], [-3.0, 0.0]])
    assert card_text(Card("s", "sum", "output"), x) == "−1.00"
    assert card_text(Card("l", "largest", "grad_weight"), x) == "3.00"
    assert card_text(Card("z", "zeros", "saved_mask"), x) == "50.0 %"
    assert card_text(Card("v", "value", "output"), np.array(2.4411)) == "2.44"
    assert card_text(Card("c", "colour_added"), [0.01352, -0.0000846, -0.01306]) == \
        "R +3.4  G 0.0  B −3.3"
    with pytest.raises(ValueError, match="holds 4 numbers; 'value' needs one"):
        card_text(Card("v", "value", "output"), x)
    with pytest.raises(ValueError, match="expected a colour"):
        card_text(Card("c", "colour_added"), x)


def test_a_cards_arrays_are_the_shown_samples_and_a_parameters_whole_gradient():
    feeds = {"x": np.random.default_rng(0).normal(size=(4, 2)), "t": np.array([0, 1, 2, 0])}
    stepper = Stepper(load_graph(example_path("spirals_mlp")), feeds, sample=2)
    while (event := stepper.step()) is not None and (event.node, event.phase) != (
            "fc2", "backward"):
        pass
    arrays = step_arrays(event)
    assert {"output", "dout", "in_input", "grad_input", "grad_weight", "grad_bias"} <= set(arrays)
    np.testing.assert_array_equal(arrays["output"], event.output[2])
    np.testing.assert_array_equal(arrays["grad_input"], event.dinputs["input"][2])
    np.testing.assert_array_equal(arrays["grad_weight"], event.dparams["weight"])


def test_a_card_states_a_second_value_the_true_class_entry_a_loss_picked():
    """Lesson 2.6: beside the loss, the log-probability of sample 0's true class."""
    lesson = {"format": "bpviz.lesson", "version": 1, "title": "t", "steps": [
        {"title": "s", "text": "x", "question": {"ask": "?", "answer": 1, "card": {
            "label": "loss", "show": "value", "of": "output",
            "also": {"label": "log σ of the true class", "show": "true_class",
                     "of": "in_input"}}}}]}
    card = lesson_from_dict(lesson, "t").steps[0].question.card
    assert card.also == Card("log σ of the true class", "true_class", "in_input")
    arrays = {"output": np.array(66.5), "in_input": np.array([-3.0, -41.6, -179.0]),
              "in_target": np.array(1)}
    assert card_text(card, card_array(card, arrays)) == "66.5"
    assert card_text(card.also, card_array(card.also, arrays)) == "−41.6"
    with pytest.raises(KeyError):                # a step without a target
        card_array(card.also, {"in_input": arrays["in_input"]})
    nested = dict(lesson["steps"][0]["question"]["card"]["also"], also={"label": "x"})
    lesson["steps"][0]["question"]["card"]["also"] = nested
    with pytest.raises(LessonError, match="field question.card.also: expected"):
        lesson_from_dict(lesson, "t")


def _places(value):
    """Every (container, key) of a JSON value, depth-first."""
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, inner in items:
        yield value, key
        yield from _places(inner)


@pytest.mark.parametrize("lesson", ["04_classification_losses", "07_adam"])
def test_every_field_of_a_lesson_damaged_is_one_line_of_at_most_300_characters(lesson):
    """Issue 25's trial found question, action and race messages of 302-442 characters
    (the expected form quoted with the value): any field of a shipped lesson given a long
    text or a long list is refused in one line of at most 300."""
    from bpviz.paths import lessons_dir
    base = json.loads((lessons_dir() / f"{lesson}.lesson.json").read_text())
    count = len(list(_places(base)))
    for k in range(count):
        for bad in ("<b>" + "x" * 5000, list(range(3000)), {"k" * 400: "v" * 400}):
            spec = json.loads(json.dumps(base))
            container, key = list(_places(spec))[k]
            container[key] = bad
            try:
                lesson_from_dict(spec, lesson)
            except LessonError as err:
                assert len(str(err)) <= 300 and "\n" not in str(err), (k, str(err)[:400])
