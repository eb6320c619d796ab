"""One stepper step as the user sees it — engine work, inspector page (heat maps, Jacobian,
formulas) and canvas overlays — on every example but AlexNet; and training speed.

    .venv/bin/python benchmarks/stepping.py

Each example is stepped through its whole forward and backward pass 3 times (batch 8);
every step is timed from the key press to a synchronous repaint of the canvas and the
inspector. Baseline in the same run: the engine's step alone (bpviz.core.Stepper, with
the Jacobian built as the inspector asks for it). Goal: p95 < 16 ms.
Training: steps and view refreshes per second of continuous training of the spirals MLP
(goal >= 20 updates per second).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BPVIZ_CONFIG_DIR", tempfile.mkdtemp(prefix="bpviz-bench-"))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpviz.core import Stepper  # noqa: E402
from bpviz.core.stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS  # noqa: E402
from bpviz.gui.main_window import MainWindow  # noqa: E402
from bpviz.paths import example_path  # noqa: E402

EXAMPLES = ["fc_softmax_ce", "spirals_mlp", "shapes_cnn", "sigmoid_chain", "branching",
            "hinge_vs_ce"]


def p95(xs):
    return float(np.percentile(xs, 95))


def gui_steps(window, app, rounds=3):
    times = []
    for _ in range(rounds):
        window.stepper.reset()
        app.processEvents()
        while True:
            start = time.perf_counter()
            window.stepper.step()
            window.view.viewport().repaint()
            window.inspector.widget().repaint()
            times.append(time.perf_counter() - start)
            app.processEvents()
            if window.stepper.stepper.done:
                break
    return times


def engine_steps(window, rounds=3):
    graph, feeds = window.document.graph, window.stepper.stepper.feeds
    times = []
    for _ in range(rounds):
        s = Stepper(graph, feeds, cap=INTERACTIVE_JACOBIAN_CAP,
                    max_rows=INTERACTIVE_JACOBIAN_ROWS)
        while True:
            start = time.perf_counter()
            ev = s.step()
            if ev is None:
                break
            ev.jacobian
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    app = QApplication([])
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.ask_unsaved = lambda: None
    print(f"{'example':<15} {'steps':>5}  {'GUI median':>10} {'GUI p95':>8} {'GUI max':>8}"
          f"  {'engine p95':>10}")
    for name in EXAMPLES:
        window.document.open_example(example_path(name))
        deadline = time.perf_counter() + 0.3            # the app renders formulas when idle
        while time.perf_counter() < deadline:
            app.processEvents()
        window.stepper.step()                 # warm up: data, first Jacobian, fonts
        gui = gui_steps(window, app)
        eng = engine_steps(window)
        print(f"{name:<15} {len(gui):>5}  {statistics.median(gui) * 1e3:8.1f}ms "
              f"{p95(gui) * 1e3:6.1f}ms {max(gui) * 1e3:6.1f}ms  {p95(eng) * 1e3:8.1f}ms")
    window.document.open_example(example_path("spirals_mlp"))
    panel = window.training.panel
    window.data.batch.setValue(32)
    panel.set_continuous(True)
    start, frames = time.perf_counter(), 0
    steps0 = panel.trainer.steps
    while time.perf_counter() - start < 5.0:
        app.processEvents()
        frames += 1
    panel.set_continuous(False)
    elapsed = time.perf_counter() - start
    refreshes = len(panel.trainer.held_out_history)
    print(f"training spirals MLP (Adam, batch 32): {(panel.trainer.steps - steps0) / elapsed:.0f} "
          f"optimizer steps/s, {refreshes / elapsed:.1f} view refreshes/s "
          f"(loss curves + decision map)")


if __name__ == "__main__":
    main()
