"""The ``*.bpviz-session.json`` format, version 1: the whole classroom state in one file, so
that an instructor can prepare a class and open it at the right point.

    {"format": "bpviz.session", "version": 1,
     "graph": {...},                  the graph file format (bpviz.core.network.graph to_dict)
     "graph_file": "net.bpviz.json",  the file the graph came from, or null
     "modified": false,               the graph differs from that file
     "tab": "backprop",               one of TABS
     "data": {"source": "spirals", "batch": 8, "sample": 0, "batch_seed": 0,
              "train_mode": false, "file": null},   file: a CSV file or image folder
     "stepper": {"steps": 12},        steps taken from the start (restored by replaying)
     "labs": {"losses": {"page": 1, "controls": {"slider_margin Δ": 10, ...}},
              "optimizers": {"controls": {...}, "ticked": ["SGD", "Adam"],
                             "selected": "Adam", "configs": {"Adam": {"lr": 0.01}},
                             "start": [-1.5, 2.0], "shown": 40}},
     "lesson": {"lesson": "01_one_layer", "step": 3,   (a name or a path; steps from 1)
                "aside": {the user's own graph put aside while the lesson runs: "graph",
                          "graph_file", "modified", "tab", "data", "batch", "sample"}}}

A lab missing from "labs" was never opened and keeps its defaults; "lesson" is null or
absent when no lesson runs. Controls are named by their Qt objectName, as a lesson's "set"
action names them. Nothing is evaluated: the JSON is checked field by field and every
problem is one ``SessionError`` naming the file and the field.
"""
from __future__ import annotations

import json
import os
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MAX_MESSAGE, GraphError, clipped, shown
from ..network.fileformat import check_plain, finite_number, read_json, where, write_atomic
from ..network.graph import Graph
from .lessons import TABS

FORMAT = "bpviz.session"
VERSION = 1
SUFFIX = ".bpviz-session.json"
LABS = ("losses", "optimizers")
MAX_STEPS = 100_000             # the stepper's own guard (a lesson's step_to) is the same


class SessionError(ValueError):
    """A session file that cannot be used; the message names the file and the field."""


@dataclass
class DataChoice:
    source: str = "spirals"        # a name in the Data panel's list
    batch: int = 8
    sample: int = 0
    batch_seed: int = 0
    train_mode: bool = False
    file: str | None = None        # the CSV file or image folder behind a file source


@dataclass
class Aside:
    """The user's own work, put aside while a lesson runs and given back when it ends."""
    graph: Graph
    graph_file: str | None = None
    modified: bool = False
    tab: str = "backprop"
    data: str = ""                 # the data source's name
    batch: int = 8
    sample: int = 0


@dataclass
class LessonPlace:
    lesson: str                    # a shipped lesson's name, or a lesson file's path
    step: int                      # from 0 (the file counts from 1, as the lesson panel)
    aside: Aside | None = None


@dataclass
class Session:
    graph: Graph
    graph_file: str | None = None
    modified: bool = False
    tab: str = "backprop"
    data: DataChoice = field(default_factory=DataChoice)
    steps: int = 0
    labs: dict = field(default_factory=dict)      # {lab: its state}, only labs opened
    lesson: LessonPlace | None = None


# --- checking values -------------------------------------------------------------------------
def _key(name) -> str:
    """A key of the file as part of a field's name: as written when short and plain, else
    a short excerpt (a key may be a megabyte long, or hold line breaks)."""
    name = str(name)
    return name if len(name) <= 40 and name.isprintable() else shown(name)


def _fail(what: str, expected: str, value) -> SessionError:
    return SessionError(f"field {what}: expected {expected}, got {shown(value)}")


def _int(value, what: str, low: int = 0, high: int = MAX_STEPS) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(what, f"a whole number from {low} to {high:,}", value)
    return value


