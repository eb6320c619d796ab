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
    from .instance_lock import instance_slot, recovery_name

    folder = config_dir()
    return folder / recovery_name(instance_slot(folder))
