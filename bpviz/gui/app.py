"""The ``bpviz`` command: start the app, or render a screenshot, or run a self-test.

    bpviz [FILE] [--example NAME] [--tab NAME] [--screenshot PNG [--size WxH]]
          [--presentation] [--theme light|dark|high-contrast] [--self-test]
          [--lesson NAME [--step K]] [--session FILE] [--loss NAME]

FILE is opened by what it holds: a graph, a lesson (as --lesson), a session (as --session),
or an ONNX model (converted by bpviz.interop, opened as a new graph with the loss --loss
names, or the one the user picks when asked as File ▸ Open asks; --screenshot never asks:
without --loss the network is shown without a loss).
Bad arguments: one line on stderr and exit code 2. A file or name that cannot be used: the
same line, and a dialog saying it where a window would have shown; exit code 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_EXAMPLE = "fc_softmax_ce"
SCREENSHOT_SIZE = (1440, 900)
PROJECTOR_SIZE = (1280, 720)            # --presentation --screenshot: a common projector
SIZE_LIMITS = ((320, 240), (7680, 4320))


def window_size(text: str) -> tuple[int, int]:
    """'1280x720' → (1280, 720); argparse turns the ValueError into a one-line error."""
    (wmin, hmin), (wmax, hmax) = SIZE_LIMITS
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is not WIDTHxHEIGHT, e.g. 1280x720")
    if not (wmin <= int(w) <= wmax and hmin <= int(h) <= hmax):
        raise argparse.ArgumentTypeError(
            f"'{text}' is outside {wmin}x{hmin} to {wmax}x{hmax}")
    return int(w), int(h)


def positive_int(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError(f"'{text}' is not a step number (1, 2, ...)")
    return int(text)


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"bpviz: {message}\n")


def parse_args(argv):
    from .shell.main_window import TABS

    p = ArgumentParser(prog="bpviz", description="Make back-propagation visible.")
    p.add_argument("file", nargs="?",
                   help="a file to open: a graph, a lesson, a session (what it holds decides) "
                        "or an ONNX model (.onnx)")
    p.add_argument("--example", metavar="NAME", help="open resources/examples/NAME.bpviz.json")
    p.add_argument("--tab", choices=TABS, help="the tab to show first")
    p.add_argument("--screenshot", metavar="PNG", help="render the window to PNG and exit")
    p.add_argument("--size", type=window_size, metavar="WxH",
                   help="the screenshot's size (default 1440x900, presentation 1280x720)")
    p.add_argument("--presentation", action="store_true", help="full screen, large type")
    p.add_argument("--theme", choices=("light", "dark", "high-contrast"))
    p.add_argument("--self-test", action="store_true",
                   help="build the window, run one pass of an example, print JSON, exit")
    p.add_argument("--lesson", metavar="NAME",
                   help="start a lesson: a name from the Lessons menu or a .lesson.json file")
    p.add_argument("--step", type=positive_int, metavar="K",
                   help="go to step K (from 1) of the lesson")
    p.add_argument("--session", metavar="FILE",
                   help="open a saved session (.bpviz-session.json): its graph, data, step, "
                        "tab, labs and lesson")
    p.add_argument("--loss", metavar="NAME",
                   help="with an ONNX model FILE: the loss to put over its output "
                        "(CrossEntropyLoss, MSELoss ... or none); asked when not given, none "
                        "with --screenshot")
    args = p.parse_args(argv)
    if args.file and args.example:
        p.error("give a FILE or --example, not both")
    route_file(args, p)
    if args.session and (args.file or args.example or args.lesson or args.onnx):
        p.error("--session brings its own graph and lesson: not with FILE, --example or "
                "--lesson")
    if args.step and not args.lesson:
        p.error("--step goes with --lesson")
    if args.size and not args.screenshot:
        p.error("--size goes with --screenshot")
    if args.loss is not None:
        args.loss = loss_name(args.loss, p) if args.onnx else p.error(
            "--loss goes with an ONNX model FILE")
    return args


def loss_name(text: str, parser) -> str:
    """--loss NAME as bpviz spells it, any case; "" for none."""
    from ..interop.onnx_import import losses

    names = {name.lower(): name for name in losses()} | {"none": ""}
    if text.lower() not in names:
        parser.error(f"--loss: unknown loss '{text}' (choose from {', '.join(losses())} "
                     f"or none)")
    return names[text.lower()]


def route_file(args, parser) -> None:
    """FILE by what it holds: a lesson goes where --lesson would, a session where
    --session would, an ONNX model to ``args.onnx``; a graph stays ``args.file``."""
    from ..core.teaching.file_kind import LESSON, ONNX, SESSION, file_kind

    args.onnx = None
    kind = args.file and file_kind(args.file)
    if kind == LESSON:
        if args.lesson:
            parser.error("give a lesson FILE or --lesson, not both")
        args.lesson, args.file = args.file, None
    elif kind == SESSION and not args.session:     # (with --session: refused below)
        args.session, args.file = args.file, None
    elif kind == ONNX:
        args.onnx, args.file = args.file, None


GUARD_LATEST_MS = 1000  # the wheel guard is back by then (run_event_loop)
MAX_LINE = 290          # characters of a message on stderr, after "bpviz: "


def fail(message: str) -> int:
    """One line on stderr, however long the message (it may quote a file)."""
    line = " ".join(message.split())
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE - 1] + "…"
    print(f"bpviz: {line}", file=sys.stderr)
    return 2


def initial_document(window, args) -> str | None:
    """Load what the command line asks for; returns an error message or None."""
    from ..core import GraphError
    from ..paths import example_path

    try:
        if args.file:
            window.document.open(args.file)
        elif args.onnx:
            loss = onnx_loss(window, args)
            if loss is None:                           # the question was cancelled
                window.document.open_example(example_path(DEFAULT_EXAMPLE))
                window.say(f"{Path(args.onnx).name} not opened: no loss was chosen")
                return None
            window.document.set_graph(import_onnx(args.onnx, loss), None)
        else:
            window.document.open_example(example_path(args.example or DEFAULT_EXAMPLE))
    except (GraphError, FileNotFoundError, ValueError) as err:
        return str(err)
    return None


def onnx_loss(window, args) -> str | None:
    """The loss for an ONNX FILE ("" for none): --loss's; with --screenshot none (nothing
    may wait for a click); else asked as File ▸ Open asks. None: the question was
    cancelled."""
    if args.loss is not None:
        return args.loss
    if args.screenshot:
        return ""
    return window.files.models.ask_loss(Path(args.onnx).name)


def import_onnx(path, loss: str = ""):
    """An ONNX model as a new, unsaved graph (bpviz.interop) with ``loss`` over its output
    ("" for none); GraphError saying why not."""
    from ..core import GraphError
    from ..interop import load_onnx

    try:
        return load_onnx(path, loss or None)
    except ImportError as err:               # a build without the onnx package
        raise GraphError(f"reading ONNX models needs the onnx package ({err})") from None


def window_icon():
    """bpviz's icon at every size it ships (resources/icons), for the window and the task bar."""
    from PySide6.QtGui import QIcon

    from ..paths import icons_dir

    icon = QIcon()
    for png in sorted(icons_dir().glob("hicolor/*/apps/bpviz.png")):
        icon.addFile(str(png))
    return icon


