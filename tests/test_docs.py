"""The documentation stays true of the code: the lesson format's example is a valid lesson
whose names and numbers hold, every lesson action is documented, every shipped lesson is
listed in the README, and every picture and link the docs name exists in the repository."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bpviz.core import load_graph
from bpviz.core.data import datasets
from bpviz.core.labs.curves import curve
from bpviz.core.teaching.lessons import ACTIONS, lesson_from_dict, lessons_in
from bpviz.paths import example_path, lessons_dir

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
FORMAT_PAGE = DOCS / "lesson-format.md"


def json_blocks(path: Path) -> list:
    """The parsed contents of every ```json block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def documented_example() -> dict:
    lessons = [b for b in json_blocks(FORMAT_PAGE) if isinstance(b, dict) and "format" in b]
    assert len(lessons) == 1, "lesson-format.md holds one complete example lesson"
    return lessons[0]


def actions_of(lesson) -> list[tuple[str, object]]:
    return [next(iter(a.items())) for step in lesson.steps
            for a in (*step.actions, *step.reveal)]


def test_the_example_lesson_is_valid_and_asks_predict_then_reveal():
    lesson = lesson_from_dict(documented_example(), "relu")
    assert lesson.title == "ReLU's Jacobian" and len(lesson.steps) == 3
    choice = lesson.steps[1].question
    assert choice.choices[int(choice.answer)] == "only the diagonal"
    assert not choice.is_right(0) and choice.is_right(1)
    assert lesson.steps[1].reveal and lesson.steps[2].reveal


def test_the_example_names_what_ships_with_bpviz():
    """What only the app checks at run time is checked here against the shipped files."""
    lesson = lesson_from_dict(documented_example(), "relu")
    names = dict(datasets.TOY_2D, **datasets.SIGNED_2D, **datasets.IMAGES)
    graph = None
    for name, value in actions_of(lesson):
        if name == "example":
            graph = load_graph(example_path(value))
        elif name == "data":
            assert value in names
        elif name in ("select", "step_to"):
            node = value if name == "select" else value["node"]
            assert node in graph.nodes, node


def test_the_example_answer_is_the_engine_number():
    """Huber with δ = 2 (slider 20) at the residual 3 (slider 30): the lab's engine value."""
    lesson = lesson_from_dict(documented_example(), "relu")
    sets = {v["control"]: v["value"] for n, v in actions_of(lesson) if n == "set"}
    delta, residual = sets["slider_δ (Huber)"] / 10, sets["slider_y − ŷ"] / 10
    loss, _slope = curve("HuberLoss", np.array([residual]), delta=delta)
    question = lesson.steps[2].question
    assert question.is_right(float(loss[0])) and loss[0] == pytest.approx(4.0)


def test_every_snippet_of_the_format_page_is_valid():
    """Single actions, action lists and questions shown on the page pass the same checks."""
    blocks = [b for b in json_blocks(FORMAT_PAGE) if not (isinstance(b, dict) and "format" in b)]
    assert len(blocks) >= 3
    for block in blocks:
        step = {"title": "t", "text": "t"}
        if isinstance(block, list):
            step["do"] = block
        elif "ask" in block:
            step["question"] = block
        else:
            step["do"] = [block]
        spec = {"format": "bpviz.lesson", "version": 1, "title": "t", "steps": [step]}
        lesson_from_dict(spec, "snippet")


def test_every_action_is_documented_in_the_action_table():
    text = FORMAT_PAGE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", text, re.M))
    missing = set(ACTIONS) - documented
    assert not missing, f"docs/lesson-format.md does not document the actions {missing}"


def test_the_readme_lists_every_shipped_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lessons, problems = lessons_in(lessons_dir())
    assert lessons and not problems
    missing = [lesson.title for lesson in lessons if lesson.title not in readme]
    assert not missing, f"README.md's lesson list lacks {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_and_pictures_point_inside_the_repository(page):
    text = page.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    for target in targets:
        if target.startswith(("http://", "https://", "#")):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"{page.name} points outside the repository: {target}"
        assert path.exists(), f"{page.name} names a missing file: {target}"


def test_the_readme_shows_a_lesson_and_each_tab():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = set(re.findall(r"docs/screenshots/(\w+)\.png", readme))
    assert {"lesson", "backprop", "losses", "optimizers", "training"} <= pictures
