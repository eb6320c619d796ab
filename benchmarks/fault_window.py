"""The window half of the fault trials (benchmarks/fault_trials.py): mutants opened in a
MainWindow over the user's own edited graph."""
from __future__ import annotations

import signal
import sys
import time
import traceback

from fault_trials import HANG_S, LIMIT_S, Hung


def make_window():
    """An offscreen window showing the user's graph with an unsaved edit; every question a
    dialog would ask is answered at once (a modal dialog would stop the trial)."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMessageBox
    app = QApplication.instance() or QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path
    for name in ("warning", "information", "critical"):
        setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    window.document.open_example(example_path("spirals_mlp"))
    window.editor.select(["relu2"] if "relu2" in window.document.graph.nodes else [])
    window.editor.add_op("Sigmoid")                     # the user's own, unsaved edit
    app.processEvents()
    return app, window


def window_trials(lesson_paths, session_paths, rng) -> dict:
    app, window = make_window()
    user = window.document.graph.to_dict()
    escaped = []
    sys.excepthook = lambda kind, value, tb: escaped.append(
        "".join(traceback.format_exception(kind, value, tb)[-4:])[-800:])
    results = {}
    for kind, paths in (("lesson", lesson_paths), ("session", session_paths)):
        counts = {"opened": 0, "refused": 0, "over_5_s": 0, "hung": 0, "escaped": 0,
                  "user_graph_lost": 0, "slowest_s": 0.0}
        lost, slow = [], []
        for path in paths:
            before, cpu = len(escaped), time.process_time()
            outcome, seconds = _open(app, window, kind, path, rng)
            counts[outcome] += 1
            counts["slowest_s"] = round(max(counts["slowest_s"], seconds), 3)
            counts["over_5_s"] += seconds > LIMIT_S
            if seconds > LIMIT_S:
                slow.append(f"{path.name} {seconds:.1f} s, cpu {time.process_time() - cpu:.1f} s")
            counts["escaped"] += len(escaped) > before
            if window.lessons.active:
                window.lessons.leave()
            if outcome != "opened" or kind == "lesson":
                if window.document.graph.to_dict() != user or not window.document.modified:
                    counts["user_graph_lost"] += 1
                    lost.append(f"{path.name}: {outcome}, escaped {len(escaped) > before}")
            _put_back(window, user)
            app.processEvents()
        results[f"{kind}_window"] = {"mutants": len(paths), **counts, "lost": lost[:10], "slow": slow[:10],
                                     "escaped_examples": escaped[:5]}
        print(kind, "window", results[f"{kind}_window"], flush=True)
    return results


def _open(app, window, kind, path, rng) -> tuple[str, float]:
    signal.alarm(HANG_S)
    started = time.perf_counter()
    try:
        if kind == "lesson":
            problem = window.lessons.open(str(path), rng.randrange(4), ask=False)
        else:
            problem = window.files.sessions.open(path, ask=False)
        app.processEvents()
        outcome = "refused" if problem else "opened"
    except Hung:
        outcome = "hung"
    except Exception as err:                        # noqa: BLE001 - counted as escaped
        sys.excepthook(type(err), err, err.__traceback__)
        outcome = "refused"
    finally:
        signal.alarm(0)
    return outcome, time.perf_counter() - started


def _put_back(window, user: dict) -> None:
    """The user's graph again after a session that opened replaced it (by design)."""
    from bpviz.core.network.graph import Graph
    if window.document.graph.to_dict() != user or not window.document.modified:
        window.document.set_graph(Graph.from_dict(user, check=False), None, modified=True)
