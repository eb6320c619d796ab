"""The labs' speed against their goals, with the baseline each goal names.

    .venv/bin/python benchmarks/labs.py

1. A 201x201 loss surface of the two-weight linear model over 1,000 points, for each loss
   (goal <= 100 ms); baseline in the same run: the direct float64 evaluation with
   np.logaddexp and friends on the same grid (the textbook numpy, written out below).
2. Slider drags: the regression panel redrawn for 60 successive δ values, repainted each
   time (goal >= 20 frames per second).
3. Seven optimizers x 500 steps: the race computed, then the animation's frame (all
   trajectories, heads, loss curves, state table) at 60 fps (goal: frame < 16.7 ms).
4. A 51x51 slice of the CNN example's loss (batch 64) through two filter-normalised
   directions (goal <= 5 s), in the worker thread as the app runs it.
"""
from __future__ import annotations

import os
import statistics
import time

from scratch import config_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
config_dir()

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpviz.core import load_graph  # noqa: E402
from bpviz.core.data import datasets as ds  # noqa: E402
from bpviz.core.labs.landscapes import MODEL_LOSSES, LinearModel  # noqa: E402
from bpviz.paths import example_path  # noqa: E402


def naive(loss, s, t, delta):
    """The baseline: each loss as plain numpy would first write it, in float64 on the whole
    grid at once (bpviz's own are in bpviz.core.ops.loss_formulas)."""
    m = s * t
    if loss == "cross-entropy":
        return np.logaddexp(0, -m)
    if loss == "hinge":
        return np.maximum(0, 1 - m)
    r = s - t
    a = np.abs(r)
    if loss == "L2":
        return r * r
    if loss == "L1":
        return a
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def direct(model, g1, g2):
    w = np.stack([g1.ravel(), g2.ravel()], 1)
    return naive(model.loss, w @ model.x.T, model.t, model.delta).mean(axis=1)


def surface_times():
    data = ds.blobs(n=1000, classes=2, seed=0)
    xs = np.linspace(-4, 4, 201)
    g1, g2 = np.meshgrid(xs, xs)
    print("1. 201x201 surface over 1,000 points (median of 7)")
    for loss in MODEL_LOSSES:
        model = LinearModel.from_dataset(data, loss)
        fast, slow = [], []
        for _ in range(7):
            t = time.perf_counter()
            model.surface_values(g1, g2)
            fast.append(time.perf_counter() - t)
        for _ in range(2):
            t = time.perf_counter()
            direct(model, g1, g2)
            slow.append(time.perf_counter() - t)
        f, s = statistics.median(fast), statistics.median(slow)
        print(f"   {loss:<14} {f * 1e3:6.1f} ms   direct float64 {s * 1e3:6.0f} ms   ratio {f / s:.2f}")


def main() -> None:
    surface_times()
    app = QApplication([])
    from bpviz.gui.labs.loss_lab import RegressionPanel
    from bpviz.gui.labs.optimizer_lab import OptimizerLab
    from bpviz.gui.labs.surface_panel import SurfacePanel

    panel = RegressionPanel()
    panel.resize(900, 600)
    panel.show()
    app.processEvents()
    start = time.perf_counter()
    for k in range(60):
        panel.delta.set_value(0.5 + k * 0.04)
        panel.plot.viewport().repaint()
    fps = 60 / (time.perf_counter() - start)
    print(f"2. regression panel, slider drag: {fps:.0f} redraws per second")

    lab = OptimizerLab()
    lab.resize(1400, 800)
    lab.show()
    app.processEvents()
    lab.steps.setValue(500)
    start = time.perf_counter()
    lab.recompute()
    race = time.perf_counter() - start
    frames = []
    for i in range(0, 501, 3):
        t = time.perf_counter()
        lab.show_step(i)
        for w in (lab.plot, lab.loss_plot):
            w.viewport().repaint()
        lab.table.viewport().repaint()
        frames.append(time.perf_counter() - t)
    print(f"3. 7 optimizers x 500 steps: race {race * 1e3:.0f} ms; animation frame median "
          f"{statistics.median(frames) * 1e3:.1f} ms, p95 {np.percentile(frames, 95) * 1e3:.1f}"
          f" ms ({1 / statistics.median(frames):.0f} fps possible)")

    graph = load_graph(example_path("shapes_cnn"))
    data = ds.shapes(n=64, seed=0)
    feeds = {"x": data.x, "t": data.y}
    sp = SurfacePanel(lambda: (graph, feeds))
    sp.source.setCurrentIndex(1)
    sp.resolution.setValue(51)
    start = time.perf_counter()
    sp.compute()
    while sp.slice_thread is not None and sp.slice_thread.isRunning():
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    print(f"4. 51x51 slice of shapes_cnn (batch 64): {time.perf_counter() - start:.2f} s; "
          f"{sp.status.text()}")


if __name__ == "__main__":
    main()
