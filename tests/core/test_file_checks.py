"""Every file bpviz reads is checked before it is read (issue 25, items 5 and 13): a FIFO,
a device or an oversize file is refused at once, by a stat, and never read."""
import os
import threading
import time

import pytest

from bpviz.core import GraphError, load_graph
from bpviz.core.data import datasets as ds
from bpviz.core.errors import DataError
from bpviz.core.network.fileformat import (
    MAX_LESSON_BYTES,
    read_json,
    remove_stale_temps,
    write_atomic,
)
from bpviz.core.teaching.lessons import LessonError, load_lesson
from bpviz.core.teaching.session_file import SessionError, load_session

pytestmark = pytest.mark.timeout(60)


def finishes_at_once(call, path, seconds: float = 5.0):
    """``(value, exception)`` of ``call(path)``, which must end within ``seconds``. A call
    that blocks on a FIFO fails the test, and is then released by opening the FIFO's
    writing end."""
    outcome = []

    def run():
        try:
            outcome.append((call(path), None))
        except Exception as err:          # noqa: BLE001 (the test looks at it)
            outcome.append((None, err))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if os.path.exists(path) and not os.path.isfile(path):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))     # let it go
        pytest.fail(f"reading {path} blocked for {seconds} s")
    return outcome[0]


def refused_at_once(read, path, seconds: float = 5.0) -> Exception:
    """The exception ``read(path)`` raises within ``seconds``: short, as a message is."""
    _, err = finishes_at_once(read, path, seconds)
    assert err is not None, f"{path} was read without a complaint"
    assert len(str(err)) <= 300
    return err


READERS = [(load_graph, GraphError, ".bpviz.json"),
           (load_lesson, LessonError, ".lesson.json"),
           (load_session, SessionError, ".bpviz-session.json"),
           (ds.read_csv, DataError, ".csv")]


@pytest.mark.parametrize("read, error, suffix", READERS)
def test_a_fifo_is_refused_without_opening_it(tmp_path, read, error, suffix):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    err = refused_at_once(read, fifo)
    assert isinstance(err, error) and "not a regular file (a named pipe)" in str(err)
    assert "pipe" in str(err)


@pytest.mark.parametrize("read, error", [(ds.read_csv, DataError),
                                         (load_session, SessionError),
                                         (load_graph, GraphError)])
def test_dev_zero_is_refused(read, error):
    err = refused_at_once(read, "/dev/zero")
    assert isinstance(err, error) and "/dev/zero" in str(err) and "a device" in str(err)


@pytest.mark.parametrize("read, error, suffix", READERS)
def test_an_oversize_sparse_file_is_refused_by_its_size(tmp_path, read, error, suffix):
    big = tmp_path / f"big{suffix}"
    with open(big, "wb") as f:
        f.truncate(2 * 2**30 + 1)         # 2 GB that use no disk; reading them takes 11 s
    err = refused_at_once(read, big, seconds=2.0)
    assert isinstance(err, error) and "2,147,483,649 bytes" in str(err)


def test_a_lesson_is_refused_far_below_a_graph_file_size(tmp_path):
    lesson = tmp_path / "huge.lesson.json"
    with open(lesson, "wb") as f:
        f.truncate(MAX_LESSON_BYTES + 1)
    err = refused_at_once(load_lesson, lesson, seconds=2.0)
    assert "more than a lesson file holds" in str(err)
    graph = tmp_path / "huge.bpviz.json"       # a graph of that size may hold parameters
    os.rename(lesson, graph)
    with pytest.raises(GraphError, match="not a text|not valid JSON|empty"):
        read_json(graph)


def test_a_folder_is_refused():
    with pytest.raises(GraphError, match="it is a folder, not a file"):
        read_json("/")
    with pytest.raises(DataError, match="it is a folder, not a file"):
        ds.read_csv("/")


def test_a_csv_over_the_row_limit_is_refused_with_the_count(tmp_path, monkeypatch):
    monkeypatch.setattr(ds, "MAX_CSV_ROWS", 50)
    path = tmp_path / "many.csv"
    path.write_text("x,y,label\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(51)))
    err = refused_at_once(ds.read_csv, path)
    assert isinstance(err, DataError)
    assert "'many.csv' has more than 50 data rows (at least 51" in str(err)
    path.write_text("x,y,label\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(50)))
    data = ds.read_csv(path)
    assert data.x.shape == (50, 2) and data.classes == ["0", "1"]


def test_a_csv_line_too_long_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(ds, "MAX_CSV_LINE", 100)
    path = tmp_path / "wide.csv"
    path.write_text("1,2,a\n" + ",".join("1" for _ in range(60)) + "\n")
    with pytest.raises(DataError, match="'wide.csv' has a line longer than 100 characters"):
        ds.read_csv(path)


def test_a_csv_is_still_read_with_a_bom_a_header_and_blank_lines(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("\ufeffa;b;kind\n\n1;2;cat\n3;4;dog\n\n5;6;cat\n", encoding="utf-8")
    data = ds.read_csv(path)
    assert data.name == "small (a, b, kind)" and data.classes == ["cat", "dog"]
    assert data.x.tolist() == [[1, 2], [3, 4], [5, 6]] and data.y.tolist() == [0, 1, 0]
    path.write_text("1,2,a\n3,x,b\n")
    with pytest.raises(DataError, match="'small.csv', line 2: 'x' is not a number"):
        ds.read_csv(path)


def test_a_temp_file_left_by_a_killed_write_is_removed(tmp_path):
    target = tmp_path / "recovery.bpviz.json"
    stale = tmp_path / ".recovery.bpviz.json.ab12cd34.tmp"
    fresh = tmp_path / ".recovery.bpviz.json.ef56gh78.tmp"
    other = tmp_path / ".notes.txt.ab12cd34.tmp"
    for path in (stale, fresh, other):
        path.write_text("{")
    old = time.time() - 120
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert remove_stale_temps(target) == 1
    assert not stale.exists() and fresh.exists() and other.exists()   # a write may be going on
    write_atomic(target, "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, fresh.name, other.name])
