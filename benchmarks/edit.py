"""Editing latency: one attribute edit (undo command -> model -> shape inference -> scene
update) plus a synchronous repaint of the canvas, on AlexNet and a generated 200-node graph.

    .venv/bin/python benchmarks/edit.py [--repeats 41]

Baseline in the same run: the repaint alone, without an edit. Goal: edit + repaint < 50 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from scratch import config_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
config_dir()

from PySide6.QtWidgets import QApplication  # noqa: E402

from bpviz.core import Graph  # noqa: E402
from bpviz.gui.shell.main_window import MainWindow  # noqa: E402
from bpviz.paths import example_path  # noqa: E402


def generated(n_blocks: int = 66) -> Graph:
    """x -> blocks of Linear -> ReLU -> Add(skip) ... -> loss: 3 nodes a block, ~200 nodes."""
    nodes = [{"id": "x", "op": "Input", "attrs": {"shape": [16]}, "inputs": []},
             {"id": "t", "op": "Input", "attrs": {"shape": [], "dtype": "int64"}, "inputs": []}]
    prev = "x"
    for i in range(n_blocks):
        nodes += [{"id": f"fc{i}", "op": "Linear",
                   "attrs": {"in_features": 16, "out_features": 16}, "inputs": [prev]},
                  {"id": f"relu{i}", "op": "ReLU", "inputs": [f"fc{i}"]},
                  {"id": f"add{i}", "op": "Add", "inputs": [f"relu{i}", prev]}]
        prev = f"add{i}"
    nodes.append({"id": "loss", "op": "CrossEntropyLoss", "inputs": [prev, "t"]})
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "nodes": nodes})


def measure(window, app, nid: str, attr: str, values, repeats: int):
    edits, repaints = [], []
    viewport = window.view.viewport()
    for i in range(repeats):
        attrs = dict(window.document.graph.nodes[nid].attrs, **{attr: values[i % 2]})
        start = time.perf_counter()
        window.editor.set_attrs(nid, attrs)
        viewport.repaint()
        edits.append(time.perf_counter() - start)
        app.processEvents()
        start = time.perf_counter()
        viewport.repaint()
        repaints.append(time.perf_counter() - start)
    return statistics.median(edits), max(edits), statistics.median(repaints)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args()
    app = QApplication([])
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    window.ask_unsaved = lambda: None
    cases = []
    window.document.open_example(example_path("alexnet"))
    app.processEvents()
    window.view.fit()
    cases.append(("AlexNet example", len(window.document.graph.nodes),
                  measure(window, app, "conv1", "out_channels", (96, 64), args.repeats)))
    window.document.set_graph(generated(), None)
    app.processEvents()
    window.view.fit()
    cases.append(("generated, fit", len(window.document.graph.nodes),
                  measure(window, app, "fc0", "out_features", (16, 8), args.repeats)))
    window.view.resetTransform()                 # 100 %: labels and text drawn
    window.view.centerOn(window.scene.nodes["fc1"])
    cases.append(("generated, 100%", len(window.document.graph.nodes),
                  measure(window, app, "fc0", "out_features", (16, 8), args.repeats)))
    for name, n, (median, worst, repaint) in cases:
        print(f"{name:<16} {n:>3} nodes: edit+repaint median {median * 1e3:6.1f} ms "
              f"(max {worst * 1e3:6.1f}); repaint alone {repaint * 1e3:5.1f} ms")
    window.document.undo_stack.setClean()


if __name__ == "__main__":
    main()
