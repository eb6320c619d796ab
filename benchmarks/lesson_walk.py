"""Every shipped lesson walked as a teacher walks it in class (issue 19): presentation mode at
1280x720, Page Down from step 1 to the last step (a step with an unanswered question takes
two presses: the answer, then the move), then Page Up back to step 1.

    .venv/bin/python benchmarks/lesson_walk.py [--lessons 01_one_layer,03_backprop_layers]
                                               [--json out.json]

Each press is a real Page Down / Page Up key event sent to the window (the Next Step and
Previous Step actions' shortcuts; if the key does not reach the action, the action is
triggered and the report says so), timed until the window has processed its events and
repainted synchronously; the same repaint with no key pressed is the baseline. Reported per
lesson and over all: median, p95 and max press time; the resident memory after each lesson
and the peak (VmHWM) of the whole run; for lesson 3 the Inspector pages built (calls of
``_new_page``, or of ``show_event`` where the Inspector built a page at each) and the engine's steps (calls of ``bpviz.core.backprop.stepper.Stepper.step``) per
visible step. The counters wrap those methods here,
not in the app; one that cannot be found is reported as "not measured".
Goals (issue 19): Page Down and Page Up p95 <= 100 ms, no press over 1 s, peak resident memory
<= 1 GB, lesson 3 at most one Inspector page built per visible step.

Only public entry points are used — the window's ``lessons`` controller (``open``,
``leave``, ``index``), its Next/Previous actions, ``window.inspector`` — so the script runs
against whatever the lesson controller is at the time. A step that fails (an error shown in
the lesson strip, an exception in a slot, a press that does not move) is printed and the walk
goes on.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import traceback

from scratch import config_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
config_dir()

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from bpviz.core.teaching.lessons import lessons_in  # noqa: E402
from bpviz.paths import lessons_dir  # noqa: E402

SIZE = (1280, 720)                 # a common projector (bpviz.gui.app.PROJECTOR_SIZE)
PRESS_GOAL_MS = 100                # p95 of Page Down and of Page Up
WORST_GOAL_MS = 1000               # no press over 1 s
MEMORY_GOAL_MB = 1024              # peak resident memory over all lessons (1 GB)
PAGES_GOAL = 1.0                   # lesson 3: Inspector pages built per visible step
COUNTED_LESSON = "03_backprop_layers"
SETTLE_S = 0.1                     # untimed idle time between presses (a teacher pauses)
MAX_PRESSES_PER_STEP = 3           # a Page Down that neither reveals nor moves: give up


# --- measuring --------------------------------------------------------------------------------
def proc_status_mb(field: str) -> float | None:
    """VmHWM (peak) or VmRSS (current) of this process, in MB (MiB)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux: 5 > /proc/self/clear_refs), so that
    each lesson has its own peak; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def stats(times_s: list[float]) -> dict:
    if not times_s:
        return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
    ms = [t * 1e3 for t in times_s]
    return {"n": len(ms), "median_ms": statistics.median(ms),
            "p95_ms": float(np.percentile(ms, 95)), "max_ms": max(ms)}


class CallCounter:
    """Counts calls of ``cls.name`` while ``on``; ``available`` is False when there is no
    such method (then the figure is "not measured")."""

    def __init__(self, cls, name: str):
        self.count, self.on = 0, False
        original = getattr(cls, name, None) if cls is not None else None
        self.available = callable(original)
        if not self.available:
            return
        counter = self

        def counted(obj, *args, **kwargs):
            if counter.on:
                counter.count += 1
            return original(obj, *args, **kwargs)

        counted.__wrapped__ = original
        setattr(cls, name, counted)

    def take(self) -> int:
        n, self.count = self.count, 0
        return n


def stepper_counter() -> CallCounter:
    try:
        from bpviz.core.backprop.stepper import Stepper
    except ImportError:
        Stepper = None
    return CallCounter(Stepper, "step")


def inspector_counter(window) -> CallCounter:
    """Pages built: calls of the Inspector's _new_page where it keeps pages (issue 19),
    else of show_event (which built one each time)."""
    inspector = getattr(window, "inspector", None)
    cls = type(inspector) if inspector is not None else None
    return CallCounter(cls, "_new_page" if hasattr(cls, "_new_page") else "show_event")