def import_model_first() -> None:
    """numpy and the Qt-free model, imported before anything imports PySide6: PySide6 reads
    the source of every module imported after it (shibokensupport's feature check looks for
    "PySide6" in it), which cost 50-60 ms of CPU at start-up for numpy's modules alone."""
    from ..core import classroom  # noqa: F401


def main(argv=None) -> int:
    import_model_first()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = missing_display()
    if problem:                              # Qt would abort (rc 134) with a misleading line
        return fail(problem)
    scratch = None
    if args.self_test:                       # write nothing outside a temp dir, removed after
        scratch = tempfile.TemporaryDirectory(prefix="bpviz-self-test-")
        os.environ["BPVIZ_CONFIG_DIR"] = scratch.name
    started = time.perf_counter()
    app = application(args)
    from .widgets import wheel_style
    wheel_style.suspend(app)                 # not while the window is built: run_event_loop
    from .shell.main_window import MainWindow
    window = MainWindow(app.property("bpviz_theme"), presentation=False)
    size = args.size or (PROJECTOR_SIZE if args.presentation else SCREENSHOT_SIZE)
    if args.screenshot:       # its size from the start: the window fitted to a small screen
        window.resize(*size)  # is narrower than presentation's type, and so not full screen
    if args.self_test:
        from .shell.self_test import run_self_test
        wheel_style.resume(app)
        return run_self_test(window, app, scratch)
    from .shell.error_reporter import ErrorReporter
    reporter = ErrorReporter(window)
    reporter.install(dialogs=False)      # a slot's fault while events are processed: kept
    try:
        problem = open_asked(window, args)
        if problem:
            return refuse(problem, args)
        if args.screenshot:
            code = screenshot(window, app, Path(args.screenshot), size)
            if not reporter.pending:
                return code
            return fail(f"internal error: {reporter.pending[0]} (details in {reporter.path})")
    except Exception as err:             # no event loop yet: one line, the details in the log
        path = reporter.log(type(err), err, err.__traceback__)
        return fail(f"internal error: {type(err).__name__}: {err} (details in {path})")
    finally:
        reporter.uninstall()             # run_event_loop installs it again, with dialogs
    if os.environ.get("BPVIZ_STARTUP_TIMING"):   # benchmarks/startup.py
        report_first_paint(window, app, started)
    # a lesson or session asked for on the command line is not put off for the last one
    return run_event_loop(app, window, reporter, lesson=not (args.lesson or args.session))


