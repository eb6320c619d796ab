"""Cold start of the app to its first painted canvas, against a bare PySide6 window.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--program dist/bpviz/bpviz]

Both are timed from launching the Python process to the first paint event of the window's
canvas (or of the bare window), offscreen, started from compiled modules (one warm-up start
first). Beside the wall-clock time, each process's CPU time until it quits at that paint: on a
machine that others load, the work it did. Goal (issue 24): bpviz <= 0.4 s, torch not imported.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from scratch import scratch_dir

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


def launch(cmd, env) -> tuple[float, float]:
    """(wall-clock seconds from launch to the first paint, the process's CPU seconds: what
    it worked, however loaded the machine is; it quits at its first paint)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    for line in proc.stdout:
        if line.startswith("painted"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{cmd} never painted")
    proc.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--program", help="a frozen or installed bpviz to time instead of "
                                           "python -m bpviz (packaging/build.sh makes one)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also start the bpviz exported under DIR (git archive COMMIT), "
                             "alternating with this one")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_STARTUP_TIMING="1",
               BPVIZ_CONFIG_DIR=scratch_dir("bpviz-bench-"))
    # as an installed app starts: from compiled modules (a shell with
    # PYTHONDONTWRITEBYTECODE=1 compiled every bpviz module at every start, ~0.3 s of CPU)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    launch([args.program] if args.program else [sys.executable, "-m", "bpviz"], env)  # warm-up
    program = [args.program] if args.program else [sys.executable, "-m", "bpviz"]
    old_env = dict(env, PYTHONPATH=args.baseline or "")
    if args.baseline:
        launch([sys.executable, "-m", "bpviz"], old_env)                      # warm-up
    runs = {"bpviz to first paint": [], "baseline to first paint": [], "bare PySide6 window": []}
    for _ in range(args.runs):
        runs["bpviz to first paint"].append(launch(program, env))
        if args.baseline:
            runs["baseline to first paint"].append(launch([sys.executable, "-m", "bpviz"],
                                                          old_env))
        runs["bare PySide6 window"].append(launch([sys.executable, "-c", BARE], env))
    for label, found in runs.items():
        if found:
            wall, cpu = [w for w, _ in found], [c for _, c in found]
            print(f"{label:<24}: median {statistics.median(wall):.3f} s (min {min(wall):.3f}, "
                  f"max {max(wall):.3f}); CPU median {statistics.median(cpu):.3f} s")

if __name__ == "__main__":
    main()
