"""The ``*.bpviz.json`` graph file format, version 1: reading, checking, atomic writing.

Parameter arrays are stored exactly as ``{"dtype": "float64", "shape": [..], "data": base64
of the little-endian bytes}``. Nothing read from a file is ever evaluated, imported or
unpickled: it is JSON, checked field by field, and every problem is a ``GraphError``.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import os
import stat
import tempfile
import time
from pathlib import Path

import numpy as np

from ..errors import GraphError, amount, shown
from ..ops import MAX_ELEMENTS

FORMAT = "bpviz.graph"
VERSION = 1
SUFFIX = ".bpviz.json"
PARAM_DTYPES = ("float32", "float64")
MAX_DEPTH = 16          # a graph file nests 5 deep; deeper is damage (and copying recurses)


def encode_array(a: np.ndarray) -> dict:
    a = np.asarray(a)
    if a.dtype.name not in PARAM_DTYPES:
        raise GraphError(f"cannot store an array of dtype {a.dtype.name}")
    raw = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
    return {"dtype": a.dtype.name, "shape": list(a.shape),
            "data": base64.b64encode(raw).decode("ascii")}


def decode_array(obj, where: str) -> np.ndarray:
    """The array encoded by ``encode_array``; GraphError naming ``where`` if malformed."""
    if not isinstance(obj, dict) or set(obj) != {"dtype", "shape", "data"}:
        raise GraphError(f"{where} must be an object with dtype, shape and data")
    dtype, shape, data = obj["dtype"], obj["shape"], obj["data"]
    if dtype not in PARAM_DTYPES:
        raise GraphError(f"{where} has dtype {shown(dtype)}; expected one of {PARAM_DTYPES}")
    if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise GraphError(f"{where} has a bad shape {shown(shape)}")
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise GraphError(f"{where} has {amount(count)} values, more than the limit of "
                         f"{MAX_ELEMENTS:,}")
    if not isinstance(data, str):
        raise GraphError(f"{where} data must be a base64 string")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise GraphError(f"{where} data is not valid base64") from None
    le = np.dtype(dtype).newbyteorder("<")
    if len(raw) != count * le.itemsize:
        raise GraphError(f"{where} data has {len(raw)} bytes but shape {shape} of {dtype} "
                         f"needs {count * le.itemsize}")
    return np.frombuffer(raw, dtype=le).astype(dtype).reshape(shape)


def check_header(spec) -> None:
    """Reject anything that is not a version-1 bpviz graph, with a message saying why."""
    if not isinstance(spec, dict):
        raise GraphError("not a bpviz graph: expected a JSON object at the top level, got "
                         f"{type(spec).__name__}")
    fmt = spec.get("format")
    if fmt != FORMAT:
        raise GraphError(f"not a bpviz graph: 'format' is {shown(fmt)}, expected {FORMAT!r}")
    version = spec.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise GraphError(f"bad format version {shown(version)}: expected a positive integer")
    if version > VERSION:
        raise GraphError(f"this file was written by a newer bpviz (format version {version}); "
                         f"this bpviz reads version {VERSION}: please update bpviz")


def field(spec: dict, key: str, kind, default, where: str = "graph"):
    """``spec[key]`` if present and of type ``kind``, else ``default``; GraphError if wrong."""
    if key not in spec:
        return default
    value = spec[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise GraphError(f"{where}: '{key}' must be of type {name}, got {shown(value)}")
    return value


# AlexNet's 62 M parameters in float64, base64: about 670 MB. A larger file is not a graph.
MAX_FILE_BYTES = 2**30


def finite_number(value) -> float | None:
    """A JSON number as a finite float; None for anything else — text, true/false, NaN,
    infinities, and integers too large for a float (a file may hold 400 digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


# What each kind of file may weigh: graphs and sessions carry parameters (above); a lesson
# is text and a few small graphs (the shipped ones are under 100 kB).
MAX_LESSON_BYTES = 64 * 2**20
LESSON_SUFFIX = ".lesson.json"          # core.lessons.SUFFIX (lessons imports this module)
_TYPES = ((stat.S_ISDIR, "it is a folder, not a file"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def where(path) -> str:
    """A path short enough for a message (a path may be 4,096 characters)."""
    text = str(path)
    return text if len(text) <= 120 else "…" + text[-119:]


def check_readable(path, limit: int, what: str = "a graph file",
                   error: type[Exception] = GraphError) -> int:
    """The size of ``path`` if it is a regular file of at most ``limit`` bytes; otherwise
    ``error`` saying why. Only stats: a FIFO would block ``open`` for ever and /dev/zero
    never ends, so neither is opened. Returns the size in bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"cannot open '{where(path)}': no such file") from None
    except OSError as err:
        raise error(f"cannot open '{where(path)}': {err.strerror or err}") from None
    if not stat.S_ISREG(st.st_mode):
        reason = next((r for test, r in _TYPES if test(st.st_mode)), "")
        if reason.startswith("it is"):
            raise error(f"cannot open '{where(path)}': {reason}")
        raise error(f"cannot open '{where(path)}': not a regular file"
                    + (f" ({reason})" if reason else ""))
    if st.st_size > limit:
        raise error(f"cannot open '{where(path)}': {st.st_size:,} bytes, more than {what} "
                    f"holds (at most {limit:,})")
    return st.st_size


def open_checked(path, limit: int, what: str = "a graph file",
                 error: type[Exception] = GraphError):
    """``path`` opened for binary reading once ``check_readable`` passed. O_NONBLOCK and a
    second check of the open file keep a file swapped for a FIFO in between from blocking."""
    check_readable(path, limit, what, error)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise error(f"cannot open '{where(path)}': {err.strerror or err}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise error(f"cannot open '{where(path)}': not a regular file")
    return os.fdopen(fd, "rb")


def read_checked(path, limit: int, what: str = "a graph file",
                 error: type[Exception] = GraphError) -> bytes:
    """The bytes of a checked file, never more than ``limit`` (a file in /proc says it has
    0 bytes, a file may grow while it is read)."""
    with open_checked(path, limit, what, error) as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise error(f"cannot open '{where(path)}': more than {what} holds "
                    f"(at most {limit:,} bytes)")
    return raw


def read_json(path, limit: int | None = None, what: str = "a graph file") -> object:
    """Parse a file as JSON, turning every way it can fail into a GraphError. ``limit``
    defaults to what a lesson file or else a graph file may weigh; nothing is read before
    the file is known to be a regular file of at most that size."""
    path = Path(path)
    if limit is None:
        limit = MAX_LESSON_BYTES if path.name.endswith(LESSON_SUFFIX) else MAX_FILE_BYTES
    try:
        raw = read_checked(path, limit, what)
    except OSError as err:
        raise GraphError(f"cannot open '{where(path)}': {err.strerror or err}") from None
    if not raw.strip():
        raise GraphError(f"'{path.name}' is empty")
    try:
        text = raw.decode("utf-8-sig")          # a BOM, as some Windows editors write
    except UnicodeDecodeError:
        raise GraphError(f"'{path.name}' is not a text (UTF-8) file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise GraphError(f"'{path.name}' is not valid JSON: {err.msg} at line {err.lineno}, "
                         f"column {err.colno}") from None
    except RecursionError:
        raise GraphError(f"'{path.name}' is nested too deeply to be a graph file") from None
    except ValueError as err:              # an integer of more than 4,300 digits
        raise GraphError(f"'{path.name}' cannot be read: {str(err).split(':')[0]}") from None


def check_plain(spec) -> None:
    """Refuse what JSON allows but no graph holds and Python trips over later: values
    nested deeper than MAX_DEPTH (copying or saving them recurses) and text that is not
    Unicode (a lone surrogate such as "\\ud800" cannot be written back as UTF-8)."""
    stack = [(spec, 0)]
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            raise GraphError(f"values are nested more than {MAX_DEPTH} deep: this is not a "
                             f"graph")
        if isinstance(value, dict):
            _check_texts(key for key in value if isinstance(key, str))
            value = value.values()
        _check_texts(item for item in value if isinstance(item, str))
        stack.extend((item, depth + 1) for item in value if isinstance(item, (list, dict)))


def _check_texts(texts) -> None:
    for text in texts:
        if not text.isascii():                 # (fast: almost every string is ASCII)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise GraphError(f"text {shown(text)} is not valid Unicode (a lone "
                                 f"surrogate escape)") from None


def _umask() -> int:
    mask = os.umask(0)          # the only way to read it is to set it
    os.umask(mask)
    return mask


def temp_pattern(path) -> str:
    """The glob of the temp files ``write_atomic`` makes beside ``path``."""
    return f".{Path(path).name}.*.tmp"


def remove_stale_temps(path, age: float = 60.0) -> int:
    """Remove the temp files a killed ``write_atomic`` of ``path`` left (those older than
    ``age`` seconds: a younger one may be a write in progress). Returns how many."""
    path = Path(path)
    removed = 0
    for tmp in path.parent.glob(temp_pattern(path)):
        try:
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and time.time() - st.st_mtime > age:
                tmp.unlink()
                removed += 1
        except OSError:
            pass                  # gone already, or not ours to remove
    return removed


def write_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename, so a
    crash or a full disk never leaves a half-written file in place of the old one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # (remove_stale_temps matches this name: keep temp_pattern in step)
    try:
        # mkstemp makes the file private (0600); a saved graph is shared like any document
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
