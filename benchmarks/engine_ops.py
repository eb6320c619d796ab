"""Where the engine's CNN step goes, against a baseline revision in the same process.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/engine_ops.py --baseline REV
        [--repeats 60] [--engine-dtype float32]

The step (forward, loss, backward) of ``benchmarks/engine.py``'s CNN at batch 64, run by
this checkout's engine and by the engine at git revision REV (its ``bpviz/core``, which
imports nothing outside itself, unpacked into a temporary folder and imported under another
name), the two steps interleaved so that a loaded machine's noise hits both alike. Timed by
the process's CPU time (``time.process_time``: meaningful with one BLAS thread). Prints the
median step of each, their ratio, and each op's forward and backward mean per step.
"""
from __future__ import annotations

import argparse
import collections
import importlib
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import engine  # benchmarks/engine.py: the CNN, its batch, baseline trees


def timed_ops(core, spent: dict) -> None:
    """Wrap every registered op's forward/backward (own or inherited) to add its CPU time
    to ``spent``; every method is read before any is replaced."""
    methods = {(cls, name): getattr(cls, name) for cls in set(core.ops.REGISTRY.values())
               for name in ("forward", "backward")}
    for (cls, name), method in methods.items():
        setattr(cls, name, timed(method, spent, f"{cls.__name__}.{name}"))


def timed(method, spent: dict, key: str):
    def run(self, *args, **kwargs):
        start = time.process_time()
        try:
            return method(self, *args, **kwargs)
        finally:
            spent[key] += time.process_time() - start
    return run


def step_fn(core, spec: dict, x, t):
    g = core.Graph.from_dict(spec)
    step, loss = engine.engine_step_fn(g, x, t)
    return step, loss


def compare(baseline_core, engine_dtype: str, repeats: int) -> tuple[dict, dict]:
    """Median step (ms) of each engine, interleaved, and each op's ms per step."""
    import bpviz.core as now_core

    spent = {"baseline": collections.defaultdict(float), "now": collections.defaultdict(float)}
    cores = {"baseline": baseline_core, "now": now_core}
    g, (x, t) = engine.build("cnn", engine_dtype)
    steps, losses = {}, {}
    for name, core in cores.items():
        timed_ops(core, spent[name])
        steps[name], losses[name] = step_fn(core, g.to_dict(), x, t)
    assert abs(losses["baseline"]() - losses["now"]()) < 1e-5, "the engines disagree"
    for _ in range(5):
        for step in steps.values():
            step()
    for per_op in spent.values():
        per_op.clear()
    times: dict = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.process_time()
            step()
            times[name].append(time.process_time() - start)
    medians = {name: statistics.median(ts) * 1e3 for name, ts in times.items()}
    per_op = {name: {k: v / repeats * 1e3 for k, v in ops.items()} for name, ops in spent.items()}
    return medians, per_op


def load_baseline(rev: str, folder: Path):
    """The revision's bpviz/core imported as the package ``baseline_core``."""
    engine.baseline_tree(rev, folder)
    (folder / "bpviz" / "core").rename(folder / "baseline_core")
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REV", required=True)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--engine-dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # unwinds: the folder goes too
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bpviz-baseline-") as folder:
        medians, per_op = compare(load_baseline(args.baseline, Path(folder)),
                                  args.engine_dtype, args.repeats)
    print(f"CNN batch 64, engine {args.engine_dtype}, OpenBLAS threads "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, CPU time, {args.repeats} "
          f"interleaved steps; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"step median: now {medians['now']:.2f} ms, baseline {args.baseline} "
          f"{medians['baseline']:.2f} ms, baseline / now {medians['baseline'] / medians['now']:.2f}")
    now, base = per_op["now"], per_op["baseline"]
    for key in sorted(now, key=lambda k: -now[k]):
        if now[key] >= 0.005 or base.get(key, 0) >= 0.005:
            print(f"  {key:<28} now {now[key]:6.2f} ms   baseline {base.get(key, 0):6.2f} ms")


if __name__ == "__main__":
    main()
