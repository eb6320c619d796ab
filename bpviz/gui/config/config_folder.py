"""bpviz's one config folder: settings (bpviz.ini), recovery files, instance locks and the
error log. ``~/.config/bpviz`` on Linux ($XDG_CONFIG_HOME/bpviz where that is set), the same
name under the system's config location elsewhere; BPVIZ_CONFIG_DIR overrides it.

bpviz 0.1.0 used Qt's application config location plus "bpviz", which with the
organisation and application both named "bpviz" nests three deep
(``~/.config/bpviz/bpviz/bpviz``). The first start with nothing in the new folder moves
what the old one holds there, once, and removes the old folders if they are then empty."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QStandardPaths

NAME = "bpviz"
SETTINGS_FILE = "bpviz.ini"
_carried: set[Path] = set()        # folders already checked in this process


def default_config_dir() -> Path:
    """Where bpviz keeps its settings unless BPVIZ_CONFIG_DIR says otherwise."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(base) / NAME


def old_config_dir(new: Path) -> Path:
    """The folder of bpviz 0.1.0: <config>/<organisation>/<application>/bpviz."""
    return new / NAME / NAME


def config_dir() -> Path:
    """The folder, made if it can be (a read-only home cannot: the app runs on, and
    settings.storage_problem says so once)."""
    override = os.environ.get("BPVIZ_CONFIG_DIR")
    path = Path(override) if override else default_config_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return path
    if not override and path not in _carried:
        _carried.add(path)
        carry_over(old_config_dir(path), path)
    return path


def carry_over(old: Path, new: Path) -> list[str]:
    """Move the old folder's files into ``new`` when ``new`` has no settings yet and the
    old one has; returns the names moved. Failures leave the old files where they were:
    the app then starts with default settings, as on a first start."""
    if (new / SETTINGS_FILE).exists() or not (old / SETTINGS_FILE).is_file():
        return []
    moved = []
    try:
        entries = sorted(old.iterdir())
    except OSError:
        return []
    for entry in entries:
        target = new / entry.name
        if target.exists() or entry.is_dir():
            continue
        try:
            shutil.move(str(entry), str(target))
        except OSError:
            continue
        moved.append(entry.name)
    for folder in (old, old.parent):            # only if empty now
        try:
            folder.rmdir()
        except OSError:
            break
    return moved
