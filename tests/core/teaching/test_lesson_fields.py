"""A lesson file field by field, as a lecturer writes one: every action takes what it
should and refuses the rest by name, texts and counts have their limits at both ends, a
lesson's own graph stays beside it, and a folder lists its lessons in their order."""
import json
import os

import pytest

from bpviz.core.teaching.answer_cards import Card
from bpviz.core.teaching.lessons import (
    LessonError,
    Question,
    check_action,
    example_file,
    lesson_from_dict,
    lesson_name,
    lessons_in,
    load_lesson,
    where,
)
from bpviz.paths import example_path


def lesson(*steps, **fields) -> dict:
    spec = {"format": "bpviz.lesson", "version": 1, "title": "t",
            "steps": list(steps) or [{"title": "s", "text": "x"}]}
    spec.update(fields)
    return spec


def refused(spec, name="l", path=None) -> str:
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(spec, name, path)
    return str(caught.value)


def step_refused(step) -> str:
    """The message about one step, without its 'l.lesson.json, step 1 ('s'), field '."""
    message = refused(lesson(dict({"title": "s", "text": "x"}, **step)))
    prefix = "l.lesson.json, step 1 ('s'), field "
    assert message.startswith(prefix), message
    return message[len(prefix):]


def action_refused(action) -> str:
    with pytest.raises(ValueError) as caught:
        check_action(action, "do[0]")
    return str(caught.value)


def test_where_names_the_file_the_step_counted_from_1_its_title_and_the_field():
    assert where("a.lesson.json") == "a.lesson.json"
    assert where("a.lesson.json", 0) == "a.lesson.json, step 1"
    assert where("a.lesson.json", 2, "Softmax", "do[1]") == (
        "a.lesson.json, step 3 ('Softmax'), field do[1]")
    assert where("a.lesson.json", what="title") == "a.lesson.json, field title"


@pytest.mark.parametrize("action", [
    {"tab": "backprop"}, {"tab": "training"}, {"data": "d" * 200}, {"train_mode": True},
    {"train_mode": False}, {"reset": True}, {"run_phase": "forward"},
    {"run_phase": "backward"}, {"select": "fc1"}, {"overview": True}, {"focus": "jac_input"},
    {"unfocus": True}, {"augment_demo": False}, {"augment_demo": True},
    {"gradient_flow": True}, {"gradient_flow": False}, {"example": "fc_softmax_ce"},
    {"example": "graphs/mine.bpviz.json"}, {"step_to": {"node": "n" * 200, "phase": "forward"}},
    {"set": {"control": "c" * 200, "value": True}}, {"set": {"control": "c", "value": "Adam"}},
    {"set": {"control": "c", "value": 3}},
])
def test_each_action_takes_what_a_lesson_may_say(action):
    assert check_action(action, "do[0]") == action


