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
import tempfile
from pathlib import Path

import numpy as np

from .errors import GraphError, amount, shown
from .ops import MAX_ELEMENTS

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


def read_json(path) -> object:
    """Parse a file as JSON, turning every way it can fail into a GraphError."""
    path = Path(path)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise GraphError(f"cannot open '{path}': not a regular file")
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise GraphError(f"cannot open '{path}': {path.stat().st_size:,} bytes, more than "
                             f"a graph file holds (at most {MAX_FILE_BYTES:,})")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GraphError(f"cannot open '{path}': no such file") from None
    except IsADirectoryError:
        raise GraphError(f"cannot open '{path}': it is a folder, not a file") from None
    except OSError as err:
        raise GraphError(f"cannot open '{path}': {err.strerror or err}") from None
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


def write_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename, so a
    crash or a full disk never leaves a half-written file in place of the old one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
