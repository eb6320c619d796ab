"""History: what the Training tab keeps of a run's records, their numbers as growing
columns (the records themselves are read by bpviz.train's RunFolder)."""
from __future__ import annotations

import numpy as np

from ...train.run_folder import is_number, is_record


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
        if data is not None and n and step <= data[n - 1, 0]:
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