@pytest.mark.parametrize("action, message", [
    ({"tab": "Training"}, "do[0].tab: expected one of 'backprop', 'losses', 'optimizers', "
                          "'training', got 'Training'"),
    ({"data": "d" * 201}, "do[0].data: 201 characters, more than 200"),
    ({"data": " "}, "do[0].data: expected non-empty text, got ' '"),
    ({"train_mode": 1}, "do[0].train_mode: expected one of True, False, got 1"),
    ({"reset": False}, "do[0].reset: expected one of True, got False"),
    ({"overview": False}, "do[0].overview: expected one of True, got False"),
    ({"unfocus": "yes"}, "do[0].unfocus: expected one of True"),
    ({"run_phase": "both"}, "do[0].run_phase: expected one of 'forward', 'backward'"),
    ({"augment_demo": None}, "do[0].augment_demo: expected one of True, False, got None"),
    ({"gradient_flow": 0}, "do[0].gradient_flow: expected one of True, False, got 0"),
    ({"select": ""}, "do[0].select: expected non-empty text"),
    ({"focus": "f" * 201}, "do[0].focus: 201 characters, more than 200"),
    ({"step_to": {"node": "fc"}}, 'do[0].step_to: expected {"node": ..., "phase": '
                                  '"forward" or "backward"}, got {\'node\': \'fc\'}'),
    ({"step_to": {"node": "fc", "phase": "forward", "x": 1}}, "do[0].step_to: expected"),
    ({"step_to": {"node": "n" * 201, "phase": "forward"}},
     "do[0].step_to.node: 201 characters, more than 200"),
    ({"set": {"control": "c" * 201, "value": 1}}, "do[0].set.control: 201 characters"),
    ({"set": {"control": "c", "value": None}}, "do[0].set.value: expected a number, got None"),
    ({"set": ["c", 1]}, 'do[0].set: expected {"control": name, "value": ...}, got'),
    ({"example": "/tmp/x.bpviz.json"}, "do[0].example: '/tmp/x.bpviz.json' leaves the "
                                       "lesson's folder: give an example's name or a path "
                                       "beside the lesson, e.g. 'mine.bpviz.json'"),
    ({"example": "graphs/mine.json"}, "do[0].example: 'graphs/mine.json' is neither an "
                                      "example's name nor a .bpviz.json file beside the "
                                      "lesson"),
    ({"dance": 1}, "do[0]: unknown action 'dance' (actions: example, tab, data, batch, "
                   "sample, train_mode, reset"),
    ({}, 'do[0]: expected an object with one action, e.g. {"example": "fc_softmax_ce"}, '
         'got {}'),
    ("reset", "do[0]: expected an object with one action"),
])
def test_each_action_refuses_the_rest_by_name(action, message):
    assert action_refused(action).startswith(message)


@pytest.mark.parametrize("value", ["\\\\server\\x.bpviz.json", "~/x.bpviz.json",
                                   "C:x.bpviz.json", "graphs/../../x.bpviz.json",
                                   "graphs\\..\\x.bpviz.json", "../x.bpviz.json"])
def test_an_example_path_that_leaves_the_lessons_folder_is_refused(value):
    message = action_refused({"example": value})
    assert message.startswith("do[0].example: ") and "leaves the lesson's folder" in message


def test_an_action_of_an_example_name_with_dots_but_no_folder_is_a_name():
    assert check_action({"example": "v1.2"}, "do[0]") == {"example": "v1.2"}
    assert check_action({"example": "..x"}, "do[0]") == {"example": "..x"}


def test_a_lessons_own_graph_is_found_beside_it_and_never_outside(tmp_path):
    (tmp_path / "graphs").mkdir()
    mine = tmp_path / "graphs" / "mine.bpviz.json"
    mine.write_text(example_path("spirals_mlp").read_text())
    assert example_file("graphs/mine.bpviz.json", tmp_path) == mine.resolve()
    assert example_file("spirals_mlp", None) == example_path("spirals_mlp")
    with pytest.raises(ValueError, match="'mine.bpviz.json': a graph beside the lesson needs "
                                         "a lesson file"):
        example_file("mine.bpviz.json", None)
    with pytest.raises(FileNotFoundError, match="'gone.bpviz.json': no such graph beside"):
        example_file("gone.bpviz.json", tmp_path)
    os.symlink(tmp_path / "graphs", tmp_path / "lessons_link")     # a folder reached by a link
    assert example_file("mine.bpviz.json", tmp_path / "lessons_link") == mine.resolve()
    outside = tmp_path / "lessons"
    outside.mkdir()
    os.symlink(mine, outside / "out.bpviz.json")
    with pytest.raises(ValueError, match="'out.bpviz.json' leads out of the lesson's folder"):
        example_file("out.bpviz.json", outside)


