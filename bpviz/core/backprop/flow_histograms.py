"""Per-layer histograms of a training run: each weight layer's weights, activations (its
output) and weight gradient, as bpviz.train's FlowHooks logs them into metrics.jsonl.

The bins are fixed, the same for every layer, kind and step, so a record holds counts only:
sign × log-magnitude bins with edges at ±10^k for k = -9, -8.5, ..., 3,

    [-10³, -10^2.5), ..., [-10⁻⁹, 10⁻⁹), ..., [10^2.5, 10³]      (BINS = 49)

the middle bin holding the zeros (a ReLU's dead units, gradients that did not arrive).
Values beyond ±10³ are counted in the end bins, values that are not finite not at all. The
edges are float32 numbers, so torch (on the device) and numpy count alike. A tensor of more
than SAMPLE values is counted on every k-th one (``sample_step``: fc6's 38 M weights take
seconds to count on a CPU, a 1 M sample well under one; the shares are what is shown). A record keeps
each histogram as ``[first, counts...]``: the counts from the first to the last nonzero
bin (``compact``); ``histograms_from_record`` gives the full counts back.
"""
from __future__ import annotations

import numpy as np

from ..display.notation import power_of_ten

HIST_KEY = "histograms"                  # the record's key: {layer: {kind: [first, ...]}}
KINDS = ("weights", "activations", "gradients")
EXPONENTS = np.arange(-9.0, 3.25, 0.5)               # |edge| = 10**k
_MAGNITUDES = (10.0 ** EXPONENTS).astype(np.float32)
EDGES = np.concatenate([-_MAGNITUDES[::-1], _MAGNITUDES])      # float32, increasing
BINS = len(EDGES) - 1
SAMPLE = 2 ** 20


def sample_step(size: int) -> int:
    """k: a tensor of ``size`` values is counted on its values 0, k, 2k, … (in C order)."""
    return max(1, -(-size // SAMPLE))


def counts(values) -> np.ndarray:
    """(BINS,) counts of ``values`` in the fixed bins (numpy's histogram of the finite
    values, clipped to the outer edges; every ``sample_step``-th value of a large array)."""
    v = np.asarray(values, dtype=np.float32).ravel()
    v = v[::sample_step(v.size)]
    v = np.clip(v[np.isfinite(v)], EDGES[0], EDGES[-1])
    return np.histogram(v, bins=EDGES)[0]


def compact(full) -> list[int]:
    """``[first, c_first, ..., c_last]``: the counts between the first and the last nonzero
    bin; ``[0]`` for no values at all."""
    full = [int(c) for c in full]
    nonzero = [i for i, c in enumerate(full) if c]
    if not nonzero:
        return [0]
    return [nonzero[0], *full[nonzero[0]:nonzero[-1] + 1]]


def expand(entry) -> np.ndarray | None:
    """The (BINS,) counts of a compact entry; None where it is not one (a damaged or
    foreign record)."""
    if not isinstance(entry, list) or not entry or not all(
            isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in entry):
        return None
    first, rest = entry[0], entry[1:]
    if first + len(rest) > BINS:
        return None
    full = np.zeros(BINS, dtype=np.int64)
    full[first:first + len(rest)] = rest
    return full


def histograms_from_record(record: dict) -> dict[str, dict[str, np.ndarray]]:
    """{layer: {kind: (BINS,) counts}} of a record, in its layer order; empty for a record
    without histograms (most logged steps, an older run). Entries that are not valid are
    left out."""
    logged = record.get(HIST_KEY)
    if not isinstance(logged, dict):
        return {}
    out = {}
    for layer, kinds in logged.items():
        if not isinstance(kinds, dict):
            continue
        expanded = {k: expand(kinds.get(k)) for k in KINDS}
        shown = {k: v for k, v in expanded.items() if v is not None}
        if shown:
            out[str(layer)] = shown
    return out


def edge_label(i: int) -> str:
    """EDGES[i] as a tick label: −10⁻³, 10²."""
    n = len(EXPONENTS)
    if i >= n:
        return power_of_ten(float(EXPONENTS[i - n]))
    return "−" + power_of_ten(float(EXPONENTS[n - 1 - i]))


def shares(full) -> np.ndarray:
    """Each bin's share of the counted values in percent (zeros for none): a layer's
    38 M weights and its batch's activations on one axis."""
    full = np.asarray(full, dtype=float)
    total = full.sum()
    return full * (100.0 / total) if total else np.zeros_like(full)


def edge_ticks(exponents=(-6, -3, 0)) -> list[tuple[float, str]]:
    """(x, label) for a plot of the bins at x = 0 … BINS: the edges at ±10^k for each k
    in ``exponents``, and 0 at the middle bin's centre."""
    n = len(EXPONENTS)
    ticks = [(BINS / 2, "0")]
    for k in exponents:
        at = int(np.flatnonzero(EXPONENTS == k)[0])
        ticks += [(n - 1 - at, edge_label(n - 1 - at)), (n + at, edge_label(n + at))]
    return sorted(ticks)
