"""Time to load, analyze and step through a long chain (the cost must grow linearly).

    .venv/bin/python -m benchmarks.load_chain [--sizes 4000 8000 20000] [--step] [--gui]

Writes a chain file of each size (Input -> Linear -> Tanh -> Linear -> ... -> MSELoss, node
positions included), then times ``load_graph`` (parse, build, analyze), the loss lookup,
with ``--step`` a whole forward and backward pass through ``Stepper``, and with ``--gui`` the
app opening the file (offscreen) until its canvas is built and shown.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bpviz.core import Stepper, load_graph
from tests.core.chains import chain_spec


def timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result): on a shared machine the CPU
    time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 8000, 20000])
    parser.add_argument("--step", action="store_true", help="also step forward and backward")
    parser.add_argument("--gui", action="store_true", help="also open each file in the app")
    args = parser.parse_args()
    window = open_in_app = None
    if args.gui:
        window, open_in_app = app_window()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"chain{size}.bpviz.json"
            path.write_text(json.dumps(chain_spec(size)))
            load_s, load_cpu, g = timed(lambda path=path: load_graph(path))
            loss_s, _, _ = timed(g.loss_node)
            line = (f"{len(g.nodes):6d} nodes: load {load_s:5.2f} s (CPU {load_cpu:5.2f} s), "
                    f"loss lookup {loss_s:6.3f} s")
            if args.step:
                feeds = {"x": np.ones((1, 2)), "t": np.zeros((1, 2))}
                stepper = Stepper(g, feeds)
                step_s, step_cpu, _ = timed(lambda stepper=stepper: [None for _ in iter(stepper.step, None)])
                line += (f", {len(stepper.history)} steps {step_s:5.2f} s "
                         f"(CPU {step_cpu:5.2f} s)")
            if window is not None:
                gui_s, gui_cpu, _ = timed(lambda path=path: open_in_app(path))
                line += f", app {gui_s:5.2f} s (CPU {gui_cpu:5.2f} s)"
            print(line, flush=True)


def app_window():
    """An offscreen main window, and a function that opens a file in it and lets it draw."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bpviz.gui.shell.main_window import MainWindow
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    def open_in_app(path):
        window.open_file(path, ask=False)
        app.processEvents()
    return window, open_in_app


if __name__ == "__main__":
    main()
