"""What the Training tab reads and keeps of a run: the records of a growing metrics.jsonl,
their numbers as columns, and the check of a data folder."""
from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_record(record) -> bool:
    """A metrics record this tab can show: a step number and a split."""
    step = record.get("step") if isinstance(record, dict) else None
    return is_number(step) and math.isfinite(step) and record.get("split") in ("train", "val")


class MetricsReader:
    """Reads a run folder's growing metrics.jsonl from where it left off, so following a
    long run costs only its new lines; unreadable lines are skipped."""

    def __init__(self, folder):
        self.path = Path(folder) / "metrics.jsonl"
        self.offset = 0
        self.skipped = 0                 # lines that were not a record this tab can show

    def read(self, final: bool = False) -> list[dict]:
        """The records written since the last call; a line still being written waits for
        its newline unless ``final`` (the writer has finished)."""
        try:
            with open(self.path, "rb") as f:
                if f.seek(0, 2) < self.offset:          # rewritten from the start
                    self.offset = 0
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return []
        end = len(chunk) if final else chunk.rfind(b"\n") + 1
        self.offset += end
        records = []
        for line in chunk[:end].decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if is_record(record):
                records.append(record)
            elif line.strip():
                self.skipped += 1
        return records


def read_metrics(folder) -> list[dict]:
    """All the records of a run folder's metrics.jsonl."""
    return MetricsReader(folder).read(final=True)


def data_problem(path: str) -> str | None:
    """What is wrong with a data folder's layout (quick: no files are counted)."""
    if path == "synthetic":
        return None
    from bpviz.train.folders import DataError, check_folder  # no torch: any machine
    try:
        check_folder(path)
    except DataError as err:
        return str(err)
    return None


def count_images(path: str) -> str:
    """A summary of a data folder's training set, or what would stop a run there: the
    engine's own checks (empty class folders, not one readable image, different classes in
    val/). ImageNet's 1.28 M files take a while: run it off the GUI thread."""
    from bpviz.train.folders import DataError, describe_folder
    try:
        return describe_folder(path)
    except DataError as err:
        return f"⚠ {err}"


class ImageCounter(QObject):
    """Counts a data folder's images in a background thread; ``counted(path, summary)``
    arrives in the GUI thread."""
    counted = Signal(str, str)

    def count(self, path: str) -> None:
        threading.Thread(target=self._count, args=(path,), daemon=True).start()

    def _count(self, path: str) -> None:
        summary = count_images(path)
        try:
            self.counted.emit(path, summary)
        except RuntimeError:                             # the tab has gone meanwhile
            pass


class History:
    """The numbers of a run's records as growing columns, one per (split, key): appending is
    O(1) and drawing reads numpy views, so a long run's hundred-thousandth record costs what
    its first did."""

    def __init__(self):
        self.columns: dict[tuple, np.ndarray] = {}
        self.sizes: dict[tuple, int] = {}

    def add(self, record: dict) -> None:
        if not is_record(record):
            return
        split, step = record["split"], record["step"]
        for key, value in record.items():
            if isinstance(value, dict):                  # grad_norms: one column per layer
                for sub, number in value.items():
                    if is_number(number):
                        self._append((split, f"{key}.{sub}"), step, number)
            elif is_number(value) and key != "step":
                self._append((split, key), step, value)

    def _append(self, column, step, value) -> None:
        n = self.sizes.get(column, 0)
        data = self.columns.get(column)
        if n and step <= data[n - 1, 0]:
            # a run resumed from a checkpoint older than its last records goes over those
            # steps again: the new records replace them, so the curve never runs backwards
            n = int(np.searchsorted(data[:n, 0], step, side="left"))
        if data is None or n == len(data):
            grown = np.empty((max(64, 2 * n), 2))
            if data is not None:
                grown[:n] = data
            self.columns[column] = data = grown
        data[n] = step, value
        self.sizes[column] = n + 1

    def keys(self, split: str) -> list[str]:
        return [key for s, key in self.sizes if s == split]

    def series(self, split: str, key: str) -> tuple[np.ndarray, np.ndarray]:
        n = self.sizes.get((split, key), 0)
        if not n:
            return np.empty(0), np.empty(0)
        data = self.columns[(split, key)]
        return data[:n, 0], data[:n, 1]
