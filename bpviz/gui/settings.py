"""Where the app keeps its settings and recovery file (BPVIZ_CONFIG_DIR overrides)."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

RECENT_MAX = 10


def config_dir() -> Path:
    override = os.environ.get("BPVIZ_CONFIG_DIR")
    if override:
        path = Path(override)
    else:
        path = Path(QStandardPaths.writableLocation(QStandardPaths.AppConfigLocation)) / "bpviz"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings() -> QSettings:
    return QSettings(str(config_dir() / "bpviz.ini"), QSettings.IniFormat)


def setting(key: str, kind, default=None):
    """The setting ``key`` if it is a ``kind`` (a type or a tuple of them), else ``default``:
    a hand-edited file or an older bpviz may have left anything there. (Across processes an
    ini file gives bools and numbers back as strings.)"""
    value = settings().value(key)
    return value if isinstance(value, kind) else default


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
