"""The app's settings and recovery file, in its config folder (config_folder.py).

A home may be damaged or read-only: a settings value of the wrong type (hand-edited, or
written by an older bpviz) reads as the default with a line in the log; a ``bpviz.ini``
that is no regular file (a FIFO would block start-up) or a folder that cannot be written
leaves the app running with settings kept in memory only, which ``storage_problem`` says
once."""
from __future__ import annotations

import fnmatch
import logging
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from .config_folder import config_dir

RECENT_MAX = 10
MAX_SETTINGS_BYTES = 4 * 2**20          # a settings file holds a few kB
log = logging.getLogger("bpviz.settings")

# what each key holds; anything else found there is a damaged value and reads as the default
KINDS: dict[str, type | tuple[type, ...]] = {
    "theme": str, "training/runs": str, "training/device": str, "lessons/*": str,
    "lesson_place*": str, "recent_files": (list, str), "view/colour_maps": str}


class Settings(QSettings):
    """QSettings whose ``value`` gives the default for a key holding the wrong type."""

    def value(self, key: str, /, defaultValue: Any = None, *args: Any, **kwargs: Any) -> Any:
        # QSettings.value's own signature (positional key, Qt's parameter name), so that the
        # override stands wherever a QSettings is expected
        value = super().value(key, defaultValue, *args, **kwargs)
        kind = next((k for pattern, k in KINDS.items() if fnmatch.fnmatchcase(key, pattern)),
                    None)
        if value is None or kind is None or isinstance(value, kind):
            return value
        log.warning("setting %r holds a %s, not a %s: the default is used", key,
                    type(value).__name__, getattr(kind, "__name__", "list"))
        return defaultValue


def settings_file() -> Path:
    """``bpviz.ini``, or where nothing can be read or written when it is not a regular file
    of a sensible size (QSettings then keeps the values in memory for this process)."""
    path = config_dir() / "bpviz.ini"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return path
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_SETTINGS_BYTES:
        return path
    return Path(os.devnull) / "bpviz.ini"     # under a device: never opened, never blocks


def settings() -> Settings:
    return Settings(str(settings_file()), QSettings.Format.IniFormat)


def setting(key: str, kind, default=None):
    """The setting ``key`` if it is a ``kind`` (a type or a tuple of them), else ``default``:
    a hand-edited file or an older bpviz may have left anything there. (Across processes an
    ini file gives bools and numbers back as strings.)"""
    value = settings().value(key)
    if value is not None and not isinstance(value, kind):
        log.warning("setting %r holds a %s: the default is used", key, type(value).__name__)
        return default
    return default if value is None else value


_told: set[Path] = set()            # the folders storage_problem spoke of, once each


def storage_problem() -> str | None:
    """Why settings and unsaved work cannot be saved in the config folder (read-only, full,
    not a folder, or ``bpviz.ini`` no regular file), the first time it is asked; else None."""
    folder = config_dir()
    if folder in _told:
        return None
    problem = None
    try:
        fd, probe = tempfile.mkstemp(prefix=".bpviz-probe.", dir=folder)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        problem = err.strerror or str(err)
    if problem is None and settings_file().parent != folder:
        problem = "bpviz.ini there is not a regular file"
    if problem is None:
        return None
    _told.add(folder)
    return (f"bpviz cannot save its settings or your unsaved work in {folder} ({problem}). "
            f"It runs on, but what you change in the settings is forgotten when it ends; "
            f"save your graph as a file.")


def instance() -> int:
    """This process's instance slot (instance_lock.py): 0 unless another bpviz runs."""
    from .instance_lock import instance_slot
    return instance_slot(config_dir())


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [v for v in (value or []) if isinstance(v, str)]


def add_recent_file(path) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [p for p in recent_files() if p != path]
    settings().setValue("recent_files", files[:RECENT_MAX])
    return files[:RECENT_MAX]


def recovery_path() -> Path:
    """This instance's recovery file: each running bpviz has its own (instance_lock.py)."""
    from .instance_lock import recovery_name
    return config_dir() / recovery_name(instance())
