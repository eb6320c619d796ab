"""Issue 25 item 10: a 400-digit number (valid JSON) anywhere a lesson or a session takes a
number is one LessonError or SessionError naming the field, never an OverflowError."""
import json

import pytest

from bpviz.core.network.fileformat import finite_number
from bpviz.core.teaching.lessons import LessonError, lesson_from_dict
from bpviz.core.teaching.session_file import SessionError, session_from_dict
from bpviz.paths import lessons_dir

HUGE = int("9" * 400)


@pytest.mark.parametrize("value, number", [
    (1, 1.0), (2.5, 2.5), (HUGE, None), (-HUGE, None), (float("nan"), None),
    (float("inf"), None), (True, None), ("1", None), (None, None), (10**300, 1e300)])
def test_finite_number(value, number):
    assert finite_number(value) == number


def lesson_with(change) -> dict:
    spec = json.loads((lessons_dir() / "06_gradient_descent_momentum.lesson.json").read_text())
    change(spec)
    return spec


def first(spec, key):
    """The first step whose actions or question hold ``key``."""
    for step in spec["steps"]:
        for action in step.get("do", []) + step.get("reveal", []):
            if key in action:
                return action[key]
    raise AssertionError(f"no {key} action")


@pytest.mark.parametrize("where", ["tolerance", "answer", "set", "race.start",
                                   "race.configs"])
def test_a_huge_number_in_a_lesson_is_one_lesson_error(where):
    def change(spec):
        question = next(s["question"] for s in spec["steps"]
                        if "question" in s and "choices" not in s["question"])
        if where in ("tolerance", "answer"):
            question[where] = HUGE
        elif where == "set":
            first(spec, "set")["value"] = HUGE
        elif where == "race.start":
            first(spec, "race")["start"] = [HUGE, 0]
        else:
            first(spec, "race")["configs"] = {"SGD": {"lr": HUGE}}
    with pytest.raises(LessonError) as err:
        lesson_from_dict(lesson_with(change), "mine")
    assert "expected a number" in str(err.value) and len(str(err.value)) <= 300


def test_a_huge_number_in_a_session_is_one_session_error():
    spec = {"format": "bpviz.session", "version": 1,
            "graph": {"format": "bpviz.graph", "version": 1, "nodes": []},
            "data": {"source": "spirals"},
            "labs": {"optimizers": {"start": [HUGE, 0.0]}}}
    with pytest.raises(SessionError, match=r"field labs.optimizers.start\[0\]") as err:
        session_from_dict(spec)
    assert len(str(err.value)) <= 300
