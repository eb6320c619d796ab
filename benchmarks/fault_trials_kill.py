"""The kill -9 trials of issue 25: a bpviz window with the user's own unsaved edits opens a
lesson, is edited and stepped through during it, and is killed (SIGKILL) at a random moment
of the lesson; then what the next start would offer (gui/config/recovery.py) must be the user's
graph with every edit they made before the lesson.

    .venv/bin/python benchmarks/fault_trials_kill.py [--trials 40] [--seed 0]

Each trial runs a child process offscreen with a fresh config folder. The child prints the
user's node ids once its edits are made, then "lesson" once the lesson runs; it then keeps
making random lesson actions (Next, Previous, an op added to the lesson's graph, an
autosave as the 20 s timer would make) until it is killed 0 to 2.5 s after "lesson".
Counted: trials, kills that landed, user's graphs offered whole, lost or damaged ones.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent("""\
    import json, random, sys
    from PySide6.QtWidgets import QApplication, QMessageBox
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    QMessageBox.warning = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok)
    rng = random.Random(int(sys.argv[1]))
    window = MainWindow()
    window.show()
    window.document.open_example(example_path("spirals_mlp"))
    for _ in range(rng.randint(1, 4)):                 # the user's own edits
        window.editor.select([rng.choice(sorted(window.document.graph.nodes))])
        window.editor.add_op(rng.choice(["ReLU", "Sigmoid", "Tanh"]))
        app.processEvents()
    print("user", json.dumps(sorted(window.document.graph.nodes)), flush=True)
    lesson = rng.choice(["01_one_layer", "02_chain_rule", "03_backprop_layers"])
    window.lessons.open(lesson, rng.randrange(3), ask=False)
    print("lesson", flush=True)
    while True:                                        # until killed
        act = rng.random()
        if act < 0.3:
            window.lessons.next()
        elif act < 0.4:
            window.lessons.previous()
        elif act < 0.7 and window.document.graph.nodes:
            window.editor.select([rng.choice(sorted(window.document.graph.nodes))])
            window.editor.add_op(rng.choice(["ReLU", "Sigmoid"]))
        else:
            window.document.write_recovery()           # as the autosave timer does
        app.processEvents()
    """)


def trial(seed: int, rng: random.Random) -> dict:
    with tempfile.TemporaryDirectory(prefix="bpviz-kill-") as tmp:
        config = Path(tmp) / "config"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_CONFIG_DIR=str(config))
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(seed)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
        user = json.loads(child.stdout.readline().split(" ", 1)[1])
        ready = child.stdout.readline().strip() == "lesson"
        time.sleep(rng.uniform(0.0, 2.5))
        landed = child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait()
        return {"seed": seed, "landed": landed and ready, **offered(config, user)}


def offered(config: Path, user: list[str]) -> dict:
    """What the next start offers from ``config``: the user's graph whole, or not."""
    os.environ["BPVIZ_CONFIG_DIR"] = str(config)
    from bpviz.core import GraphError
    from bpviz.gui.config.recovery import left_recovery_files, read_recovery
    files = left_recovery_files(config)
    temps = len(list(config.glob(".recovery*.tmp")))
    if not files:
        return {"outcome": "nothing offered", "temps": temps}
    try:
        record = read_recovery(files[0])
    except GraphError as err:
        return {"outcome": f"unreadable: {err}", "temps": temps}
    nodes = sorted(n["id"] for n in record["graph"]["nodes"])
    return {"outcome": "user's graph whole" if nodes == user else "other graph",
            "temps": temps}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--trials", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    rng = random.Random(args.seed)
    results = [trial(args.seed * 10_000 + i, rng) for i in range(args.trials)]
    counts = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    summary = {"trials": len(results), "killed_during_lesson": sum(r["landed"] for r in results),
               **counts, "temp_files_left_at_kill": sum(r["temps"] for r in results),
               "not_whole": [r for r in results if r["outcome"] != "user's graph whole"][:10]}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
