"""Several bpviz instances at once (a second one started by a double-click on a file, two
windows on one lab machine account): each running instance holds a slot, a lock file in the
config folder, and autosaves to that slot's recovery file only. So one instance never offers,
restores or deletes the unsaved work of another that is still running; a recovery file whose
slot lock is free was left by an instance that crashed, and the next instance to take that
slot offers it.

Windows of one process share its slot (the tests build many in one process)."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLockFile

MAX_SLOTS = 32
_held: dict[Path, tuple[QLockFile | None, int]] = {}      # config folder -> this process's lock


def instance_slot(folder: Path) -> int:
    """This process's slot in ``folder``: the lowest whose lock is free (or stale: its
    process has ended), held until the process exits."""
    folder = Path(folder).resolve()
    if folder in _held:
        return _held[folder][1]
    for slot in range(MAX_SLOTS):
        lock = QLockFile(str(lock_path(folder, slot)))
        # the default stale time (30 s) would hand a long-running instance's slot to the
        # next one; with 0 a lock goes stale only when its process is gone
        lock.setStaleLockTime(0)
        if lock.tryLock(0):
            _held[folder] = (lock, slot)
            return slot
    # no lock can be taken (a read-only folder): unlocked and unique, never offered to
    # another running instance (gui/config/recovery.py asks whether its process is alive)
    _held[folder] = (None, MAX_SLOTS + os.getpid())
    return _held[folder][1]


def lock_path(folder: Path, slot: int) -> Path:
    return Path(folder) / f"instance-{slot}.lock"


def recovery_name(slot: int) -> str:
    """Slot 0 keeps the name a single instance always used."""
    return "recovery.bpviz.json" if slot == 0 else f"recovery-{slot}.bpviz.json"
