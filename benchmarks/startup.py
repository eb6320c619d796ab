"""Cold start of the app to its first painted canvas, against a bare PySide6 window.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--program dist/bpviz/bpviz]

Both are timed from launching the Python process to the first paint event of the window's
canvas (or of the bare window), offscreen. Goal: bpviz <= 1.5 s on the 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = r"""
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1280, 800)
class P(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Paint:
            print("painted", flush=True); QTimer.singleShot(0, app.quit)
        return False
p = P(); w.centralWidget().installEventFilter(p)
w.show(); app.exec()
"""


def launch(cmd, env) -> float:
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
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--program", help="a frozen or installed bpviz to time instead of "
                                           "python -m bpviz (packaging/build.sh makes one)")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_STARTUP_TIMING="1",
               BPVIZ_CONFIG_DIR=tempfile.mkdtemp(prefix="bpviz-bench-"))
    bpviz, bare = [], []
    for _ in range(args.runs):
        bpviz.append(launch([args.program] if args.program else [sys.executable, "-m", "bpviz"],
                            env))
        bare.append(launch([sys.executable, "-c", BARE], env))
    b, q = statistics.median(bpviz), statistics.median(bare)
    print(f"bpviz to first paint: median {b:.3f} s (min {min(bpviz):.3f}, max {max(bpviz):.3f})")
    print(f"bare PySide6 window:  median {q:.3f} s (min {min(bare):.3f}, max {max(bare):.3f})")
    print(f"ratio {b / q:.2f}; bpviz's own share {b - q:.3f} s")


if __name__ == "__main__":
    main()