@pytest.mark.parametrize("field", ["do", "reveal"])
def test_a_lesson_file_whose_graph_leads_out_is_refused_at_its_step(tmp_path, field):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (tmp_path / "secret.bpviz.json").write_text("{}")
    os.symlink(tmp_path / "secret.bpviz.json", folder / "mine.bpviz.json")
    steps = [{"title": "s", "text": "x"},
             {"title": "Own", "text": "x", "do": [{"tab": "backprop"}], "reveal": [],
              "question": {"ask": "?", "answer": 1}}]
    steps[1][field] = [{"tab": "losses"}, {"example": "fc_softmax_ce"},
                       {"example": "mine.bpviz.json"}]
    path = folder / "own.lesson.json"
    path.write_text(json.dumps(lesson(*steps)))
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value) == (f"own.lesson.json, step 2 ('Own'), field {field}[2].example: "
                                 f"'mine.bpviz.json' leads out of the lesson's folder")
    (folder / "mine.bpviz.json").unlink()
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value).endswith(f"field {field}[2].example: 'mine.bpviz.json': no such "
                                      f"graph beside the lesson")
    (folder / "mine.bpviz.json").write_text("{}")
    assert load_lesson(path).steps[1].title == "Own"
    assert lesson_from_dict(lesson(*steps), "own").path is None     # no folder: not checked


def test_a_lesson_reads_its_title_summary_order_and_path(tmp_path):
    path = tmp_path / "intro.lesson.json"
    path.write_text(json.dumps(lesson(title="T" * 200, summary="S" * 600, order=1000)))
    got = load_lesson(path)
    assert (got.name, got.title, got.summary, got.order, got.path) == (
        "intro", "T" * 200, "S" * 600, 1000, path)
    got = lesson_from_dict(lesson(), "x")
    assert (got.summary, got.order, got.path) == ("", 0, None)
    assert len(lesson_from_dict(lesson(*[{"title": "s", "text": "x"}] * 200), "x").steps) == 200


@pytest.mark.parametrize("fields, message", [
    ({"title": "T" * 201}, "l.lesson.json: field title: 201 characters, more than 200"),
    ({"title": None}, "l.lesson.json: field title: expected non-empty text, got None"),
    ({"summary": "S" * 601}, "l.lesson.json: field summary: 601 characters, more than 600"),
    ({"summary": 3}, "l.lesson.json: field summary: expected text, got 3"),
    ({"order": 1001}, "l.lesson.json: field order: expected a whole number from 0 to 1,000, "
                      "got 1001"),
    ({"order": -1}, "l.lesson.json: field order: expected a whole number from 0"),
    ({"steps": [{"title": "s", "text": "x"}] * 201},
     "l.lesson.json: field steps: expected a list of 1 to 200 steps, got"),
    ({"steps": {"title": "s"}}, "l.lesson.json: field steps: expected a list of 1 to 200"),
    ({"version": None}, "l.lesson.json: lesson format version None; this bpviz reads "
                        "version 1"),
    ({"version": True}, "l.lesson.json: lesson format version True; this bpviz reads "
                        "version 1"),
    ({"format": None}, "l.lesson.json: not a bpviz lesson: 'format' is None, expected "
                       "'bpviz.lesson'"),
])
def test_each_lesson_field_has_its_limits(fields, message):
    assert refused(lesson(**fields)).startswith(message)


def test_a_file_that_is_not_an_object_says_what_it_is():
    assert refused([1], "x") == ("x.lesson.json: not a bpviz lesson: expected a JSON object, "
                                 "got list")


@pytest.mark.parametrize("step, message", [
    ({"formula": "f" * 1001}, "formula: 1,001 characters, more than 1,000"),
    ({"formula": None}, "formula: expected text, got None"),
    ({"text": "t" * 4001}, "text: 4,001 characters, more than 4,000"),
    ({"reveal": {"tab": "losses"}}, "reveal: expected a list of actions"),
    ({"do": [{"tab": "losses"}, {"reset": 1}]}, "do[1].reset: expected one of True"),
    ({"wat": 1}, "'wat': unknown field (fields: do, formula, question, reveal, text, "
                 "title)"),
])
def test_each_step_field_is_named(step, message):
    assert step_refused(step).startswith(message)


