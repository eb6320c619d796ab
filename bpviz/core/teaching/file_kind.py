"""Which kind of bpviz file a path holds, so that ``bpviz FILE`` (and a double-click) opens a
graph, a lesson or a session alike.

The JSON formats say what they are in their ``format`` field, which bpviz writes first:
the first ``"format": "bpviz.…"`` in the opening bytes decides. A file where none is found
(not JSON, damaged, unreadable, hand-written with the field last) is judged by its name, and
the reader of that kind then says what is wrong with it. ONNX models are judged by name."""
from __future__ import annotations

import re
from pathlib import Path

GRAPH, LESSON, SESSION, ONNX = "graph", "lesson", "session", "onnx"
FORMATS = {"bpviz.graph": GRAPH, "bpviz.lesson": LESSON, "bpviz.session": SESSION}
SUFFIXES = ((".bpviz-session.json", SESSION), (".lesson.json", LESSON), (".onnx", ONNX))
PEEK_BYTES = 4096
_FORMAT = re.compile(rb'"format"\s*:\s*"([^"\\]{1,40})"')


def file_kind(path) -> str:
    """GRAPH, LESSON, SESSION or ONNX: what ``path`` should be opened as."""
    path = Path(path)
    head = b""
    try:
        if path.is_file():                  # a FIFO would block; the reader refuses it
            with path.open("rb") as f:
                head = f.read(PEEK_BYTES)
    except OSError:
        pass
    found = _FORMAT.search(head)
    kind = FORMATS.get(found.group(1).decode("ascii", "replace")) if found else None
    if kind:
        return kind
    name = path.name.lower()
    for suffix, kind in SUFFIXES:
        if name.endswith(suffix):
            return kind
    return GRAPH
