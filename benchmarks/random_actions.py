"""The random-action trial of issue 25: seeded sessions of random actions with the lesson
features (tests/gui/lesson_actions.py: Page Down/Up, lessons opened and left, answers right,
wrong, "0,75" and junk, enlarging, the mouse over enlarged views, Esc, the pen, help, the
Jacobian's −/+/Fit in a narrow Inspector, Ctrl+R, F11, Update & Train, window sizes).

    .venv/bin/python benchmarks/random_actions.py [--seeds 0,1,2,3,4] [--actions 1000]
                                                  [--lessons 01_one_layer,...] [--json out]

Each seed runs in a process of its own, offscreen, with the suite's 1920x1080 screen and a
fresh config folder. Counted per seed:
- crashes: the process ended by a signal or an error of its own before its last action;
- exceptions: any exception that escaped into Qt (sys.excepthook) or out of an action;
- freezes: an action whose event loop had not returned after 5 s of wall time (the
  action and the events it posted, processed); one that never returns is ended after 120 s
  (faulthandler prints where it hung) and counted as a freeze;
- dialogs left open: a modal dialog still up after an action (then closed).
Every action over 5 s is listed with its wall and CPU time, and those over 5 s of CPU time
are counted apart: on a shared machine (other jobs on its cores) the CPU time tells a busy
machine from a freeze.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FREEZE_S = 5.0
HANG_S = 120                    # an action still running then never returns: ended


def child(seed: int, actions: int, lessons: list[str], out: Path) -> None:
    """One seed's session, its figures written to ``out`` as JSON after every action (a
    crash leaves the figures up to it)."""
    import faulthandler
    import traceback
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={ROOT / 'tests/offscreen_screen.json'}"
    if "BPVIZ_CONFIG_DIR" not in os.environ:                # run_seed gives one, then removes it
        from scratch import scratch_dir
        os.environ["BPVIZ_CONFIG_DIR"] = scratch_dir("bpviz-random-")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
    app = QApplication([])
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path
    from tests.gui.lesson_actions import LESSONS, LessonSession, stop_training

    for name in ("warning", "critical", "information", "question", "about"):
        setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: ("", ""))
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: ("", ""))
    QDialog.exec = lambda self: 0
    window = MainWindow()
    window.document.open_example(example_path("spirals_mlp"))
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    window.ask_stop_training = lambda: True
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    escaped: list[str] = []
    sys.excepthook = lambda kind, value, tb: escaped.append(
        "".join(traceback.format_exception(kind, value, tb))[-1500:])
    session = LessonSession(window, QTest, seed, lessons or tuple(LESSONS))
    figures = {"seed": seed, "asked": actions, "done": 0, "exceptions": 0, "freezes": 0,
               "dialogs_left_open": 0, "first_exceptions": [], "slowest": [], "kinds": {}}
    for n in range(actions):
        faulthandler.dump_traceback_later(HANG_S, exit=True)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            name = session.step()
        except Exception:                         # raised out of the action itself
            name = session.log[-1]
            escaped.append(traceback.format_exc()[-1500:])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        faulthandler.cancel_dump_traceback_later()
        record(figures, n, name, wall, cpu, escaped)
        seen = figures.setdefault("after_actions", dict.fromkeys(SEEN, 0))
        for what, now in SEEN.items():
            seen[what] += bool(now(window))
        modal = QApplication.activeModalWidget()
        if modal is not None:
            figures["dialogs_left_open"] += 1
            modal.close()
        out.write_text(json.dumps(figures))
    stop_training(window)
    window.close()


# what the session reached: after how many actions each was so
SEEN = {"in a lesson": lambda w: w.lessons.active,
        "a question revealed": lambda w: w.lessons.active and w.lessons.index in w.lessons.revealed,
        "a view enlarged": lambda w: w.focus.is_open,
        "presentation mode": lambda w: w.presentation,
        "Update & Train shown": lambda w: w.docks["training"].isVisible(),
        "pen strokes on screen": lambda w: bool(w.annotations.strokes)}


def record(figures: dict, n: int, name: str, wall: float, cpu: float, escaped: list) -> None:
    figures["done"] = n + 1
    figures["kinds"][name] = figures["kinds"].get(name, 0) + 1
    if wall > FREEZE_S:
        figures["freezes"] += 1
        figures["freezes_cpu"] = figures.get("freezes_cpu", 0) + (cpu > FREEZE_S)
        figures.setdefault("frozen", []).append((round(wall, 2), round(cpu, 2), n, name))
    figures["slowest"] = sorted(figures["slowest"] + [(round(wall, 3), round(cpu, 3), n, name)],
                                reverse=True)[:5]
    if escaped:
        figures["exceptions"] += len(escaped)
        figures["first_exceptions"] = (figures["first_exceptions"] + [
            f"action {n} ({name}): {text}" for text in escaped])[:3]
        escaped.clear()


def run_seed(seed: int, actions: int, lessons: list[str]) -> dict:
    out = Path(tempfile.mkstemp(prefix=f"random-actions-{seed}-", suffix=".json")[1])
    config = tempfile.mkdtemp(prefix="bpviz-random-")       # settings, recovery, errors.log
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", str(seed), "--actions",
                               str(actions), "--lessons", ",".join(lessons), "--out", str(out)],
                              capture_output=True, text=True,
                              env={**os.environ, "BPVIZ_CONFIG_DIR": config})
        figures = json.loads(out.read_text() or "{}")
    finally:
        out.unlink(missing_ok=True)
        shutil.rmtree(config, ignore_errors=True)
    hung = "Timeout (" in proc.stderr
    figures.setdefault("done", 0)
    figures["crashed"] = proc.returncode != 0 and not hung
    figures["freezes"] = figures.get("freezes", 0) + hung
    figures["returncode"] = proc.returncode
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    if proc.returncode != 0:
        figures["stderr_tail"] = "\n".join(line for line in proc.stderr.splitlines()
                                           if "This plugin does not support" not in line)[-2000:]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--lessons", default="", help="comma-separated; default: all shipped")
    parser.add_argument("--json", help="write every seed's figures here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    lessons = [name for name in args.lessons.split(",") if name]
    if args.child is not None:
        child(args.child, args.actions, lessons, Path(args.out))
        return
    results = []
    print("seed  actions  crashed  exceptions  freezes  dialogs  wall_s  slowest action (wall s, "
          "cpu s)")
    for seed in (int(s) for s in args.seeds.split(",")):
        f = run_seed(seed, args.actions, lessons)
        results.append(f)
        slow = f.get("slowest") or [(0, 0, 0, "-")]
        print(f"{seed:>4}  {f['done']:>7}  {str(f['crashed']):>7}  {f.get('exceptions', 0):>10}  "
              f"{f['freezes']:>7}  {f.get('dialogs_left_open', 0):>7}  {f['wall_s']:>6}  "
              f"{slow[0][3]} ({slow[0][0]}, {slow[0][1]})", flush=True)
        print("      after actions: " + ", ".join(f"{k} {v}" for k, v in
                                                 f.get("after_actions", {}).items()))
        for text in f.get("first_exceptions", [])[:1] + [f.get("stderr_tail", "")]:
            if text:
                print("      " + text.replace("\n", "\n      "))
    total = {key: sum(f.get(key, 0) for f in results)
             for key in ("done", "crashed", "exceptions", "freezes", "dialogs_left_open")}
    cpu_bound = sum(f.get("freezes_cpu", 0) for f in results)
    print(f"total: {len(results)} seeds, {total['done']} actions, {total['crashed']} crashes, "
          f"{total['exceptions']} exceptions, {total['freezes']} freezes (wall > {FREEZE_S} s; "
          f"{cpu_bound} of them over {FREEZE_S} s of CPU), "
          f"{total['dialogs_left_open']} dialogs left open")
    for f in results:
        for wall, cpu, n, name in f.get("frozen", []):
            print(f"  seed {f['seed']} action {n} {name}: {wall} s wall, {cpu} s CPU")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