def test_a_step_takes_the_longest_texts_and_keeps_its_parts():
    step = {"title": "s" * 200, "text": "t" * 4000, "formula": "f" * 1000,
            "do": [{"tab": "losses"}], "reveal": [{"reset": True}]}
    got = lesson_from_dict(lesson(step), "l").steps[0]
    assert (got.title, got.text, got.formula, got.actions, got.reveal, got.question) == (
        "s" * 200, "t" * 4000, "f" * 1000, ({"tab": "losses"},), ({"reset": True},), None)
    bare = lesson_from_dict(lesson(), "l").steps[0]
    assert (bare.formula, bare.actions, bare.reveal) == ("", (), ())


def test_a_step_that_is_not_an_object_or_has_an_odd_title_is_still_named():
    assert refused(lesson({"title": "s", "text": "x"}, [1])) == (
        "l.lesson.json, step 2: expected an object, got [1]")
    message = refused(lesson({"title": 3, "text": "x"}))
    assert message == "l.lesson.json, step 1, field title: expected non-empty text, got 3"
    message = refused(lesson({"title": "T" * 201, "text": "x"}))
    assert message.startswith("l.lesson.json, step 1 ('TTTT")


def test_a_long_message_is_clipped_to_one_line_of_300():
    message = refused(lesson({"title": "s", "text": "x", "do": [{"x" * 400: 1}]}),
                      "n" * 100)
    assert len(message) == 300 and message.endswith("…") and "\n" not in message


def question(**fields) -> dict:
    return lesson({"title": "s", "text": "x", "question": dict({"ask": "?"}, **fields)})


def test_a_question_reads_its_choices_tolerance_explanation_and_card():
    q = lesson_from_dict(question(answer=7, choices=[str(i) for i in range(8)],
                                  explain="because"), "l").steps[0].question
    assert q == Question("?", 7, tuple(str(i) for i in range(8)), 0.0, "because")
    assert q.is_right(7) and not q.is_right(6)
    q = lesson_from_dict(question(answer=0, choices=["a", "b"]), "l").steps[0].question
    assert q.is_right(0) and not q.is_right(1) and q.explain == ""
    q = lesson_from_dict(question(answer=2, tolerance=0), "l").steps[0].question
    assert (q.answer, q.tolerance, q.choices, q.explain, q.card) == (2.0, 0.0, (), "", None)
    assert q.is_right("2") and not q.is_right("2.001")
    card = {"label": "L", "show": "largest", "of": "output"}
    q = lesson_from_dict(question(answer=1.5, tolerance=0.5, explain="e", card=card),
                         "l").steps[0].question
    assert (q.answer, q.tolerance, q.explain) == (1.5, 0.5, "e")
    assert q.card == Card("L", "largest", "output", 3)
    assert q.is_right(2.0) and not q.is_right(2.1)
    q = lesson_from_dict(question(answer=1, choices=["a", "b"], card=dict(card, digits=6)),
                         "l").steps[0].question
    assert q.card == Card("L", "largest", "output", 6)
    q = lesson_from_dict(question(answer=1, card=dict(card, digits=1)), "l").steps[0].question
    assert q.card.digits == 1