def _bool(value, what: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(what, "true or false", value)
    return value


def _text(value, what: str, empty: bool = False, limit: int = 4096) -> str:
    if not isinstance(value, str) or not (empty or value.strip()) or len(value) > limit:
        raise _fail(what, f"{'' if empty else 'non-empty '}text", value)
    return value


def _number(value, what: str) -> float | int:
    if finite_number(value) is None:
        raise _fail(what, "a finite number", value)
    return value


def _path_or_null(value, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _object(value, what: str, keys: AbstractSet[str],
            required: AbstractSet[str] = frozenset()) -> dict:
    """``value`` as a JSON object of only ``keys``, with every key of ``required``."""
    if not isinstance(value, dict):
        raise _fail(what, "an object", value)
    unknown = sorted(set(value) - keys, key=str)
    if unknown:
        raise SessionError(f"field {what}.{_key(unknown[0])}: unknown field (fields: "
                           f"{', '.join(sorted(keys))})")
    missing = sorted(required - set(value))
    if missing:
        raise SessionError(f"field {what}.{missing[0]}: missing")
    return value


def _graph(value, what: str) -> Graph:
    try:      # half-built graphs open, as in the editor: only a broken graph is refused
        return Graph.from_dict(value, check=False)
    except GraphError as err:          # (the graph's message may quote a long value)
        raise SessionError(f"field {what}: {clipped(str(err), MAX_MESSAGE - 80)}") from None


# --- the parts -------------------------------------------------------------------------------
def _data(value, what: str = "data") -> DataChoice:
    keys = {"source", "batch", "sample", "batch_seed", "train_mode", "file"}
    spec = _object(value, what, keys, {"source"})
    d = DataChoice()
    return DataChoice(_text(spec["source"], f"{what}.source", limit=200),
                      _int(spec.get("batch", d.batch), f"{what}.batch", 1, 4096),
                      _int(spec.get("sample", d.sample), f"{what}.sample", 0, 4095),
                      _int(spec.get("batch_seed", 0), f"{what}.batch_seed", 0, 2**31 - 1),
                      _bool(spec.get("train_mode", False), f"{what}.train_mode"),
                      _path_or_null(spec.get("file"), f"{what}.file"))


def _controls(value, what: str) -> dict:
    """{control's objectName: value}: a check box's bool, a combo box's text, a slider's or
    spin box's number."""
    if not isinstance(value, dict):
        raise _fail(what, "an object of {control name: value}", value)
    for name, v in value.items():
        _text(name, f"{what} (a name)", limit=200)
        if not isinstance(v, (bool, str)):
            _number(v, f"{what}.{_key(name)}")
    return dict(value)


def _configs(value, what: str) -> dict:
    """{optimizer: {hyperparameter: number, bool or list of numbers}}."""
    if not isinstance(value, dict):
        raise _fail(what, "an object of {optimizer: {hyperparameter: value}}", value)
    out = {}
    for name, params in value.items():
        if not isinstance(params, dict):
            raise _fail(f"{what}.{_key(name)}", "an object of {hyperparameter: value}",
                        params)
        for key, v in params.items():
            field_name = f"{what}.{_key(name)}.{_key(key)}"
            if isinstance(v, list):
                for i, item in enumerate(v):
                    _number(item, f"{field_name}[{i}]")
            elif not isinstance(v, bool):
                _number(v, field_name)
        out[name] = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    return out


def _losses(value, what: str) -> dict:
    spec = _object(value, what, {"page", "controls"})
    return {"page": _int(spec.get("page", 0), f"{what}.page", 0, 20),
            "controls": _controls(spec.get("controls", {}), f"{what}.controls")}


def _optimizers(value, what: str) -> dict:
    """Only the fields given: a missing one leaves the lab as it is."""
    spec = _object(value, what, {"controls", "ticked", "selected", "configs", "start",
                                 "shown"})
    out: dict[str, object] = {
           "controls": _controls(spec.get("controls", {}), f"{what}.controls"),
           "configs": _configs(spec.get("configs", {}), f"{what}.configs")}
    if "ticked" in spec:
        ticked = spec["ticked"]
        if not isinstance(ticked, list):
            raise _fail(f"{what}.ticked", "a list of optimizer names", ticked)
        out["ticked"] = [_text(t, f"{what}.ticked[{i}]", limit=200)
                         for i, t in enumerate(ticked)]
    if "selected" in spec:
        out["selected"] = _text(spec["selected"], f"{what}.selected", limit=200)
    if "shown" in spec:
        out["shown"] = _int(spec["shown"], f"{what}.shown", 0, 5000)
    if "start" in spec:
        start = spec["start"]
        if not isinstance(start, list) or len(start) != 2:
            raise _fail(f"{what}.start", "[x, y]", start)
        out["start"] = tuple(float(_number(v, f"{what}.start[{i}]"))
                             for i, v in enumerate(start))
    return out


LAB_CHECKS = {"losses": _losses, "optimizers": _optimizers}


def _labs(value, what: str = "labs") -> dict:
    spec = _object(value, what, set(LABS))
    return {name: LAB_CHECKS[name](state, f"{what}.{name}") for name, state in spec.items()}


def _aside(value, what: str) -> Aside:
    keys = {"graph", "graph_file", "modified", "tab", "data", "batch", "sample"}
    spec = _object(value, what, keys, {"graph"})
    return Aside(_graph(spec["graph"], f"{what}.graph"),
                 _path_or_null(spec.get("graph_file"), f"{what}.graph_file"),
                 _bool(spec.get("modified", False), f"{what}.modified"),
                 _tab(spec.get("tab", "backprop"), f"{what}.tab"),
                 _text(spec.get("data", ""), f"{what}.data", empty=True, limit=200),
                 _int(spec.get("batch", 8), f"{what}.batch", 1, 4096),
                 _int(spec.get("sample", 0), f"{what}.sample", 0, 4095))


def _lesson(value, what: str = "lesson") -> LessonPlace | None:
    if value is None:
        return None
    spec = _object(value, what, {"lesson", "step", "aside"}, {"lesson", "step"})
    aside = spec.get("aside")
    return LessonPlace(_text(spec["lesson"], f"{what}.lesson"),
                       _int(spec["step"], f"{what}.step", 1, 10_000) - 1,
                       None if aside is None else _aside(aside, f"{what}.aside"))


def _tab(value, what: str) -> str:
    if value not in TABS:
        raise _fail(what, f"one of {', '.join(map(repr, TABS))}", value)
    return value


# --- the whole file --------------------------------------------------------------------------
KEYS = {"format", "version", "graph", "graph_file", "modified", "tab", "data", "stepper",
        "labs", "lesson"}


def session_from_dict(spec) -> Session:
    """A checked Session; SessionError naming the field (without the file's name)."""
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        got = spec.get("format") if isinstance(spec, dict) else type(spec).__name__
        raise SessionError(f"not a bpviz session: 'format' is {shown(got)}, expected "
                           f"{FORMAT!r}")
    version = spec.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise SessionError(f"written by a newer bpviz (session version {version}); this "
                           f"bpviz reads version {VERSION}: please update bpviz")
    _int(version, "version", VERSION, VERSION)
    try:
        check_plain(spec)
    except GraphError as err:
        raise SessionError(str(err).replace("a graph", "a session")) from None
    _object(spec, "session", KEYS, {"graph", "data"})
    stepper = _object(spec.get("stepper", {}), "stepper", {"steps"})
    return Session(_graph(spec["graph"], "graph"),
                   _path_or_null(spec.get("graph_file"), "graph_file"),
                   _bool(spec.get("modified", False), "modified"),
                   _tab(spec.get("tab", "backprop"), "tab"),
                   _data(spec["data"]),
                   _int(stepper.get("steps", 0), "stepper.steps"),
                   _labs(spec.get("labs", {})),
                   _lesson(spec.get("lesson")))


def _data_dict(d: DataChoice) -> dict:
    return {"source": d.source, "batch": d.batch, "sample": d.sample,
            "batch_seed": d.batch_seed, "train_mode": d.train_mode, "file": d.file}


def _lesson_dict(place: LessonPlace | None) -> dict | None:
    if place is None:
        return None
    out = {"lesson": place.lesson, "step": place.step + 1}
    a = place.aside
    if a is not None:
        out["aside"] = {"graph": a.graph.to_dict(), "graph_file": a.graph_file,
                        "modified": a.modified, "tab": a.tab, "data": a.data,
                        "batch": a.batch, "sample": a.sample}
    return out


def session_to_dict(s: Session) -> dict:
    return {"format": FORMAT, "version": VERSION, "graph": s.graph.to_dict(),
            "graph_file": s.graph_file, "modified": s.modified, "tab": s.tab,
            "data": _data_dict(s.data), "stepper": {"steps": s.steps},
            "labs": json.loads(json.dumps(s.labs)),     # tuples in configs become lists
            "lesson": _lesson_dict(s.lesson)}


def load_session(path) -> Session:
    """Read and check a session file; SessionError naming the file and the field."""
    path = Path(path)
    try:
        spec = read_json(path)
    except GraphError as err:
        raise SessionError(str(err).replace("a graph file", "a session file")) from None
    try:
        return session_from_dict(spec)
    except SessionError as err:
        raise SessionError(clipped(f"'{path.name}': {err}", MAX_MESSAGE)) from None


def session_path(path) -> Path:
    """``path`` ending in the session suffix ('class' → 'class.bpviz-session.json')."""
    path = Path(path)
    if path.name.endswith(SUFFIX):
        return path
    return path.with_name(path.name.removesuffix(".json") + SUFFIX)


def save_session(s: Session, path) -> Path:
    """Write atomically (a crash never leaves half a session); SessionError if it cannot."""
    path = session_path(path)
    _check_file_names(s)
    try:
        text = json.dumps(session_to_dict(s), indent=1)
        write_atomic(path, text + "\n")
    except (OSError, GraphError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise SessionError(f"cannot save '{path}': {reason}") from None
    return path


def _check_file_names(s: Session) -> None:
    """A file name that is not UTF-8 (Linux allows any bytes) cannot be written so that it
    reads back as text: refuse it by name rather than save a session that will not open."""
    aside = s.lesson.aside if s.lesson else None
    names = {"graph_file": s.graph_file, "data.file": s.data.file,
             "lesson.lesson": s.lesson.lesson if s.lesson else None,
             "lesson.aside.graph_file": aside.graph_file if aside else None}
    for what, name in names.items():
        if name is None:
            continue
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            shown_name = os.fsencode(name).decode("utf-8", "backslashreplace")
            raise SessionError(
                f"cannot save the session: the name of the file '{where(shown_name)}' "
                f"({what}) is not UTF-8 text, which a session cannot keep; rename that file, "
                f"open it again, then save the session") from None

