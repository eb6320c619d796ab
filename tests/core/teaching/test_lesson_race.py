"""The lesson action ``race`` (the Optimizers tab's race at a step): what the file may say,
checked before the app sees it, and each mistake named by its field."""
import pytest

from bpviz.core.teaching.lessons import LessonError, lesson_from_dict


def lesson_with(race) -> dict:
    return {"format": "bpviz.lesson", "version": 1, "title": "t",
            "steps": [{"title": "Race", "text": "x", "do": [{"race": race}]}]}


def test_a_race_is_read_with_its_numbers_and_names():
    race = {"controls": {"race_surface": "quadratic", "slider_condition": 10},
            "ticked": ["GD", "Momentum"], "selected": "Momentum",
            "configs": {"Momentum": {"lr": 0.05, "momentum": 0.9},
                        "Adam": {"betas": [0.9, 0.999], "amsgrad": False}},
            "start": [-2.5, 1.5], "shown": 3}
    action = lesson_from_dict(lesson_with(race), "l").steps[0].actions[0]["race"]
    assert action["configs"]["Adam"] == {"betas": (0.9, 0.999), "amsgrad": False}
    assert action["start"] == [-2.5, 1.5] and action["shown"] == 3
    assert action["ticked"] == ["GD", "Momentum"] and action["controls"]["slider_condition"] == 10
    assert lesson_from_dict(lesson_with({"shown": 0}), "l").steps[0].actions[0] == {
        "race": {"shown": 0}}


@pytest.mark.parametrize("race, field, says", [
    ({}, "do[0].race", "expected an object with some of configs, controls"),
    ({"speed": 3}, "do[0].race", "expected an object with some of"),
    ({"shown": -1}, "do[0].race.shown", "expected a whole number from 0 to 5,000"),
    ({"shown": 1.5}, "do[0].race.shown", "expected a whole number"),
    ({"ticked": "GD"}, "do[0].race.ticked", "expected a list of names"),
    ({"ticked": ["GD", 3]}, "do[0].race.ticked[1]", "expected non-empty text"),
    ({"start": [1]}, "do[0].race.start", "expected [x, y]"),
    ({"start": [1, "a"]}, "do[0].race.start[1]", "expected a number"),
    ({"configs": {"GD": 0.1}}, "do[0].race.configs.GD", "expected an object"),
    ({"configs": {"GD": {"lr": "fast"}}}, "do[0].race.configs.GD.lr", "expected a number"),
    ({"configs": {"GD": {"lr": float("nan")}}}, "do[0].race.configs.GD.lr",
     "expected a number"),
    ({"controls": [1]}, "do[0].race.controls", "expected an object"),
    ({"controls": {"race_steps": None}}, "do[0].race.controls.race_steps",
     "expected a number"),
])
def test_a_bad_race_is_named_by_its_field(race, field, says):
    with pytest.raises(LessonError) as err:
        lesson_from_dict(lesson_with(race), "l")
    assert str(err.value).startswith(f"l.lesson.json, step 1 ('Race'), field {field}: {says}")