@pytest.mark.parametrize("fields, message", [
    ({"answer": 1, "choices": ["a"] * 9}, "question.choices: expected a list of 2 to 8 texts"),
    ({"answer": 0, "choices": "ab"}, "question.choices: expected a list of 2 to 8 texts"),
    ({"answer": -1, "choices": ["a", "b"]}, "question.answer: expected a whole number from 0 "
                                            "to 1, got -1"),
    ({"answer": 0, "choices": ["a", "c" * 301]}, "question.choices[1]: 301 characters, "
                                                 "more than 300"),
    ({"answer": 0, "choices": ["a", ""]}, "question.choices[1]: expected non-empty text"),
    ({"answer": 1, "tolerance": "0.1"}, "question.tolerance: expected a number, got '0.1'"),
    ({"answer": 1, "tolerance": -0.5}, "question.tolerance: expected a number >= 0, got -0.5"),
    ({"answer": 1, "explain": 3}, "question.explain: expected text, got 3"),
    ({"answer": 1, "ask": ""}, "question.ask: expected non-empty text"),
    ({"answer": 1, "hint": "x"}, 'question: expected {"ask", "answer"} with "choices" or '
                                 '"tolerance" and an optional "explain" and "card", got'),
    ({"answer": 1, "card": {"label": "L", "show": "sum", "of": "output", "digits": 0}},
     "question.card.digits: expected a whole number from 1 to 6, got 0"),
    ({"answer": 1, "card": {"label": "L" * 201, "show": "sum", "of": "output"}},
     "question.card.label: 201 characters, more than 200"),
    ({"answer": 1, "card": {"label": "L", "show": "sum", "of": "output", "colour": 1}},
     'question.card: expected {"label", "show"} with "of" and an optional "digits" and '
     '"also", got'),
    ({"answer": 1, "card": {"label": "L", "show": "sum", "of": "output",
                            "also": {"label": "M", "show": "sum", "of": "output",
                                     "also": {}}}},
     'question.card.also: expected {"label", "show"} with "of" and an optional "digits", '
     'got'),
])
def test_each_question_field_is_named(fields, message):
    assert step_refused({"question": dict({"ask": "?"}, **fields)}).startswith(message)


def test_a_second_card_takes_its_own_digits():
    card = {"label": "L", "show": "sum", "of": "output",
            "also": {"label": "M", "show": "sum", "of": "dout", "digits": 5}}
    got = lesson_from_dict(question(answer=1, card=card), "l").steps[0].question.card
    assert got == Card("L", "sum", "output", 3, Card("M", "sum", "dout", 5))


def test_a_race_names_its_controls_configs_and_lists():
    race = {"controls": {"c" * 100: 1, "box": True, "surface": "bowl"},
            "configs": {"Adam": {"amsgrad": True, "lr": 1}}, "ticked": [], "start": [0, 1]}
    got = check_action({"race": race}, "do[0]")["race"]
    assert got == {"controls": {"c" * 100: 1.0, "box": True, "surface": "bowl"},
                   "configs": {"Adam": {"amsgrad": True, "lr": 1.0}}, "ticked": [],
                   "start": [0.0, 1.0]}
    assert "ticked" not in check_action({"race": {"shown": 1}}, "do[0]")["race"]
    assert action_refused({"race": {"controls": {"c" * 101: 1}}}).startswith(
        "do[0].race.controls: 101 characters, more than 100")
    assert action_refused({"race": {"configs": {"Adam": {"betas": []}}}}).startswith(
        "do[0].race.configs.Adam.betas: expected a number, got []")
    assert action_refused({"race": {"configs": {"Adam": {"name": "x"}}}}).startswith(
        "do[0].race.configs.Adam.name: expected a number, got 'x'")
    assert action_refused({"race": {"selected": "s" * 101}}).startswith(
        "do[0].race.selected: 101 characters, more than 100")
    assert action_refused({"race": {"ticked": ["t" * 101]}}).startswith(
        "do[0].race.ticked[0]: 101 characters, more than 100")
    assert action_refused({"race": {"start": "0,1"}}) == (
        "do[0].race.start: expected [x, y], got '0,1'")
    assert action_refused({"race": {"shown": 5001}}).startswith("do[0].race.shown: expected "
                                                                "a whole number from 0 to 5,000")
    assert action_refused({"race": [1]}).startswith(
        "do[0].race: expected an object with some of configs, controls, selected, shown, "
        "start, ticked, got [1]")


def test_names_of_lesson_files_and_the_folder_order(tmp_path):
    assert lesson_name("a/b/02_chain.lesson.json") == "02_chain"
    assert lesson_name("a/b/notes.json") == "notes"
    for name, order in (("b", 1), ("a", 1), ("c", 0)):
        (tmp_path / f"{name}.lesson.json").write_text(json.dumps(lesson(order=order)))
    (tmp_path / "d.json").write_text(json.dumps(lesson()))
    (tmp_path / "e.lesson.json").write_text(json.dumps(lesson(order=-1)))
    lessons, problems = lessons_in(tmp_path)
    assert [x.name for x in lessons] == ["c", "a", "b"]
    assert problems == ["e.lesson.json: field order: expected a whole number from 0 to "
                        "1,000, got -1"]


