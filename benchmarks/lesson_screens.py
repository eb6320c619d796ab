"""Screenshots of lesson steps as the class sees them: 1280x720, presentation mode, light
theme, each step before and after its reveal (issue 20's "look at it" check).

    python benchmarks/lesson_screens.py OUT_DIR [--lesson 03_backprop_layers] [--steps 5,6]
                                        [--size 1280x720] [--theme light]

Writes OUT_DIR/<lesson>_<step>_before.png and, for steps with a question or reveal,
OUT_DIR/<lesson>_<step>_after.png, and prints one line per file. Each lesson is played in
one window, step after step, as a lecturer plays it (Page Down, answers revealed), and left
at its end before the next one starts.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def settle(app, seconds: float = 0.4) -> None:
    """Let queued paints, timers and lazy panels finish before the grab."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()


def open_window(app, size: tuple[int, int], theme: str):
    from PySide6.QtCore import Qt

    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.gui.theme import THEMES, apply_theme
    from bpviz.paths import example_path
    apply_theme(app, THEMES[theme], True)
    window = MainWindow(theme, presentation=False)
    window.document.open_example(example_path("fc_softmax_ce"))
    window.set_presentation(True)
    window.show()
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(*size)
    settle(app, 0.2)
    return window


def grab(app, window, path: Path) -> None:
    from bpviz.gui.widgets.lazy import LazyPanel
    page = window.tabs.currentWidget()
    if isinstance(page, LazyPanel):
        page.panel.show()
    settle(app)
    window.grab().save(str(path))
    print(path, flush=True)


def play(app, window, lesson: str, steps: set[int] | None, out: Path) -> int:
    """Every chosen step of one lesson, before and after its reveal; the number of steps."""
    from bpviz.gui.lessons.controller import find_lesson
    count = len(find_lesson(lesson).steps)
    for number in range(1, count + 1):
        if steps and number not in steps:
            continue
        problem = window.lessons.open(lesson, number - 1, ask=False)
        if problem:
            print(f"{lesson} step {number}: {problem}", file=sys.stderr)
            return 0
        grab(app, window, out / f"{lesson}_{number:02d}_before.png")
        step = window.lessons.lesson.steps[number - 1]
        if step.question is not None or step.reveal:
            window.lessons.next()
            grab(app, window, out / f"{lesson}_{number:02d}_after.png")
    # as a lecturer ends it (Page Down past the last step): the next lesson starts from
    # the user's window, not from this one's panels (a lesson started from inside another
    # keeps the other's Update & Train dock: lesson 2's stayed over all of lesson 3)
    window.lessons.leave()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lesson", action="append", help="a lesson name (default: all)")
    parser.add_argument("--steps", help="step numbers from 1, comma separated")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--theme", default="light")
    args = parser.parse_args(argv)
    # the settings of the user's own bpviz are not touched, and no folder is left behind
    with tempfile.TemporaryDirectory(prefix="bpviz-screens-") as config:
        os.environ.setdefault("BPVIZ_CONFIG_DIR", config)
        return shoot(args)


def shoot(args) -> int:
    from PySide6.QtWidgets import QApplication

    from bpviz.core.teaching.lessons import lessons_in
    from bpviz.gui.app import stop_workers
    from bpviz.paths import lessons_dir
    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(part) for part in args.size.lower().split("x"))
    steps = {int(part) for part in args.steps.split(",")} if args.steps else None
    names = args.lesson or [lesson.name for lesson in lessons_in(lessons_dir())[0]]
    app = QApplication(sys.argv[:1])
    window = open_window(app, (width, height), args.theme)
    try:
        for name in names:
            play(app, window, name, steps, args.out)
    finally:
        stop_workers(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
