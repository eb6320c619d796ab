"""What the wheel guard (bpviz.gui.widgets.wheel_style: one event filter on the application,
so every event of every widget passes through one Python call) costs the GUI thread: the
same work with the guard installed and removed, rounds alternated.

    .venv/bin/python benchmarks/wheel_guard_overhead.py [--rounds 7] [--repaints 20]

Two kinds of work, each timed in rounds, in presentation mode at 1280x720:
- events: at lesson 3 step 9 (the Inspector, the canvas, the lesson column) the whole
  window repainted ``--repaints`` times (a paint event to each widget), then the mouse moved
  over each visible widget, with a wheel turn: event delivery with little else;
- lesson: lesson 3 played from its first step to its last (Page Down, reveals), as a
  lecturer plays it: the work the guard sits beside in a lecture.
Prints each variant's median CPU seconds per round (this process's CPU time: on a shared
machine the other jobs move the wall clock far more) and the ratio guard / no guard.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def open_lesson(app):
    from PySide6.QtCore import Qt

    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path
    window = MainWindow()
    window.document.open_example(example_path("fc_softmax_ce"))
    window.show()
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)
    window.lessons.open("03_backprop_layers", 8, ask=False)
    end = time.monotonic() + 1.0
    while time.monotonic() < end:          # lazy panels and drawings settle
        app.processEvents()
    return window


def lesson_round(app, window) -> float:
    """CPU seconds to play lesson 3 through, each step and reveal painted."""
    start = time.process_time()
    window.lessons.open("03_backprop_layers", 0, ask=False)
    while window.lessons.active and not window.lessons.finishing:
        window.lessons.next()
        window.repaint()
        app.processEvents()
    return time.process_time() - start


def events_round(app, window, repaints: int) -> float:
    """CPU seconds for the round's repaints, mouse moves and wheel turns."""
    from PySide6.QtCore import QPointF

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from tests.gui.pointing import hover, visible, wheel
    start = time.process_time()
    for _ in range(repaints):
        window.repaint()
        app.processEvents()
    for widget in visible(window):
        centre = QPointF(widget.rect().center())
        hover(widget, centre)
        wheel(widget, centre, 0)               # a zero turn: delivered, moves nothing
    app.processEvents()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repaints", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bpviz-bench-") as config:
        os.environ["BPVIZ_CONFIG_DIR"] = config
        from PySide6.QtWidgets import QApplication

        from bpviz.gui.app import stop_workers
        from bpviz.gui.widgets import wheel_style
        app = QApplication(sys.argv[:1])
        window = open_lesson(app)
        guard = wheel_style.GUARDS[0]
        work = {"events": lambda: events_round(app, window, args.repaints),
                "lesson": lambda: lesson_round(app, window)}
        times = {(w, g): [] for w in work for g in ("no guard", "guard")}
        try:
            for _ in range(args.rounds):
                for w, g in times:
                    (app.installEventFilter if g == "guard" else app.removeEventFilter)(guard)
                    times[w, g].append(work[w]())
        finally:
            app.installEventFilter(guard)
            stop_workers(window)
            window.close()
    for (w, g), values in times.items():
        median = statistics.median(values)
        print(f"{w:6s} {g:8s}: median {median:.3f} s CPU per round ({args.rounds} rounds), "
              f"ratio {median / statistics.median(times[w, 'no guard']):.3f}")


if __name__ == "__main__":
    main()