def test_a_lesson_file_too_long_to_read_is_named_as_a_lesson_file(tmp_path):
    path = tmp_path / "deep.lesson.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value) == "'deep.lesson.json' is nested too deeply to be a lesson file"
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(64 * 2**20 + 1)
    with pytest.raises(LessonError, match="more than a lesson file holds"):
        load_lesson(big)


def test_a_colour_card_needs_no_array_and_the_others_need_one():
    colour = {"label": "RGB", "show": "colour_added"}
    got = lesson_from_dict(question(answer=1, card=colour), "l").steps[0].question.card
    assert got == Card("RGB", "colour_added", "", 3)
    assert step_refused({"question": {"ask": "?", "answer": 1, "card": {
        "label": "S", "show": "sum"}}}).startswith(
        "question.card.of: expected output, dout, in_NAME, grad_NAME or saved_NAME, got ''")


def test_a_step_without_a_title_is_named_by_its_number_alone():
    assert refused(lesson({"text": "x"})) == (
        "l.lesson.json, step 1, field title: expected non-empty text, got None")


@pytest.mark.parametrize("step, message", [
    ({"reveal": {"tab": "losses"}}, "reveal: expected a list of actions, got {'tab': 'losses'}"),
    ({"question": {"ask": "?", "answer": 1, "card": {"label": "L"}}},
     'question.card: expected {"label", "show"} with "of" and an optional "digits" and '
     '"also", got {\'label\': \'L\'}'),
    ({"question": {"ask": "?"}}, 'question: expected {"ask", "answer"} with "choices" or '
                                 '"tolerance" and an optional "explain" and "card", got '
                                 "{'ask': '?'}"),
    ({"question": {"ask": "?", "answer": 0, "choices": ["a"]}},
     "question.choices: expected a list of 2 to 8 texts, got ['a']"),
    ({"do": [{"set": {"value": 1}}]},
     'do[0].set: expected {"control": name, "value": ...}, got {\'value\': 1}'),
    ({"do": [{"example": "e" * 201}]}, "do[0].example: 201 characters, more than 200"),
    ({"do": [{"race": {"controls": [1]}}]}, "do[0].race.controls: expected an object, got [1]"),
    ({"do": [{"race": {"configs": [1]}}]}, "do[0].race.configs: expected an object, got [1]"),
    ({"do": [{"race": {"configs": {"c" * 101: {}}}}]},
     "do[0].race.configs: 101 characters, more than 100"),
    ({"do": [{"race": {"ticked": "GD"}}]},
     "do[0].race.ticked: expected a list of names, got 'GD'"),
    ({"do": [{"race": {"configs": {"Adam": {"betas": [0.9, "x"]}}}}]},
     "do[0].race.configs.Adam.betas[1]: expected a number, got 'x'"),
])
def test_each_message_quotes_what_the_file_holds(step, message):
    assert step_refused(step) == message


def test_the_steps_of_a_lesson_that_are_not_a_list_are_quoted():
    assert refused(lesson(steps={"title": "s"})) == (
        "l.lesson.json: field steps: expected a list of 1 to 200 steps, got {'title': 's'}")


def test_a_number_question_without_a_tolerance_wants_the_number_exactly():
    q = lesson_from_dict(question(answer=0.5), "l").steps[0].question
    assert (q.ask, q.answer, q.tolerance) == ("?", 0.5, 0.0)
    assert q.is_right("1/2") and not q.is_right("0.51")


def test_a_race_keeps_the_optimizer_selected():
    got = check_action({"race": {"selected": "Adam", "ticked": ["Adam"]}}, "do[0]")
    assert got == {"race": {"selected": "Adam", "ticked": ["Adam"]}}
