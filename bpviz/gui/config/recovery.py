"""The recovery files that instances which did not exit cleanly left in the config folder.

Each running bpviz autosaves to its own slot's file (instance_lock.py). At start-up every
file whose slot no running instance holds is offered, whichever slot this instance took:
B in slot 1 is killed, A in slot 0 quits, and the next start (slot 0) still offers
``recovery-1``. A folder where no lock can be taken (read-only) offers all it holds.

A record is read only once it is known to be a regular file of at most
``MAX_RECOVERY_BYTES``: a larger one is left where it is and named to the user, not read
at start-up (200 MB took 6–12 s)."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile

from ...core import Graph, GraphError
from ...core.network.fileformat import read_json
from .instance_lock import MAX_SLOTS, lock_path
from .settings import config_dir, instance

MAX_RECOVERY_BYTES = 64 * 2**20          # a lecture-sized graph with its weights is < 1 MB
_NAME = re.compile(r"recovery(?:-(\d+))?\.bpviz\.json")


def read_recovery(path) -> dict:
    """The record in ``path``: {"saved_at", "path", "graph"}; GraphError saying why not."""
    record = read_json(path, MAX_RECOVERY_BYTES, "a recovery file")
    if not isinstance(record, dict) or not isinstance(record.get("graph"), dict):
        raise GraphError(f"'{Path(path).name}' holds no graph")
    if not isinstance(record.get("path"), (str, type(None))):
        raise GraphError(f"'{Path(path).name}' names no file")
    try:
        Graph.from_dict(record["graph"], check=False)
    except GraphError as err:
        raise GraphError(f"'{Path(path).name}': {err}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as err:
        raise GraphError(f"'{Path(path).name}' holds a damaged graph "
                         f"({type(err).__name__})") from None
    return record


def left_recovery_files(folder=None) -> list[Path]:
    """The recovery files in ``folder`` (the config folder) that no other running
    instance writes, newest first."""
    folder = Path(folder or config_dir())
    own = instance()
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match is None:
            continue
        slot = int(match.group(1) or 0)
        if slot == own or not _running(folder, slot):
            try:
                found.append((entry.stat().st_mtime, Path(entry.path)))
            except OSError:
                continue
    return [path for _, path in sorted(found, reverse=True)]


def _running(folder: Path, slot: int) -> bool:
    """Whether another instance holds ``slot`` now."""
    if slot >= MAX_SLOTS:                   # an instance that took no lock: its process id
        return _alive(slot - MAX_SLOTS)
    lock = QLockFile(str(lock_path(folder, slot)))
    lock.setStaleLockTime(0)                # stale only when its process is gone
    if lock.tryLock(0):
        lock.unlock()
        return False
    # a lock held by a live process; a read-only folder cannot lock at all
    return lock.error() == QLockFile.LockError.LockFailedError


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":             # (os.kill would send it Ctrl+C)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True                         # another user's live process
    return True
