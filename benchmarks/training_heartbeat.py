"""The window stays smooth while a CPU training run goes on in the Training tab.

    .venv/bin/python benchmarks/training_heartbeat.py [--seconds 20]

A 5 ms QTimer heartbeat on the GUI thread measures how late each beat fires while AlexNet
(64 px, batch 64, procedural data) trains in the tab's worker thread. Goals: p99 latency
< 20 ms and no stall > 50 ms. Then the in-app throughput against `bpviz-train` alone with the
same settings in a subprocess (goal: within 10 %).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BPVIZ_CONFIG_DIR", tempfile.mkdtemp(prefix="bpviz-bench-"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SETTINGS = ["--image-size", "64", "--batch-size", "64", "--lr", "0.005", "--workers", "0",
            "--device", "cpu", "--log-every", "5"]


def rates(folder) -> list[float]:
    rows = [json.loads(l) for l in open(os.path.join(folder, "metrics.jsonl"))]
    return [r["images_per_s"] for r in rows if r["split"] == "train"][1:]   # skip warm-up


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=20)
    args = p.parse_args()
    app = QApplication([])
    from bpviz.gui.training_tab import TrainingTab
    tab = TrainingTab()
    tab.resize(1400, 900)
    tab.show()
    out = tempfile.mkdtemp(prefix="bpviz-gui-run-")
    tab.image_size.setValue(64)
    tab.batch.setValue(64)
    tab.lr.setText("0.005")
    tab.max_steps.setValue(0)
    tab.workers.setValue(0)
    tab.out.setText(out)
    late, last = [], [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        late.append(now - last[0] - 0.005)
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(5)
    tab.start()
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    tab.stop()
    tab.wait()
    app.processEvents()
    timer.stop()
    lat = np.array(late[20:]) * 1e3
    print(f"heartbeat over {args.seconds:.0f} s of training: p50 {np.percentile(lat, 50):.1f} ms"
          f" late, p99 {np.percentile(lat, 99):.1f} ms, worst {lat.max():.1f} ms "
          f"({len(lat)} beats)")
    gui = rates(out)
    cli_out = tempfile.mkdtemp(prefix="bpviz-cli-run-")
    steps = max(10, 5 * (len(gui) + 1))
    subprocess.run([sys.executable, "-m", "bpviz.train", *SETTINGS, "--max-steps", str(steps),
                    "--out", cli_out], check=True, capture_output=True)
    cli = rates(cli_out)
    g, c = float(np.median(gui)), float(np.median(cli))
    print(f"throughput: in the app {g:.0f} img/s (torch threads {max(1, (os.cpu_count() or 1) - 1)}"
          f"), bpviz-train alone {c:.0f} img/s; ratio {g / c:.2f}")


if __name__ == "__main__":
    main()
