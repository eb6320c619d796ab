"""The window stays smooth while a CPU training run goes on in the Training tab.

    .venv/bin/python benchmarks/training_heartbeat.py [--seconds 20] [--trace]

A 5 ms QTimer heartbeat on the GUI thread measures how late each beat fires while AlexNet
(64 px, batch 64, procedural data) trains in the tab's worker thread: from pressing Start,
through training, to Stop and the checkpoint it writes. Goals: p99 latency < 20 ms and no
stall > 50 ms. Then the in-app throughput against `bpviz-train` alone on the same settings
(the same torch thread count) in a subprocess: goal within 10 %. Both for the tab's default
thread count (one core left to the window) and for all cores.

--trace prints the Python stacks of every thread whenever a beat is over 40 ms late, and
how much CPU the GUI thread itself used meanwhile (busy painting, or waiting for the GIL).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import traceback

from scratch import config_dir, scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
config_dir()

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SETTINGS = ["--image-size", "64", "--batch-size", "64", "--lr", "0.005", "--workers", "0",
            "--device", "cpu", "--log-every", "5"]
PERIOD = 0.005


def rates(folder) -> list[float]:
    rows = [json.loads(line) for line in open(os.path.join(folder, "metrics.jsonl"))]
    return [r["images_per_s"] for r in rows if r["split"] == "train"][1:]   # skip warm-up


class Heartbeat:
    def __init__(self, trace: bool):
        self.late, self.last, self.cpu = [], time.perf_counter(), time.thread_time()
        self.t0 = self.last
        self.timer = QTimer()
        self.timer.timeout.connect(self.beat)
        self.stacks, self.trace, self.done = [], trace, False

    def beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.late.append(now - self.last - PERIOD)
        if self.trace and now - self.last > 0.04:
            print(f"--- at {now - self.t0:.1f} s: beats {(now - self.last) * 1e3:.0f} ms apart; the GUI thread ran "
                  f"{(cpu - self.cpu) * 1e3:.0f} ms of CPU meanwhile")
        self.last, self.cpu = now, cpu

    def watch(self) -> None:
        """--trace: what every thread is doing while the GUI thread is late."""
        while not self.done:
            time.sleep(0.01)
            if time.perf_counter() - self.last > 0.04:
                frames = sys._current_frames()
                self.stacks.append((time.perf_counter() - self.last, {
                    k: "".join(traceback.format_stack(f)[-5:]) for k, f in frames.items()
                    if k != threading.get_ident()}))

    def start(self) -> None:
        self.timer.start(int(PERIOD * 1000))
        if self.trace:
            threading.Thread(target=self.watch, daemon=True).start()

    def stop(self) -> np.ndarray:
        self.timer.stop()
        self.done = True
        return np.array(self.late[1:]) * 1e3


def app_run(app, seconds: float, threads: int, trace: bool):
    from bpviz.gui.training.training_tab import TrainingTab
    tab = TrainingTab()
    tab.resize(1400, 900)
    tab.show()
    out = scratch_dir("bpviz-gui-run-")
    tab.form.image_size.setValue(64)
    tab.form.batch.setValue(64)
    tab.form.lr.setText("0.005")
    tab.form.max_steps.setValue(0)
    tab.form.workers.setValue(0)
    tab.form.threads.setValue(threads)
    tab.form.out.setText(out)
    for _ in range(20):
        app.processEvents()
    beat = Heartbeat(trace)
    beat.start()
    stopped = []

    def poll():
        if stopped and not tab.running():
            app.quit()

    QTimer.singleShot(0, tab.start)
    QTimer.singleShot(int(seconds * 1000), lambda: (stopped.append(time.perf_counter()),
                                                    tab.stop()))
    watcher = QTimer()
    watcher.timeout.connect(poll)
    watcher.start(50)
    app.exec()
    watcher.stop()
    lat = beat.stop()
    if trace:
        for age, stacks in beat.stacks:
            print(f"--- GUI thread {age * 1e3:.0f} ms late")
            for ident, stack in stacks.items():
                print(f"  thread {ident}:\n{stack}")
    status = tab.status.text()
    tab.deleteLater()
    app.processEvents()
    return lat, rates(out), status


def long_history(app) -> None:
    """The cost of one redraw turn (a view updated and painted) after 10^3 and 2x10^5
    records, about 14 hours at 20 records/s: it must not grow with the run."""
    from bpviz.gui.training.training_tab import TrainingTab
    tab = TrainingTab()
    tab.resize(1400, 900)
    tab.show()
    rng = np.random.default_rng(0)

    def record(step):
        return {"split": "train", "step": step, "epoch": 0, "loss": 2 + rng.random(),
                "top1": 0.5, "top5": 0.8, "lr": 0.01, "images_per_s": 110.0,
                "data_wait": 0.02, "grad_norms": {"conv1": 0.5, "fc8": 0.1},
                "steps_per_epoch": 10_000}

    for n in (1_000, 200_000):
        while tab.view.record_count < n:
            tab.view.history.add(record(5 * tab.view.record_count))
            tab.view.record_count += 1
        turns = []
        for _ in range(30):
            r = record(5 * tab.view.record_count)
            r["conv1"] = rng.standard_normal((64, 3, 11, 11)).astype("f4")
            r["batch"] = rng.random((16, 3, 64, 64)).astype("f4")
            tab.view.on_record(r)
            while tab.view.dirty:
                t = time.perf_counter()
                tab.view._draw_next()
                app.processEvents()
                turns.append(time.perf_counter() - t)
        turns = np.array(turns) * 1e3
        print(f"redraw turns after {n:,} records: median {np.median(turns):.1f} ms, "
              f"p99 {np.percentile(turns, 99):.1f} ms, worst {turns.max():.1f} ms")
    tab.deleteLater()
    app.processEvents()


def cli_run(steps: int, threads: int) -> list[float]:
    out = scratch_dir("bpviz-cli-run-")
    subprocess.run([sys.executable, "-m", "bpviz.train", *SETTINGS, "--threads", str(threads),
                    "--max-steps", str(steps), "--out", out], check=True, capture_output=True)
    return rates(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--trace", action="store_true")
    p.add_argument("--threads", type=int, nargs="*", help="torch thread counts to try "
                   "(default: the tab's default and all cores)")
    args = p.parse_args()
    app = QApplication([])
    long_history(app)
    from bpviz.gui.training.train_worker import gui_threads
    cores = os.cpu_count() or 1
    for threads in args.threads or sorted({gui_threads(), cores}):
        lat, gui, status = app_run(app, args.seconds, threads, args.trace)
        print(f"torch threads {threads} of {cores} cores — {status}")
        print(f"  heartbeat from Start to the stop's checkpoint: p50 "
              f"{np.percentile(lat, 50):.1f} ms late, p99 {np.percentile(lat, 99):.1f} ms, "
              f"worst {lat.max():.1f} ms ({len(lat)} beats, {(lat > 50).sum()} over 50 ms)")
        cli = cli_run(max(10, 5 * (len(gui) + 1)), threads)
        g, c = float(np.median(gui)), float(np.median(cli))
        print(f"  throughput: in the app {g:.0f} img/s, bpviz-train --threads {threads} "
              f"alone {c:.0f} img/s; ratio {g / c:.2f}")


if __name__ == "__main__":
    main()
