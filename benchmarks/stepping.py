"""One stepper step as the user sees it — engine work, inspector page (heat maps, Jacobian,
formulas) and canvas overlays — on every example but AlexNet; the Jacobian view's pan and
zoom on every shipped example, AlexNet included; and training speed.

    .venv/bin/python benchmarks/stepping.py [--only steps|jacobians|training] [--example NAME]

Steps: each example is stepped through its whole forward and backward pass 3 times (batch
8); every step is timed from the key press until the events it posted are handled, as the
event loop would: layouts, widgets shown, pictures that came from the worker thread
(bpviz.gui.widgets.drawing) and the paint of the canvas and the inspector. (Until
2026-12-07 the figure stopped at a synchronous repaint called before the new inspector page
was laid out and shown: the page's layout and paint were left out.) Baseline in the same run:
the engine's step alone (bpviz.core.Stepper, with the Jacobian built as the inspector asks
for it). Goal: p95 < 16 ms. "pages built": Inspector pages built in the 3 rounds (one per
node and phase, then filled again). "CPU": the GUI thread's CPU time for the same span (what
the interface thread worked, whatever else loads the machine; the worker threads' not). AlexNet's engine step (batch 1) is printed apart: its
convolutions alone take longer.
Jacobian view: see ``jacobian_views``. Goal: p95 < 50 ms per pan or zoom.
Training: steps and view refreshes per second of continuous training of the spirals MLP
(goal >= 20 updates per second).
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time

from scratch import config_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
config_dir()

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpviz.core import Stepper  # noqa: E402
from bpviz.core.backprop.stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS  # noqa: E402
from bpviz.gui.shell.main_window import MainWindow  # noqa: E402
from bpviz.paths import example_path  # noqa: E402

EXAMPLES = sorted(p.name.removesuffix(".bpviz.json")
                  for p in example_path("alexnet").parent.glob("*.bpviz.json")
                  if not p.name.startswith("alexnet"))
GOAL_MS = 16


def p95(xs):
    return float(np.percentile(xs, 95))


def gui_steps(window, app, rounds=3) -> tuple[list, list]:
    """(wall-clock times, GUI-thread CPU times) of every step: the CPU time is the work the
    interface thread did, whatever else loads the machine."""
    times, cpu = [], []
    for _ in range(rounds):
        window.stepper.reset()
        app.processEvents()
        while True:
            start, start_cpu = time.perf_counter(), time.thread_time()
            window.stepper.step()
            # what the step asked of the event loop: layouts, widgets shown, pictures that
            # arrived and the paint of all it changed (a layout pass asks for a 2nd paint)
            app.sendPostedEvents()
            app.sendPostedEvents()
            times.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
            app.processEvents()
            if window.classroom.gradients_ready:
                break
    return times, cpu


def engine_steps(window, rounds=3):
    graph, feeds = window.document.graph, window.classroom.stepper.feeds
    return [t for _ in range(rounds) for t in stepper_times(graph, feeds)]


def stepper_times(graph, feeds) -> list[float]:
    """Each step of a fresh Stepper with the dense Jacobian built as the inspector asks."""
    s = Stepper(graph, feeds, cap=INTERACTIVE_JACOBIAN_CAP, max_rows=INTERACTIVE_JACOBIAN_ROWS)
    times = []
    while True:
        start = time.perf_counter()
        ev = s.step()
        if ev is None:
            return times
        _ = ev.jacobian
        times.append(time.perf_counter() - start)


def step_latency(window, app, examples=EXAMPLES) -> None:
    print(f"{'example':<15} {'steps':>5}  {'GUI median':>10} {'GUI p95':>8} {'GUI max':>8}"
          f"  {'engine median':>13} {'engine p95':>10}  {'GUI p95/goal':>12}  pages built"
          f"  {'CPU median':>10} {'CPU p95':>8}")
    for name in examples:
        window.document.open_example(example_path(name))
        deadline = time.perf_counter() + 1.3            # the app renders formulas after 1 s
        while time.perf_counter() < deadline:
            app.processEvents()
        window.stepper.step()                 # warm up: data, first Jacobian, fonts
        built = getattr(window.inspector, "pages_built", 0)
        gui, cpu = gui_steps(window, app)
        built = getattr(window.inspector, "pages_built", 0) - built
        eng = engine_steps(window)
        print(f"{name:<15} {len(gui):>5}  {statistics.median(gui) * 1e3:8.1f}ms "
              f"{p95(gui) * 1e3:6.1f}ms {max(gui) * 1e3:6.1f}ms  "
              f"{statistics.median(eng) * 1e3:11.1f}ms {p95(eng) * 1e3:8.1f}ms  "
              f"{p95(gui) * 1e3 / GOAL_MS:11.2f}x  {built:>11}  "
              f"{statistics.median(cpu) * 1e3:8.1f}ms {p95(cpu) * 1e3:6.1f}ms")
    if examples == EXAMPLES:
        alexnet_engine_steps()


def alexnet_engine_steps() -> None:
    from bpviz.core import load_graph
    g = load_graph(example_path("alexnet"))
    rng = np.random.default_rng(0)
    times = stepper_times(g, {"x": rng.normal(size=(1, 3, 224, 224)), "t": np.array([3])})
    print(f"{'alexnet (b=1)':<15} {len(times):>5}  engine only: median "
          f"{statistics.median(times) * 1e3:.1f}ms, p95 {p95(times) * 1e3:.1f}ms, max "
          f"{max(times) * 1e3:.1f}ms")


def training_speed(window, app) -> None:
    window.document.open_example(example_path("spirals_mlp"))
    panel = window.training.panel
    window.data.batch.setValue(32)
    panel.set_continuous(True)
    trainer = window.classroom.trainer
    start, frames = time.perf_counter(), 0
    steps0 = trainer.steps
    while time.perf_counter() - start < 5.0:
        app.processEvents()
        frames += 1
    panel.set_continuous(False)
    elapsed = time.perf_counter() - start
    refreshes = len(trainer.held_out_history)
    print(f"training spirals MLP (Adam, batch 32): {(trainer.steps - steps0) / elapsed:.0f} "
          f"optimizer steps/s, {refreshes / elapsed:.1f} view refreshes/s "
          f"(loss curves + decision map)")


# (example, node, input or parameter, train mode): the cases; every other example
# adds its largest Jacobian
JACOBIAN_CASES = [("alexnet", "conv1", "input", False), ("alexnet", "conv1", "weight", False),
                  ("alexnet", "fc6", "input", False), ("alexnet", "fc6", "weight", False),
                  ("alexnet", "drop6", "input", True), ("alexnet", "drop7", "input", True),
                  ("shapes_cnn", "conv1", "input", False), ("shapes_cnn", "pool1", "input", False),
                  ("shapes_cnn", "conv2", "input", False), ("shapes_cnn", "pool2", "input", False),
                  ("tiny_cnn", "conv", "input", False), ("tiny_cnn", "pool", "input", False)]
VIEW_GOAL_MS = 50
FILL_WAIT_S = 20.0


def backward_events(example: str, train: bool, batch: int = 2) -> dict:
    """{node: backward StepEvent} of one pass over random data, every target 1 (a class,
    and a hinge loss's +1)."""
    from bpviz.core import load_graph
    g = load_graph(example_path(example))
    rng = np.random.default_rng(0)
    feeds = {}
    for nid in g.inputs():
        node = g.nodes[nid]
        shape = (batch,) + tuple(node.attrs["shape"])
        feeds[nid] = (np.ones(shape, dtype=np.int64) if node.attrs.get("dtype") == "int64"
                      else rng.normal(size=shape))
    s = Stepper(g, feeds, train=train, cap=INTERACTIVE_JACOBIAN_CAP,
                max_rows=INTERACTIVE_JACOBIAN_ROWS)
    return {ev.node: ev for ev in iter(s.step, None) if ev.phase == "backward"}


def jacobian_cases(only: str = "") -> list:
    """(label, LazyJacobian) for JACOBIAN_CASES and the largest Jacobian of the others;
    ``only``: the cases whose label holds it."""
    cases, cached = [], {}
    for example, node, wrt, train in JACOBIAN_CASES:
        label = f"{example} {node}.{wrt}" + (" (train)" if train else "")
        if only not in label:
            continue
        if (example, train) not in cached:
            cached[example, train] = backward_events(example, train)
        cases.append((label, cached[example, train][node].lazy_jacobian[wrt]))
    named = {example for example, *_ in JACOBIAN_CASES}
    for example in EXAMPLES:
        if example in named or only not in example:
            continue
        events = backward_events(example, False)
        size, label, lazy = max(
            (lj.shape[0] * lj.shape[1], f"{example} {n}.{w}", lj)
            for n, ev in events.items() for w, lj in ev.lazy_jacobian.items() if lj.available)
        cases.append((label, lazy))
    return cases


def view_phases(view):
    """What a lecturer does: zoom in at the centre until the cells could hold numbers, pan
    right and down with the keys, zoom back out, fit."""
    g, cell = view.grid_rect(), view.cell_for_numbers()
    zoom_ins = 2 + math.ceil(math.log(max(cell.width() / view.sx, cell.height() / view.sy, 1))
                             / math.log(1.25))
    return [[lambda: view.zoom(1.25)] * zoom_ins,
            [lambda: view.pan(-g.width() * 0.2, 0)] * 10
            + [lambda: view.pan(0, -g.height() * 0.2)] * 10,
            [lambda: view.zoom(1 / 1.25)] * zoom_ins + [view.fit]]


def timed_redraws(view, app, actions, cpu: list) -> list[float]:
    """Wall-clock time of each action and its repaint; the GUI thread's CPU time of each
    is appended to ``cpu`` (what the interface worked, however loaded the machine is)."""
    times = []
    for action in actions:
        start, start_cpu = time.perf_counter(), time.thread_time()
        action()
        view.repaint()
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
        app.processEvents()
    return times


def jacobian_views(app, only: str = "") -> None:
    """Each case in a 900x600 JacobianView: every pan or zoom timed to the end of a
    synchronous repaint while the worker thread computes rows; whether numbers show once
    the zoomed-in view has filled; how long the fitted view takes to fill (at most
    FILL_WAIT_S)."""
    from bpviz.gui.widgets.jacobian_view import JacobianView
    print(f"\n{'Jacobian view':<34} {'shape':>19} {'redraw median':>13} {'p95':>8} "
          f"{'p95/goal':>8} {'CPU p95':>8}  {'numbers':>7}  fitted view filled")
    every, every_cpu = [], []
    for label, lazy in jacobian_cases(only):
        view = JacobianView(label)
        view.resize(900, 600)
        view.show()
        view.set_jacobian(lazy)
        app.processEvents()
        zoom_in, pans, zoom_out = view_phases(view)
        cpu = []
        times = timed_redraws(view, app, zoom_in, cpu)
        fill_time(view, app)
        numbers = "yes" if view.shows_numbers() else "no"
        times += timed_redraws(view, app, pans, cpu) + timed_redraws(view, app, zoom_out, cpu)
        every += times
        every_cpu += cpu
        fill = fill_time(view, app)
        shape = f"{lazy.shape[0]:,}x{lazy.shape[1]:,}"
        print(f"{label:<34} {shape:>19} {statistics.median(times) * 1e3:11.1f}ms "
              f"{p95(times) * 1e3:6.1f}ms {p95(times) * 1e3 / VIEW_GOAL_MS:7.2f}x "
              f"{p95(cpu) * 1e3:6.1f}ms  {numbers:>7}  {fill}")
        view.filler.cancel()
        view.deleteLater()
    print(f"{'all redraws':<34} {len(every):>19} {statistics.median(every) * 1e3:11.1f}ms "
          f"{p95(every) * 1e3:6.1f}ms {p95(every) * 1e3 / VIEW_GOAL_MS:7.2f}x "
          f"{p95(every_cpu) * 1e3:6.1f}ms")


def fill_time(view, app) -> str:
    passes, start = view.lazy.passes, time.perf_counter()
    view.repaint()
    while view.asked and time.perf_counter() - start < FILL_WAIT_S:
        app.processEvents()
        time.sleep(0.005)
        view.repaint()
    took = time.perf_counter() - start
    left = f", {len(view.asked)} rows still to come" if view.asked else ""
    return (f"{took:.2f}s, {view.lazy.passes - passes} passes of "
            f"{view.lazy.rows_per_pass} rows{left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("steps", "jacobians", "training"))
    parser.add_argument("--example", action="append", choices=EXAMPLES,
                        help="step only this example (repeatable; AlexNet's engine skipped)")
    parser.add_argument("--case", default="",
                        help="only the Jacobian cases whose label holds this text")
    args = parser.parse_args()
    only = args.only
    app = QApplication([])
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.ask_unsaved = lambda: None
    if only in (None, "steps"):
        step_latency(window, app, args.example or EXAMPLES)
    if only in (None, "jacobians"):
        jacobian_views(app, args.case)
    if only in (None, "training"):
        training_speed(window, app)


if __name__ == "__main__":
    main()
