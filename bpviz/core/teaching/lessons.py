"""The ``*.lesson.json`` format, version 1: a lesson is a list of steps, each with short
text, an optional formula, actions that drive the app, and an optional question to answer
before the answer is revealed.

Nothing in a lesson file is evaluated: it is JSON, checked field by field here, and every
problem is a ``LessonError`` naming the file, the step and the field. Names that only the
app can check (a node of the open graph, a control on screen) are checked when the step
runs, with a message of the same form (``where``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...paths import example_path
from ..errors import GraphError, clipped, shown
from ..network.fileformat import MAX_LESSON_BYTES, finite_number, read_json
from .answer_cards import CARD_KEYS, CARD_SHOWS, Card, check_of
from .answers import is_close

FORMAT = "bpviz.lesson"
VERSION = 1
SUFFIX = ".lesson.json"
MAX_STEPS = 200
MAX_TEXT = 4000               # characters of a step's text: a lesson panel, not a book
TABS = ("backprop", "losses", "optimizers", "training")
PHASES = ("forward", "backward")


class LessonError(ValueError):
    """A lesson that cannot be used; the message names the file, the step and the field."""


def where(lesson: str, step: int | None = None, title: str = "", what: str = "") -> str:
    """'fc.lesson.json, step 3 ("Softmax"), field do[1].step_to' (steps count from 1); a
    title is cut to a short excerpt (it is quoted before its length is checked)."""
    text = lesson
    if step is not None:
        text += f", step {step + 1}" + (f" ({shown(title)})" if title else "")
    return text + (f", field {what}" if what else "")


def _text(value, what: str, limit: int = MAX_TEXT, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ValueError(f"{what}: expected {'' if empty else 'non-empty '}text, got "
                         f"{shown(value)}")
    if len(value) > limit:
        raise ValueError(f"{what}: {len(value):,} characters, more than {limit:,}")
    return value


def _int(value, what: str, low: int = 0, high: int = 10**6) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{what}: expected a whole number from {low} to {high:,}, got "
                         f"{shown(value)}")
    return value


def _number(value, what: str) -> float:
    number = finite_number(value)
    if number is None:
        raise ValueError(f"{what}: expected a number, got {shown(value)}")
    return number


def _one_of(value, what: str, allowed) -> str:
    if value not in allowed or type(value) not in map(type, allowed):   # 1 is not true
        raise ValueError(f"{what}: expected one of {', '.join(map(repr, allowed))}, got "
                         f"{shown(value)}")
    return value


def _step_to(value, what: str) -> dict:
    if not isinstance(value, dict) or set(value) != {"node", "phase"}:
        raise ValueError(f"{what}: expected {{\"node\": ..., \"phase\": \"forward\" or "
                         f"\"backward\"}}, got {shown(value)}")
    return {"node": _text(value["node"], f"{what}.node", 200),
            "phase": _one_of(value["phase"], f"{what}.phase", PHASES)}


def _set(value, what: str) -> dict:
    if not isinstance(value, dict) or set(value) != {"control", "value"}:
        raise ValueError(f"{what}: expected {{\"control\": name, \"value\": ...}}, got "
                         f"{shown(value)}")
    v = value["value"]
    if not isinstance(v, (bool, str)):
        v = _number(v, f"{what}.value")
    return {"control": _text(value["control"], f"{what}.control", 200), "value": v}


RACE_KEYS = {"controls", "ticked", "selected", "configs", "start", "shown"}


def _setting(value, what: str, text: bool = True):
    """A control's value (a check box's bool, a choice's text, a number), or with
    ``text=False`` a hyperparameter's: a bool, a number or a list of numbers (Adam's
    betas)."""
    if isinstance(value, list) and value and not text:
        return tuple(_number(v, f"{what}[{i}]") for i, v in enumerate(value))
    return value if isinstance(value, bool) or text and isinstance(value, str) else \
        _number(value, what)


def _names(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: expected an object, got {shown(value)}")
    return {_text(k, what, 100): v for k, v in value.items()}


def _race(value, what: str) -> dict:
    """The Optimizers tab's race as a session saves it (OptimizerLab.state): its named
    controls, the optimizers ticked, the one selected, their hyperparameters, the start
    and the step shown. Names are checked by the lab when the step runs."""
    if not isinstance(value, dict) or not value or not set(value) <= RACE_KEYS:
        raise ValueError(f"{what}: expected an object with some of "
                         f"{', '.join(sorted(RACE_KEYS))}, got {shown(value)}")
    out: dict[str, Any] = {}
    if "controls" in value:
        out["controls"] = {name: _setting(v, f"{what}.controls.{name}")
                           for name, v in _names(value["controls"], f"{what}.controls").items()}
    if "configs" in value:
        out["configs"] = {name: {k: _setting(v, f"{what}.configs.{name}.{k}", False)
                                 for k, v in _names(config, f"{what}.configs.{name}").items()}
                          for name, config in _names(value["configs"], f"{what}.configs").items()}
    ticked = value.get("ticked", [])
    if not isinstance(ticked, list):
        raise ValueError(f"{what}.ticked: expected a list of names, got {shown(ticked)}")
    if "ticked" in value:
        out["ticked"] = [_text(n, f"{what}.ticked[{i}]", 100) for i, n in enumerate(ticked)]
    if "selected" in value:
        out["selected"] = _text(value["selected"], f"{what}.selected", 100)
    if "start" in value:
        start = value["start"]
        if not isinstance(start, list) or len(start) != 2:
            raise ValueError(f"{what}.start: expected [x, y], got {shown(start)}")
        out["start"] = [_number(v, f"{what}.start[{i}]") for i, v in enumerate(start)]
    if "shown" in value:
        out["shown"] = _int(value["shown"], f"{what}.shown", 0, 5000)
    return out


GRAPH_SUFFIX = ".bpviz.json"


def _example(value, what: str) -> str:
    """A shipped example's name ('fc_softmax_ce'), or a lesson's own graph by a relative
    path ending in .bpviz.json that stays in the lesson's folder ('graphs/mine.bpviz.json');
    where it really leads is checked against the folder by ``example_file``."""
    value = _text(value, what, 200)
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "\\", "~")) or ":" in value or ".." in parts:
        raise ValueError(f"{what}: {shown(value)} leaves the lesson's folder: give an "
                         f"example's name or a path beside the lesson, e.g. 'mine{GRAPH_SUFFIX}'")
    if len(parts) > 1 and not value.endswith(GRAPH_SUFFIX):
        raise ValueError(f"{what}: {shown(value)} is neither an example's name nor a "
                         f"{GRAPH_SUFFIX} file beside the lesson")
    return value


def example_file(value: str, folder: Path | None) -> Path:
    """The graph an ``example`` action opens: a lesson's own ``*.bpviz.json`` in its
    ``folder`` (after links are followed it must still be in there), else a shipped example
    (FileNotFoundError listing them); ValueError when the path leads out of the folder."""
    if not value.endswith(GRAPH_SUFFIX):
        return example_path(value)
    if folder is None:
        raise ValueError(f"{shown(value)}: a graph beside the lesson needs a lesson file")
    root = Path(folder).resolve()
    path = (root / value).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{shown(value)} leads out of the lesson's folder")
    if not path.is_file():
        raise FileNotFoundError(f"{shown(value)}: no such graph beside the lesson")
    return path


def _check_examples(steps: tuple[Step, ...], label: str, folder: Path) -> None:
    """Each graph a lesson file brings stays in its folder (a link may lead out)."""
    for index, step in enumerate(steps):
        for field, actions in (("do", step.actions), ("reveal", step.reveal)):
            for i, action in enumerate(actions):
                value = action.get("example")
                if value is None or not value.endswith(GRAPH_SUFFIX):
                    continue
                try:
                    example_file(value, folder)
                except (ValueError, FileNotFoundError) as err:
                    raise LessonError(f"{where(label, index, step.title, field)}"
                                      f"[{i}].example: {err}") from None


# Each action is an object with one key; the value is checked by its function.
ACTIONS = {
    "example": _example,                                # a shipped example, or a graph beside
    "tab": lambda v, w: _one_of(v, w, TABS),
    "data": lambda v, w: _text(v, w, 200),             # a data set of the Data panel
    "batch": lambda v, w: _int(v, w, 1, 4096),
    "sample": lambda v, w: _int(v, w, 0, 4095),
    "train_mode": lambda v, w: _one_of(v, w, (True, False)),
    "reset": lambda v, w: _one_of(v, w, (True,)),       # the stepper back to its start
    "step_to": _step_to,                                # step until that node in that phase
    "run_phase": lambda v, w: _one_of(v, w, PHASES),    # step to the end of that phase
    "select": lambda v, w: _text(v, w, 200),            # a node of the graph
    "overview": lambda v, w: _one_of(v, w, (True,)),    # the whole graph, however small
    "focus": lambda v, w: _text(v, w, 200),             # an Inspector view, e.g. "jac_input"
    "unfocus": lambda v, w: _one_of(v, w, (True,)),
    "set": _set,                                        # a named control (slider, box)
    "optimizer_steps": lambda v, w: _int(v, w, 1, 1000),
    "race": _race,                      # the Optimizers tab's race, shown at a step
    # the Training tab's augmentation demo (false: back to the form); its controls are
    # then set by name (augment_alpha_0, augment_flip, ...)
    "augment_demo": lambda v, w: _one_of(v, w, (True, False)),
    # View ▸ Gradient Flow: each layer's gradient on a log scale (false: its dock closed)
    "gradient_flow": lambda v, w: _one_of(v, w, (True, False)),
}


def check_action(action, what: str) -> dict:
    if not isinstance(action, dict) or len(action) != 1:
        raise ValueError(f"{what}: expected an object with one action, e.g. "
                         f"{{\"example\": \"fc_softmax_ce\"}}, got {shown(action)}")
    (name, value), = action.items()
    if name not in ACTIONS:
        raise ValueError(f"{what}: unknown action {shown(name)} (actions: "
                         f"{', '.join(ACTIONS)})")
    return {name: ACTIONS[name](value, f"{what}.{name}")}


def _actions(value, what: str) -> list[dict]:
    if not isinstance(value, list):
        raise ValueError(f"{what}: expected a list of actions, got {shown(value)}")
    return [check_action(a, f"{what}[{i}]") for i, a in enumerate(value)]


def _card(value, what: str, second: bool = True) -> Card:
    keys, also = (CARD_KEYS, ' and "also"') if second else (CARD_KEYS - {"also"}, "")
    if not isinstance(value, dict) or not {"label", "show"} <= set(value) <= keys:
        raise ValueError(f"{what}: expected {{\"label\", \"show\"}} with \"of\" and an "
                         f"optional \"digits\"{also}, got {shown(value)}")
    label = _text(value["label"], f"{what}.label", 200)
    show = _one_of(value["show"], f"{what}.show", tuple(CARD_SHOWS))
    of = check_of(show, value.get("of", ""), f"{what}.of")
    second_card = _card(value["also"], f"{what}.also", False) if "also" in value else None
    return Card(label, show, of, _int(value.get("digits", 3), f"{what}.digits", 1, 6),
                second_card)


@dataclass(frozen=True)
class Question:
    """Asked before the step's ``reveal`` actions run. Either ``choices`` with the index of
    the right one in ``answer``, or a number ``answer`` within ``tolerance``. ``card``: a
    number shown in large type with the answer, computed once the reveal has run."""
    ask: str
    answer: float
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    explain: str = ""
    card: Card | None = None

    def is_right(self, given) -> bool:
        """A choice's index, or a number as typed: "0,75", "10,000", "1/4", "25%",
        "3·10⁻⁸" (right when any reading of it is, bpviz.core.teaching.answers)."""
        if self.choices:
            return given == int(self.answer)
        return is_close(given, self.answer, self.tolerance)


def _question(value, what: str) -> Question:
    keys = {"ask", "answer", "choices", "tolerance", "explain", "card"}
    if not isinstance(value, dict) or not {"ask", "answer"} <= set(value) <= keys:
        raise ValueError(f"{what}: expected {{\"ask\", \"answer\"}} with \"choices\" or "
                         f"\"tolerance\" and an optional \"explain\" and \"card\", got "
                         f"{shown(value)}")
    ask, explain = _text(value["ask"], f"{what}.ask"), _text(
        value.get("explain", ""), f"{what}.explain", empty=True)
    card = _card(value["card"], f"{what}.card") if "card" in value else None
    if "choices" in value:
        choices = value["choices"]
        if not isinstance(choices, list) or not 2 <= len(choices) <= 8:
            raise ValueError(f"{what}.choices: expected a list of 2 to 8 texts, got "
                             f"{shown(choices)}")
        choices = tuple(_text(c, f"{what}.choices[{i}]", 300) for i, c in enumerate(choices))
        answer = _int(value["answer"], f"{what}.answer", 0, len(choices) - 1)
        return Question(ask, answer, choices, explain=explain, card=card)
    tolerance = _number(value.get("tolerance", 0.0), f"{what}.tolerance")
    if tolerance < 0:
        raise ValueError(f"{what}.tolerance: expected a number >= 0, got {tolerance}")
    return Question(ask, _number(value["answer"], f"{what}.answer"), (), tolerance, explain,
                    card)


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    formula: str = ""
    actions: tuple[dict, ...] = ()
    question: Question | None = None
    reveal: tuple[dict, ...] = ()      # run once the question is answered (or skipped)


STEP_KEYS = {"title", "text", "formula", "do", "question", "reveal"}


def _step(value, index: int, name: str) -> Step:
    title = value.get("title", "") if isinstance(value, dict) else ""
    title = title if isinstance(title, str) else ""
    if not isinstance(value, dict):
        raise LessonError(f"{where(name, index)}: expected an object, got {shown(value)}")
    try:
        for key in value:
            if key not in STEP_KEYS:
                raise ValueError(f"{shown(key)[:60]}: unknown field (fields: "
                                 f"{', '.join(sorted(STEP_KEYS))})")
        question = value.get("question")
        return Step(_text(value.get("title"), "title", 200),
                    _text(value.get("text"), "text"),
                    _text(value.get("formula", ""), "formula", 1000, empty=True),
                    tuple(_actions(value.get("do", []), "do")),
                    None if question is None else _question(question, "question"),
                    tuple(_actions(value.get("reveal", []), "reveal")))
    except ValueError as err:
        raise LessonError(f"{where(name, index, title)}, field {err}") from None


@dataclass(frozen=True)
class Lesson:
    name: str                    # the file name without .lesson.json
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path | None = None
    order: int = 0               # place on the start page


def lesson_from_dict(spec, name: str, path: Path | None = None) -> Lesson:
    """The lesson ``spec`` holds; LessonError in one line of at most 300 characters (a
    field's message quotes what the file put there)."""
    try:
        return _lesson_from_dict(spec, name, path)
    except LessonError as err:
        raise LessonError(clipped(str(err))) from None


def _lesson_from_dict(spec, name: str, path: Path | None) -> Lesson:
    label = f"{name}{SUFFIX}"
    if not isinstance(spec, dict):
        raise LessonError(f"{label}: not a bpviz lesson: expected a JSON object, got "
                          f"{type(spec).__name__}")
    if spec.get("format") != FORMAT:
        raise LessonError(f"{label}: not a bpviz lesson: 'format' is "
                          f"{shown(spec.get('format'))}, expected {FORMAT!r}")
    if spec.get("version") != VERSION or isinstance(spec.get("version"), bool):   # True == 1
        raise LessonError(f"{label}: lesson format version {shown(spec.get('version'))}; "
                          f"this bpviz reads version {VERSION}")
    try:
        title = _text(spec.get("title"), "field title", 200)
        summary = _text(spec.get("summary", ""), "field summary", 600, empty=True)
        order = _int(spec.get("order", 0), "field order", 0, 1000)
        steps = spec.get("steps")
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
            raise ValueError(f"field steps: expected a list of 1 to {MAX_STEPS} steps, got "
                             f"{shown(steps)}")
    except ValueError as err:
        raise LessonError(f"{label}: {err}") from None
    checked = tuple(_step(s, i, label) for i, s in enumerate(steps))
    if path is not None:
        _check_examples(checked, label, Path(path).parent)
    return Lesson(name, title, summary, checked, path, order)


def lesson_name(path) -> str:
    name = Path(path).name
    return name[:-len(SUFFIX)] if name.endswith(SUFFIX) else Path(path).stem


def load_lesson(path) -> Lesson:
    """Read and check a lesson file; LessonError naming the file, step and field."""
    path = Path(path)
    try:
        spec = read_json(path, MAX_LESSON_BYTES, "a lesson file")   # whatever its name
    except GraphError as err:
        raise LessonError(clipped(str(err).replace("a graph file", "a lesson file"))) from None
    return lesson_from_dict(spec, lesson_name(path), path)


def lessons_in(folder) -> tuple[list[Lesson], list[str]]:
    """Every lesson in ``folder`` in their order, and the messages of those that failed."""
    lessons, problems = [], []
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        try:
            lessons.append(load_lesson(path))
        except LessonError as err:
            problems.append(str(err))
    lessons.sort(key=lambda lesson: (lesson.order, lesson.name))
    return lessons, problems