class SlotErrors:
    """Exceptions raised inside Qt slots (PySide6 hands them to sys.excepthook): the
    traceback on stderr, one line kept for the report; the walk goes on."""

    def __init__(self):
        self.caught: list[str] = []
        sys.excepthook = self.hook

    def hook(self, kind, value, tb):
        traceback.print_exception(kind, value, tb)
        first = (str(value).strip().splitlines() or [""])[0]
        self.caught.append(f"{kind.__name__}: {first}")

    def take(self) -> list[str]:
        caught, self.caught = self.caught, []
        return caught


# --- the window -------------------------------------------------------------------------------
def build_window(app):
    """The window as ``bpviz --presentation`` builds it, at the projector's size."""
    from bpviz.gui.app import initial_document
    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.gui.theme import THEMES, apply_theme

    apply_theme(app, THEMES["light"], True)
    window = MainWindow("light", presentation=False)
    problem = initial_document(window, argparse.Namespace(file=None, example=None))
    if problem:
        raise SystemExit(f"cannot open the default example: {problem}")
    window.set_presentation(True)
    # offscreen, full screen is the fake screen's size: keep presentation mode, drop the
    # full-screen state and take a projector's size (as `bpviz --screenshot` does)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(*SIZE)
    window.show()
    # nothing may wait for a modal dialog during the walk
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    window.ask_stop_training = lambda: True
    window.show_error = lambda title, text: print(f"    dialog: {title}: {text}", flush=True)
    settle(app, 0.5)
    return window


def settle(app, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)


def action_for(window, key: str):
    """The window's action whose shortcut is ``key`` (e.g. 'PgDown'), or None."""
    wanted = QKeySequence(key)
    for action in window.findChildren(type(window.actions()[0])):
        if any(k == wanted for k in action.shortcuts()):
            return action
    return None


class Keys:
    """Page Down / Page Up as the user presses them, each timed to a synchronous repaint."""

    def __init__(self, window, app):
        self.window, self.app = window, app
        self.actions = {"PgDown": action_for(window, "PgDown"),
                        "PgUp": action_for(window, "PgUp")}
        self.fired = 0
        for action in self.actions.values():
            if action is not None:
                action.triggered.connect(self._fired)
        self.fallbacks = 0          # presses whose key event did not reach the action

    def _fired(self, *_args) -> None:
        self.fired += 1

    def press(self, key: str) -> float:
        qt_key = Qt.Key.Key_PageDown if key == "PgDown" else Qt.Key.Key_PageUp
        action = self.actions[key]
        self.window.activateWindow()
        target = QApplication.focusWidget() or self.window
        fired = self.fired
        start = time.perf_counter()
        QTest.keyClick(target, qt_key)
        if action is not None and self.fired == fired and action.isEnabled():
            self.fallbacks += 1
            action.trigger()
        self.app.processEvents()
        self.window.repaint()
        return time.perf_counter() - start