def missing_display() -> str | None:
    """On Linux, why no window can open: no X11 or Wayland display for the platform Qt will
    use. None where one is set, elsewhere, or with a platform that needs none (offscreen)."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    needs = {"": ("DISPLAY", "WAYLAND_DISPLAY"), "xcb": ("DISPLAY",),
             "wayland": ("WAYLAND_DISPLAY",)}.get(platform, ())
    if not needs or any(os.environ.get(name) for name in needs):
        return None
    return ("no display to open a window on: set DISPLAY (or run under xvfb-run), or "
            "QT_QPA_PLATFORM=offscreen for --self-test and --screenshot")


def application(args):
    """The QApplication, named, with the icon and the theme (its name kept as a property)."""
    from PySide6.QtWidgets import QApplication

    from .config.settings import setting
    from .theme import THEMES, apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication), "a QCoreApplication made before bpviz's"
    app.setApplicationName("bpviz")
    app.setOrganizationName("bpviz")
    app.setWindowIcon(window_icon())
    app.setDesktopFileName("bpviz")      # Wayland finds the icon through bpviz.desktop
    theme = args.theme or setting("theme", str, "light")
    theme = theme if theme in THEMES else "light"
    apply_theme(app, THEMES[theme], args.presentation)
    app.setProperty("bpviz_theme", theme)
    return app


def open_asked(window, args) -> str | None:
    """The graph, session, tab and lesson the command line asks for; what went wrong."""
    problem = named(initial_document(window, args), args.file or args.onnx)
    problem = problem or named(
        args.session and window.files.sessions.open(args.session, ask=False), args.session)
    if problem:
        return problem
    if args.tab:
        window.show_tab(args.tab)
    if args.presentation:
        window.set_presentation(True)
    return named(args.lesson and window.lessons.open(args.lesson, (args.step or 1) - 1,
                                                     ask=False), args.lesson)


def named(problem: str | None, file: str | None) -> str | None:
    """``problem`` naming ``file`` (a reader's message may give only the reason)."""
    if problem and file and Path(file).name not in problem:
        return f"cannot open '{file}': {problem}"
    return problem


def refuse(problem: str, args) -> int:
    """What cannot be used: one line on stderr; and a dialog saying the same where a window
    would have shown (a double-clicked file has no terminal)."""
    if not args.screenshot:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, "bpviz cannot open this",
                          " ".join(problem.split()))
        box.setTextFormat(Qt.TextFormat.PlainText)        # a file's text, as written
        box.exec()
    return fail(problem)


def after_first_paint(window, then) -> None:
    """``then()`` once, at the first paint event of the window's canvas."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                then()
            return False

    window.view.viewport().installEventFilter(FirstPaint(window))      # kept by its parent


def report_first_paint(window, app, started: float) -> None:
    """Print the seconds from main() to the canvas's first paint, then quit."""
    from PySide6.QtCore import QTimer

    def painted() -> None:
        print(f"painted {time.perf_counter() - started:.4f}", flush=True)
        QTimer.singleShot(0, app.quit)

    after_first_paint(window, painted)


def run_event_loop(app, window, reporter, lesson: bool = True) -> int:
    """``lesson``: offer to continue the lesson that the last start left."""
    from PySide6.QtCore import QTimer

    from .widgets.wheel_style import resume

    window.show()
    # the wheel's guard, held off while the window was built, once the canvas is painted
    # (or after GUARD_LATEST_MS, should it never be: a window started minimised)
    after_first_paint(window, lambda: QTimer.singleShot(0, lambda: resume(app)))
    QTimer.singleShot(GUARD_LATEST_MS, lambda: resume(app))
    QTimer.singleShot(0, lambda: window.check_left_work(lesson))
    reporter.install()                   # from here on, faults become a dialog
    try:
        return app.exec()
    finally:
        reporter.uninstall()
        stop_workers(window)


def stop_workers(window) -> None:
    """Let the Jacobian views' worker finish its pass before the widgets go, and the
    Classroom's background drawing of weights and a loss-surface slice end before the app
    does."""
    from .widgets.row_filler import stop_workers as stop
    from .widgets.threads import Worker
    stop()
    Worker.stop_all()                    # the chain rule's: no result after the widgets go
    window.classroom.close()
    surfaces = sys.modules.get("bpviz.gui.labs.surface_panel")    # loaded with the lab
    for panel in window.findChildren(surfaces.SurfacePanel) if surfaces else ():
        panel.stop()


def screenshot(window, app, path: Path, size: tuple[int, int]) -> int:
    """Render the window at ``size``. Presentation mode keeps its type and lines but not
    full screen: offscreen, full screen is the fake screen's size, not a projector's."""
    from PySide6.QtCore import Qt

    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(*size)
    window.show()
    for _ in range(3):
        app.processEvents()
    from .widgets.lazy import LazyPanel
    page = window.tabs.currentWidget()
    if isinstance(page, LazyPanel):   # built now: the grab must not catch "Loading…"
        page.panel.show()
        app.processEvents()
    window.view.fit()
    app.processEvents()
    saved = window.grab().save(str(path))
    stop_workers(window)
    if not saved:
        return fail(f"cannot write the screenshot to '{path}'")
    print(f"bpviz: screenshot written to {path}")
    return 0
