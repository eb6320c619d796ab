"""A Session (bpviz.core.teaching.session_file) made from a Classroom, and a Session put back into
one:
the data choice, the batch, the sample, train mode and the steps taken. What only the app
knows (the graph's file, the tab, the labs, the lesson) is given to ``session_of`` and
read from the Session by the app."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .classroom import Classroom
from .data import datasets as ds
from .data.data_source import CSV_SOURCE, FILE_SOURCES, SOURCES, input_shape
from .errors import DataError
from .teaching.session_file import DataChoice, LessonPlace, Session


def session_of(classroom: Classroom, graph_file: str | None = None, modified: bool = False,
               tab: str = "backprop", labs: dict | None = None,
               lesson: LessonPlace | None = None) -> Session:
    """Everything a class needs to come back to this point."""
    d = classroom.data
    choice = DataChoice(d.source, d.batch, d.sample, d.batch_seed, classroom.train_mode,
                        d.file if d.source in FILE_SOURCES else None)
    return Session(classroom.graph, graph_file, modified, tab, choice,
                   classroom.steps_taken, dict(labs or {}), lesson)


@dataclass
class FileReaders:
    """How a session's data file is read. ``folder(path, shape)`` reads an image folder
    (images need a decoder the core does not have); the app reads a CSV file with
    ``csv(path)`` off its interface thread, with a Cancel (gui/backprop/csv_reading.py)."""
    folder: Callable | None = None
    csv: Callable = ds.read_csv


def restore_classroom(classroom: Classroom, session: Session,
                      readers: FileReaders | None = None) -> None:
    """Put ``session``'s graph (unless the classroom shows it already), data and steps into
    ``classroom``, announced once, its data file read by ``readers``. ValueError naming
    the session's field that cannot be restored."""
    with classroom.held():
        if classroom.graph is not session.graph:
            classroom.set_graph(session.graph)
        _restore_data(classroom, session.data, readers or FileReaders())
        classroom.set_train_mode(session.data.train_mode)
        classroom.go_to_step(session.steps)
        taken = classroom.steps_taken
        if taken != session.steps:
            reason = f" ({classroom.reason})" if classroom.reason else ""
            raise ValueError(f"field stepper.steps: stepping stopped after {taken} of "
                             f"{session.steps} steps{reason}")


def _restore_data(classroom: Classroom, choice: DataChoice, readers: FileReaders) -> None:
    if choice.source not in SOURCES:
        raise ValueError(f"field data.source: no data set {choice.source!r} (data sets: "
                         f"{', '.join(SOURCES)})")
    if choice.source in FILE_SOURCES:
        classroom.use_dataset(_read_file(classroom, choice, readers), choice.source,
                              choice.file)
    else:
        classroom.use_builtin(choice.source)
    try:
        classroom.set_batch(choice.batch)
    except ValueError as err:
        raise ValueError(f"field data.batch: {err}") from None
    classroom.set_batch_seed(choice.batch_seed)
    try:
        classroom.set_sample(choice.sample)
    except ValueError as err:
        raise ValueError(f"field data.sample: {err}") from None


def _read_file(classroom: Classroom, choice: DataChoice, readers: FileReaders) -> ds.Dataset:
    """A CSV file or an image folder, read again; its own message if it cannot be."""
    if choice.file is None:
        raise ValueError(f"field data.file: {choice.source!r} needs the file or folder's path")
    try:
        if choice.source == CSV_SOURCE:
            return readers.csv(choice.file)
        if readers.folder is None:
            raise DataError(f"'{Path(choice.file).name}': image folders are read by the app")
        return readers.folder(choice.file, input_shape(classroom.graph) or ())
    except (DataError, OSError) as err:
        raise ValueError(f"field data.file: {without_cells(str(err))}") from None


_AT_LINE = re.compile(r"^(.*?, line \d+): (.*)$", re.DOTALL)


def without_cells(message: str) -> str:
    """A data file's message with no cell of the file in it: a session names the file,
    and could make bpviz show one cell of any file ("'accounts.csv', line 2: 'hunter2'
    is not a number" becomes "'accounts.csv', line 2: a cell is not a number")."""
    found = _AT_LINE.match(message)
    if found is None:
        return message
    at, rest = found.groups()
    last = max(rest.rfind("'"), rest.rfind('"'))
    if last < 0:
        return message
    tail = rest[last + 1:].strip()
    return f"{at}: a cell {tail}" if tail else f"{at}: a cell cannot be read"