def idle_repaint(window, app, rounds: int = 10) -> dict:
    """Baseline: the same processEvents + synchronous repaint with no key pressed."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        app.processEvents()
        window.repaint()
        times.append(time.perf_counter() - start)
        settle(app, 0.02)
    return stats(times)


# --- the walk ---------------------------------------------------------------------------------
def lesson_error(window) -> str:
    panel = getattr(window.lessons, "panel", None)
    error = getattr(panel, "error", None)
    try:
        return error.text() if error is not None else ""
    except RuntimeError:          # the label was deleted with a rebuilt panel
        return ""


def position(window) -> int | None:
    index = getattr(window.lessons, "index", None)
    return index if isinstance(index, int) else None


class Walk:
    """One lesson, forward to its last step and back to step 1."""

    def __init__(self, window, app, keys, errors, lesson):
        self.window, self.app, self.keys, self.errors = window, app, keys, errors
        self.lesson = lesson
        self.down: list[float] = []
        self.up: list[float] = []
        self.failures: list[str] = []
        self.error_seen = ""    # the strip keeps an error until the step changes: say it once
        self.shown = 0          # steps shown: the opening, then every press that moved
        self.mark = lambda part: None      # PhaseCounts.mark for the counted lesson

    def fail(self, text: str) -> None:
        text = " ".join(text.split())
        print(f"    FAILED {text}", flush=True)
        self.failures.append(text)

    def check(self, what: str) -> None:
        error = lesson_error(self.window)
        if error and error != self.error_seen:
            self.fail(f"{what}: {error}")
        self.error_seen = error
        for caught in self.errors.take():
            self.fail(f"{what}: exception in a slot: {caught}")

    def timed(self, key: str, what: str) -> None:
        elapsed = self.keys.press(key)
        (self.down if key == "PgDown" else self.up).append(elapsed)
        self.check(what)
        settle(self.app, SETTLE_S)

    def run(self) -> float:
        """Returns the seconds the opening took (not a press)."""
        lessons, n = self.window.lessons, len(self.lesson.steps)
        self.mark("open")
        start = time.perf_counter()
        try:
            problem = lessons.open(self.lesson.name, ask=False)
        except Exception as err:                 # raised in the app, not in a slot
            traceback.print_exc()
            problem = f"{type(err).__name__}: {err}"
        self.app.processEvents()
        self.window.repaint()
        opened = time.perf_counter() - start
        self.shown += 1
        if problem:
            self.fail(f"open: {problem}")
        self.check("open")
        settle(self.app, SETTLE_S)
        if not getattr(lessons, "active", True):
            self.fail("the lesson did not start")
            self.mark(None)
            return opened
        self.mark("forward")
        self.forward(n)
        self.mark("back")
        self.backward(n)
        self.mark(None)
        try:
            lessons.leave()
        except Exception as err:
            self.fail(f"leave: {type(err).__name__}: {err}")
        self.app.processEvents()
        self.check("leave")
        return opened

    def forward(self, n: int) -> None:
        for i in range(n):
            title = f"step {i + 1}/{n} '{self.lesson.steps[i].title}'"
            asks = self.lesson.steps[i].question is not None
            if i == n - 1:                       # the last step: its answer, not Finish
                if asks:
                    self.timed("PgDown", f"{title} (Page Down: answer)")
                return
            for press in range(MAX_PRESSES_PER_STEP):
                self.timed("PgDown", f"{title} (Page Down)")
                at = position(self.window)
                if at is None:                   # no index to read: trust the lesson's plan
                    if asks and press == 0:
                        continue
                    self.shown += 1
                    break
                if at != i:
                    self.shown += 1
                    if at != i + 1:
                        self.fail(f"{title}: Page Down went to step {at + 1}")
                    break
            else:
                self.fail(f"{title}: Page Down {MAX_PRESSES_PER_STEP} times did not move")
                return

    def backward(self, n: int) -> None:
        at = position(self.window)               # where the forward walk got to
        for i in range(n - 1 if at is None else at, 0, -1):
            title = f"step {i + 1}/{n} '{self.lesson.steps[i].title}'"
            before = position(self.window)
            self.timed("PgUp", f"{title} (Page Up)")
            at = position(self.window)
            if at is not None and at == before:
                self.fail(f"{title}: Page Up did not move")
                return
            self.shown += 1
            if at is not None and at != i - 1:
                self.fail(f"{title}: Page Up went to step {at + 1}")


# --- the report -------------------------------------------------------------------------------
def fmt(value, unit="ms", digits=1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}".rstrip()


def row(name: str, steps, down: dict, up: dict, rss, peak, failures) -> str:
    def three(s):
        if not s["n"]:
            return f"{'-':>30}"
        return f"{s['median_ms']:8.1f} {s['p95_ms']:8.1f} {s['max_ms']:8.1f} ({s['n']:>3})"
    return (f"{name:<30} {steps!s:>5}  {three(down)}   {three(up)}  "
            f"{fmt(rss, 'MB', 0):>7} {fmt(peak, 'MB', 0):>7} {failures!s:>4}")


def header() -> str:
    sub = f"{'median':>8} {'p95':>8} {'max':>8} {'(n)':>5}"
    return (f"{'':<30} {'':>5}  {'Page Down, ms':^35}   {'Page Up, ms':^35}\n"
            f"{'lesson':<30} {'steps':>5}  {sub}   {sub}  {'RSS':>7} {'peak':>7} {'fail':>4}")


def goal(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def report_goals(overall_down, overall_up, worst_ms, peak_mb, counted, failures) -> dict:
    down_ok = overall_down["p95_ms"] <= PRESS_GOAL_MS if overall_down["n"] else None
    up_ok = overall_up["p95_ms"] <= PRESS_GOAL_MS if overall_up["n"] else None
    worst_ok = worst_ms <= WORST_GOAL_MS if worst_ms is not None else None
    peak_ok = peak_mb <= MEMORY_GOAL_MB if peak_mb is not None else None
    pages = counted.get("pages_per_visible_step") if counted else None
    pages_ok = pages <= PAGES_GOAL if pages is not None else None
    print("\ngoals (issue 19):")
    if failures:
        print(f"  ({failures} failures: the figures leave out what did not run)")
    print(f"  Page Down p95 <= {PRESS_GOAL_MS} ms: {fmt(overall_down['p95_ms'])}  "
          f"{goal(down_ok)}")
    print(f"  Page Up p95 <= {PRESS_GOAL_MS} ms: {fmt(overall_up['p95_ms'])}  {goal(up_ok)}")
    print(f"  no press over {WORST_GOAL_MS} ms: worst {fmt(worst_ms)}  {goal(worst_ok)}")
    print(f"  peak resident memory <= {MEMORY_GOAL_MB} MB: {fmt(peak_mb, 'MB', 0)}  "
          f"{goal(peak_ok)}")
    print(f"  {COUNTED_LESSON}: <= {PAGES_GOAL:g} Inspector page per visible step: "
          + ("not measured" if pages is None else f"{pages:.2f}  {goal(pages_ok)}"))
    return {"page_down_p95": down_ok, "page_up_p95": up_ok, "no_press_over_1s": worst_ok,
            "peak_memory": peak_ok, "lesson3_pages_per_step": pages_ok}


def report_counts(counted: dict) -> None:
    shown = counted["visible_steps"]
    print(f"\n{COUNTED_LESSON}: {shown} visible steps (the opening and every press that "
          f"moved), {counted['presses']} presses")
    for what, key in (("Inspector pages built", "pages"),
                      ("engine steps run (Stepper.step)", "engine_steps")):
        n = counted[key]
        if n is None:
            print(f"  {what}: not measured")
            continue
        print(f"  {what}: {n}, {n / shown:.2f} per visible step "
              f"(opening {counted[key + '_by_phase']['open']}, forward "
              f"{counted[key + '_by_phase']['forward']}, back "
              f"{counted[key + '_by_phase']['back']})")


# --- main ---------------------------------------------------------------------------------------
def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lessons", help="comma-separated lesson names (default: all shipped)")
    p.add_argument("--json", metavar="FILE", help="write the figures to FILE")
    return p.parse_args(argv)


def chosen_lessons(names: str | None):
    shipped, problems = lessons_in(lessons_dir())
    for problem in problems:
        print(f"lesson file problem: {problem}")
    if not names:
        return shipped
    by_name = {lesson.name: lesson for lesson in shipped}
    unknown = [n for n in names.split(",") if n.strip() not in by_name]
    if unknown:
        raise SystemExit(f"no lesson {', '.join(unknown)} (lessons: {', '.join(by_name)})")
    return [by_name[n.strip()] for n in names.split(",")]


class PhaseCounts:
    """The counters' figures for each part of a walk (opening, forward, back): ``mark(name)``
    closes the part that was running and starts ``name`` (None: stop counting)."""

    def __init__(self, counters: dict[str, CallCounter]):
        self.counters, self.part = counters, None
        self.by_part = {key: {} for key in counters}

    def mark(self, part: str | None) -> None:
        for key, counter in self.counters.items():
            n = counter.take()
            if self.part is not None:
                self.by_part[key][self.part] = n
            counter.on = part is not None
        self.part = part

    def figures(self, walk) -> dict:
        figures = {"visible_steps": walk.shown, "presses": len(walk.down) + len(walk.up)}
        for key, counter in self.counters.items():
            parts = {p: self.by_part[key].get(p, 0) for p in ("open", "forward", "back")}
            total = sum(parts.values()) if counter.available else None
            figures[key] = total
            figures[key + "_by_phase"] = parts
            figures[key + "_per_visible_step"] = (total / walk.shown if total is not None
                                                  and walk.shown else None)
        return figures


def walk_lesson(window, app, keys, errors, lesson, counters):
    """Walk one lesson; returns the walk, its opening's seconds (None if it broke off) and,
    for lesson 3, the counts. Trouble in the benchmark itself is a failure of the lesson."""
    walk, parts = Walk(window, app, keys, errors, lesson), None
    if lesson.name == COUNTED_LESSON:
        parts = PhaseCounts(counters)
        walk.mark = parts.mark
    try:
        opened = walk.run()
        return walk, opened, parts and parts.figures(walk)
    except Exception as err:
        walk.mark(None)
        walk.fail(f"walk stopped: {type(err).__name__}: {err}")
        traceback.print_exc()
        try:
            window.lessons.leave()
        except Exception:
            pass
        return walk, None, parts and parts.figures(walk)


def lesson_figures(walk, opened, per_lesson_peak) -> dict:
    rss, peak = proc_status_mb("VmRSS"), proc_status_mb("VmHWM")
    if per_lesson_peak:
        reset_peak()
    return {"lesson": walk.lesson.name, "steps": len(walk.lesson.steps),
            "opening_ms": opened and opened * 1e3,
            "page_down": stats(walk.down), "page_up": stats(walk.up),
            "rss_mb_after": rss, "peak_rss_mb": peak, "failures": walk.failures,
            "page_down_ms": [t * 1e3 for t in walk.down],
            "page_up_ms": [t * 1e3 for t in walk.up]}


def walk_all(window, app, lessons) -> dict:
    errors, keys = SlotErrors(), Keys(window, app)
    counters = {"engine_steps": stepper_counter(), "pages": inspector_counter(window)}
    for key, action in keys.actions.items():
        if action is None:
            print(f"no action has the shortcut {key}: the key event alone is sent")
    print(header())
    results, all_down, all_up, counted = [], [], [], None
    peaks = [proc_status_mb("VmHWM")]          # before the lessons: the window's start
    per_lesson_peak = reset_peak()
    for lesson in lessons:
        print(f"{lesson.name} ...", flush=True)
        walk, opened, counts = walk_lesson(window, app, keys, errors, lesson, counters)
        counted = counts or counted
        settle(app, 0.3)
        r = lesson_figures(walk, opened, per_lesson_peak)
        results.append(r)
        peaks.append(r["peak_rss_mb"])
        all_down += walk.down
        all_up += walk.up
        print(row(lesson.name, r["steps"], r["page_down"], r["page_up"], r["rss_mb_after"],
                  r["peak_rss_mb"] if per_lesson_peak else None, len(walk.failures)),
              f" opening {fmt(r['opening_ms'])}", flush=True)
    peak = max((p for p in peaks if p is not None), default=None)
    overall = {"page_down": stats(all_down), "page_up": stats(all_up),
               "worst_ms": max(all_down + all_up) * 1e3 if all_down + all_up else None,
               "peak_rss_mb": peak, "per_lesson_peak": per_lesson_peak}
    print(row("all lessons", sum(r["steps"] for r in results), overall["page_down"],
              overall["page_up"], None, peak, sum(len(r["failures"]) for r in results)))
    print("(RSS: resident memory after the lesson; peak: VmHWM during it"
          + ("" if per_lesson_peak else ", not per lesson here: /proc/self/clear_refs refused")
          + "; the start-up's peak counts in the overall peak)")
    if keys.fallbacks:
        print(f"\n{keys.fallbacks} presses did not reach the action as key events: the "
              "action was triggered instead")
    return {"lessons": results, "overall": overall, "lesson3_counts": counted,
            "key_fallbacks": keys.fallbacks}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    lessons = chosen_lessons(args.lessons)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = build_window(app)
    print(f"window {window.width()}x{window.height()}, presentation "
          f"{getattr(window, 'presentation', '?')}, {len(lessons)} lessons\n")
    idle = idle_repaint(window, app)
    print(f"baseline, a repaint with no key pressed (default example): median "
          f"{fmt(idle['median_ms'])}, max {fmt(idle['max_ms'])}\n")
    figures = walk_all(window, app, lessons)
    counted, overall = figures["lesson3_counts"], figures["overall"]
    if counted is not None:
        report_counts(counted)
    elif COUNTED_LESSON in [lesson.name for lesson in lessons]:
        print(f"\n{COUNTED_LESSON}: counts not measured")
    figures["goals"] = report_goals(overall["page_down"], overall["page_up"],
                                    overall["worst_ms"], overall["peak_rss_mb"], counted,
                                    sum(len(r["failures"]) for r in figures["lessons"]))
    if args.json:
        figures.update(date=time.strftime("%Y-%m-%d %H:%M"), size=SIZE, idle_repaint=idle)
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
        print(f"\nfigures written to {args.json}")
    from bpviz.gui.app import stop_workers
    stop_workers(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
