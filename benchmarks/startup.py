"""Cold start of the app to its first painted canvas, against a bare PySide6 window.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--program dist/bpviz/bpviz]
        [--baseline DIR] [--clock cpu|wall]

Both are timed from launching the Python process to the first paint event of the window's
canvas (or of the bare window), offscreen, started from compiled modules (one warm-up start
first). Beside the wall-clock time, each process's CPU time at that paint and until it has
quit after it: on a machine that others load, the work it did. Goal (issue 24): bpviz <= 0.4 s
to the first paint, torch not imported.

``--baseline DIR`` also starts an older bpviz, alternating with this one: DIR holds its
``bpviz`` package and ``resources`` (``git archive COMMIT bpviz resources | tar -x -C DIR``).
Each runs from its own folder (``python -m`` puts the working directory first on the path:
started from this checkout, the "baseline" was this checkout). ``--clock`` names the clock
that the goal and the ratios are read on: ``cpu`` where other work loads the machine.
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_dir

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.4                       # s, issue 24

BARE = r"""
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1280, 800)
class P(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            print("painted", flush=True); QTimer.singleShot(0, app.quit)
        return False
p = P(); w.centralWidget().installEventFilter(p)
w.show(); app.exec()
"""


# Each process's CPU seconds at the line that reports its first paint, taken the same way in
# all three: stdout adds them to that line (started as python -c, so that the working
# directory, the baseline's folder for it, comes first on the path).
STAMP = r"""
import sys, time
class Stamped:
    def __init__(self, out): self.out = out
    def write(self, text):
        if text.startswith("painted"):
            text = f"{text} cpu {time.process_time():.4f}"
        return self.out.write(text)
    def __getattr__(self, name): return getattr(self.out, name)
sys.stdout = Stamped(sys.stdout)
"""
RUN_BPVIZ = STAMP + "import runpy; runpy.run_module('bpviz', run_name='__main__', alter_sys=True)"


def launch(cmd, env, cwd=ROOT) -> tuple[float, float, float]:
    """(wall-clock seconds from launch to the first paint; the process's CPU seconds at that
    paint, NaN where it cannot say (--program); its CPU seconds until it exits, a little
    after that paint): CPU time is the work done, however loaded the machine is."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, cwd=cwd)
    for line in proc.stdout:
        if line.startswith("painted"):
            elapsed = time.perf_counter() - start
            _, found, cpu = line.partition(" cpu ")
            at_paint = float(cpu) if found else math.nan
            break
    else:
        raise RuntimeError(f"{cmd} never painted")
    proc.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, at_paint, (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                                     before.ru_stime)


def baseline_dir(parser, text: str | None) -> Path | None:
    """--baseline's folder, refused (one line) unless it holds a bpviz and its resources."""
    if text is None:
        return None
    folder = Path(text).resolve()
    missing = [name for name in ("bpviz/gui/app.py", "resources/examples")
               if not (folder / name).exists()]
    if missing:
        parser.error(f"--baseline {text}: no {' or '.join(missing)} there (make it with "
                     "git archive COMMIT bpviz resources | tar -x -C DIR)")
    return folder


def report(runs: dict, clock: str) -> None:
    """Medians of each clock; ratios to the baseline and the bare window, and the goal, on
    ``clock`` (cpu: the CPU seconds at the first paint)."""
    medians = {label: [statistics.median(run[k] for run in found) for k in range(3)]
               for label, found in runs.items() if found}
    pick = 1 if clock == "cpu" else 0
    for label, found in runs.items():
        if not found:
            continue
        wall = [run[0] for run in found]
        print(f"{label:<24}: wall median {medians[label][0]:.3f} s (min {min(wall):.3f}, "
              f"max {max(wall):.3f}); CPU median {medians[label][1]:.3f} s at the first "
              f"paint, {medians[label][2]:.3f} s until it exits")
    ours = medians["bpviz to first paint"][pick]
    for label in ("baseline to first paint", "bare PySide6 window"):
        if label in medians:
            print(f"bpviz / {label.split(' to ')[0]} ({clock}): "
                  f"{ours / medians[label][pick]:.2f}")
    print(f"goal <= {GOAL} s ({clock} median): {'met' if ours <= GOAL else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--program", help="a frozen or installed bpviz to time instead of "
                                           "python -m bpviz (packaging/build.sh makes one)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also start the bpviz exported under DIR (git archive COMMIT "
                             "bpviz resources), alternating with this one")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="wall",
                        help="the clock of the goal and the ratios (cpu: on a loaded machine)")
    args = parser.parse_args()
    base = baseline_dir(parser, args.baseline)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_STARTUP_TIMING="1",
               BPVIZ_CONFIG_DIR=scratch_dir("bpviz-bench-"))
    # as an installed app starts: from compiled modules (a shell with
    # PYTHONDONTWRITEBYTECODE=1 compiled every bpviz module at every start, ~0.3 s of CPU)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    program = [args.program] if args.program else [sys.executable, "-c", RUN_BPVIZ]
    old = ([sys.executable, "-c", RUN_BPVIZ], dict(env, PYTHONPATH=str(base)), base)
    launch(program, env)                                              # warm-up
    if base:
        launch(*old)                                                  # warm-up
    runs: dict[str, list] = {"bpviz to first paint": [], "baseline to first paint": [],
                             "bare PySide6 window": []}
    for _ in range(args.runs):
        runs["bpviz to first paint"].append(launch(program, env))
        if base:
            runs["baseline to first paint"].append(launch(*old))
        runs["bare PySide6 window"].append(launch([sys.executable, "-c", STAMP + BARE], env))
    report(runs, args.clock)


if __name__ == "__main__":
    main()
