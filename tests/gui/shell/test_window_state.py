"""The window between starts: it fits the screen, a second instance opens beside the first,
the layout saved is the user's (not what --tab, --presentation or a lesson put on screen),
and a lesson left by a quit or a crash is offered at the next start.

Starts are subprocesses (a second QApplication in one process aborts) on a fake screen:
the offscreen platform reads its screens from a JSON file (``configfile``)."""
import json
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QMessageBox

from bpviz.gui.config.settings import recovery_path, settings
from bpviz.gui.lessons.bookmark import LessonBookmark
from bpviz.gui.shell import main_window as mw
from bpviz.gui.shell.window_layout import CASCADE, FRAME, cascaded, fit

HUNG = 300               # an upper bound for a hung process, not a guess of this machine's speed
LAPTOP = (1366, 768)
DESK = (1920, 1200)

# One start of bpviz (app.main, its event loop included) that, once the start-up questions
# are answered, runs the test's code with ``win`` (the MainWindow), prints a report and
# quits; or, with WAIT, stays open until a line arrives (or it is killed).
START = textwrap.dedent("""\
    import json, os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    from bpviz.gui import app as bpviz_app
    from bpviz.gui.shell.main_window import MainWindow
    asked = []
    MainWindow.ask_continue_lesson = (lambda self, title, step: asked.append([title, step])
                                      or os.environ.get("CONTINUE") == "yes")
    MainWindow.ask_restore = lambda self, record: asked.append(["restore"]) or True

    def then():
        win = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        if not win.bookmark.following:             # the start-up questions come first
            QTimer.singleShot(10, then)
            return
        opened_at = win.geometry().getRect()
        exec(os.environ.get("DO", ""))
        app.processEvents()
        docks = {name: dock.isVisible() for name, dock in win.docks.items()}
        print(json.dumps({"opened_at": opened_at, "geometry": win.geometry().getRect(),
                          "frame": win.frameGeometry().getRect(),
                          "screen": win.screen().availableGeometry().getRect(),
                          "docks": docks, "lesson_strip": win.lessons.dock.isVisible(),
                          "lesson": win.lessons.active and [win.lessons.lesson.name,
                                                            win.lessons.index],
                          "asked": asked}), flush=True)
        if os.environ.get("WAIT"):
            sys.stdin.readline()
        win.close()

    QTimer.singleShot(0, then)
    sys.exit(bpviz_app.main(sys.argv[1:]))
    """)


def screen_file(tmp_path, size) -> str:
    path = tmp_path / f"screen-{size[0]}x{size[1]}.json"
    path.write_text(json.dumps({"screens": [{"name": "fake", "x": 0, "y": 0, "width": size[0],
                                             "height": size[1], "logicalDpi": 96,
                                             "dpr": 1}]}))
    return str(path)


def env_for(tmp_path, screen, **extra):
    platform = f"offscreen:configfile={screen_file(tmp_path, screen)}"
    return dict(os.environ, QT_QPA_PLATFORM=platform, HOME=str(tmp_path / "home"),
                BPVIZ_CONFIG_DIR=str(tmp_path / "config"), **extra)


def start(tmp_path, args=(), screen=LAPTOP, do="", **extra) -> dict:
    """Start bpviz, run ``do`` (Python, with ``win``), quit; its report."""
    result = subprocess.run([sys.executable, "-c", START, *args], capture_output=True,
                            text=True, cwd=tmp_path, timeout=HUNG,
                            env=env_for(tmp_path, screen, DO=do, **extra))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def running(tmp_path, args=(), screen=LAPTOP, do="", **extra):
    """A bpviz that stays open after its report (the test ends or kills it); the process
    and its report."""
    proc = subprocess.Popen([sys.executable, "-c", START, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                            env=env_for(tmp_path, screen, DO=do, WAIT="1", **extra))
    line = proc.stdout.readline()
    assert line, "the first instance ended before its report"
    return proc, json.loads(line)


def inside(frame, screen) -> bool:
    return QRect(*screen).contains(QRect(*frame))


# --- fitting the screen ---------------------------------------------------------------------
def test_fit_shrinks_and_moves_a_rect_into_the_room():
    room = QRect(0, 0, *LAPTOP).marginsRemoved(FRAME)
    first = fit(QRect(0, 0, 1280, 800), room)
    assert room.contains(first) and first.size().toTuple() == (1280, room.height())
    from_desk = fit(QRect(600, 350, 1800, 1100), room)         # saved on a larger screen
    assert from_desk == room
    kept = QRect(100, 100, 800, 500)
    assert fit(kept, room) == kept                              # what fits is left alone
    assert fit(QRect(-300, 900, 800, 500), room) == QRect(room.left(), room.bottom() - 499,
                                                          800, 500)


def test_an_instance_slot_moves_the_window_down_and_right():
    room = QRect(0, 40, 1366, 724)
    base = QRect(100, 100, 800, 500)
    assert cascaded(base, room, 0) == base
    assert cascaded(base, room, 1) == base.translated(CASCADE, CASCADE)
    assert cascaded(base, room, 2) == base.translated(2 * CASCADE, 2 * CASCADE)
    whole = cascaded(room, room, 1)                             # a window as large as the
    assert whole.topLeft() == room.translated(CASCADE, CASCADE).topLeft()   # screen: smaller
    assert room.contains(whole) and whole.width() == room.width() - CASCADE
    corner = QRect(room.right() - 99, room.bottom() - 99, 100, 100)
    assert cascaded(corner, room, 1) == corner.translated(-CASCADE, -CASCADE)


def test_the_first_start_fits_a_768_px_screen(tmp_path):
    report = start(tmp_path)
    assert report["screen"] == [0, 0, *LAPTOP]
    assert inside(report["frame"], report["screen"])
    assert report["geometry"][2] == 1280 and report["geometry"][3] < 768 - FRAME.top()


def test_a_size_saved_on_a_larger_screen_fits_a_smaller_one(tmp_path):
    desk = start(tmp_path, screen=DESK, do="win.setGeometry(50, 60, 1800, 1100)")
    assert desk["geometry"] == [50, 60, 1800, 1100]
    again = start(tmp_path, screen=DESK)
    assert again["geometry"] == [50, 60, 1800, 1100]                    # remembered
    laptop = start(tmp_path, screen=LAPTOP)
    assert inside(laptop["frame"], laptop["screen"])
    assert laptop["geometry"][2:] == [LAPTOP[0] - FRAME.left() - FRAME.right(),
                                      LAPTOP[1] - FRAME.top() - FRAME.bottom()]


def test_a_second_instance_opens_offset_from_the_first(tmp_path):
    start(tmp_path, do="win.setGeometry(100, 100, 900, 600)")
    first, mine = running(tmp_path)
    try:
        assert mine["geometry"] == [100, 100, 900, 600]
        other = start(tmp_path, do="win.setGeometry(400, 300, 800, 400)")
        assert other["opened_at"] == [100 + CASCADE, 100 + CASCADE, 900, 600]
        # the second instance's place is not saved: no drift from start to start
        assert settings().value("window_geometry") == QRect(100, 100, 900, 600)
    finally:
        first.communicate("\n", timeout=HUNG)
    assert start(tmp_path)["geometry"] == [100, 100, 900, 600]


# --- the user's layout, not the command line's or a lesson's ---------------------------------
@pytest.mark.parametrize("args", [["--tab", "losses"],
                                  # the augmentation demo, on the Training tab
                                  ["--lesson", "08_alexnet_case_study", "--step", "2"]])
def test_another_tab_then_a_plain_start_keeps_the_docks(tmp_path, args):
    elsewhere = start(tmp_path, args)
    assert not any(elsewhere["docks"].values())          # the docks belong to the Backprop tab
    plain = start(tmp_path)
    assert plain["docks"] == {"palette": True, "properties": True, "inspector": True,
                              "problems": True, "training": False}


def test_presentation_and_a_lesson_from_the_command_line_are_not_saved(tmp_path):
    start(tmp_path, do="win.setGeometry(80, 90, 1000, 600)")
    start(tmp_path, ["--presentation", "--lesson", "06_gradient_descent_momentum", "--step",
                     "8"], do="assert win.docks['training'].isVisible(); "
                              "win.docks['palette'].hide()")
    plain = start(tmp_path)
    assert plain["geometry"] == [80, 90, 1000, 600]
    assert plain["docks"]["palette"] and not plain["docks"]["training"]
    assert not plain["lesson_strip"]


def closed_and_started_again(qtbot, window):
    assert window.close()
    again = mw.MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    return again


@pytest.mark.parametrize("leave", [True, False])
def test_update_and_train_opened_by_a_lesson_is_not_saved(qtbot, window, leave):
    assert not window.docks["training"].isVisible()
    assert window.lessons.open("06_gradient_descent_momentum", 7, ask=False) == ""
    assert window.docks["training"].isVisible() and window.lessons.dock.isVisible()
    if leave:                     # leaving gives the docks back, as the graph and the tab
        window.lessons.leave()
        assert not window.docks["training"].isVisible()
    again = closed_and_started_again(qtbot, window)
    assert not again.docks["training"].isVisible() and not again.lessons.dock.isVisible()
    assert again.docks["problems"].isVisible() and again.docks["inspector"].isVisible()


def test_the_users_own_update_and_train_is_kept(qtbot, window):
    window.show_training()
    window.lessons.open("02_chain_rule", ask=False)
    window.lessons.leave()
    assert window.docks["training"].isVisible()
    assert closed_and_started_again(qtbot, window).docks["training"].isVisible()


def test_docks_closed_in_presentation_mode_come_back_at_the_desk(qtbot, window):
    window.set_presentation(True)
    window.docks["palette"].hide()
    again = closed_and_started_again(qtbot, window)
    assert again.docks["palette"].isVisible()


# --- the lesson's place -------------------------------------------------------------------
def answering(window, answer: bool) -> list:
    asked = []
    window.ask_continue_lesson = lambda title, step: asked.append((title, step)) or answer
    return asked


def test_quitting_mid_lesson_offers_its_step_at_the_next_start(qtbot, window):
    window.check_left_work()                   # as app.py does: from now on, kept
    assert window.lessons.open("01_one_layer", 2, ask=False) == ""
    window.lessons.go(3)
    assert settings().value("lesson_place")
    again = closed_and_started_again(qtbot, window)
    asked = answering(again, True)
    again.check_left_work()
    assert asked == [(again.lessons.lesson.title, 4)]
    assert again.lessons.active and again.lessons.index == 3
    # a lesson left on purpose is not offered again
    again.lessons.leave()
    assert LessonBookmark(again.lessons, 0).place() is None
    third = closed_and_started_again(qtbot, again)
    asked = answering(third, True)
    third.check_left_work()
    assert asked == [] and not third.lessons.active


def test_a_declined_lesson_is_not_asked_again(qtbot, window):
    window.check_left_work()
    window.lessons.open("02_chain_rule", 1, ask=False)
    again = closed_and_started_again(qtbot, window)
    asked = answering(again, False)
    again.check_left_work()
    assert len(asked) == 1 and not again.lessons.active
    third = closed_and_started_again(qtbot, again)
    asked = answering(third, True)
    third.check_left_work()
    assert asked == [] and not third.lessons.active


@pytest.mark.parametrize("stored", ["{broken", "[1, 2]", '{"lesson": 3, "step": 1}',
                                    '{"lesson": "01_one_layer", "step": "2"}',
                                    '{"lesson": "no_such_lesson", "step": 1}'])
def test_a_bad_or_gone_lesson_place_is_forgotten_without_a_question(window, stored):
    settings().setValue("lesson_place", stored)
    asked = answering(window, True)
    window.check_left_work()
    assert asked == [] and not window.lessons.active


def test_after_a_kill_mid_lesson_the_graph_and_then_the_lesson_are_offered(qtbot, tmp_path,
                                                                          config_dir):
    do = ("win.editor.add_op('Sigmoid'); assert win.document.write_recovery(); "
          "win.lessons.open('01_one_layer', 1, ask=False); win.lessons.next()")
    crashed, report = running(tmp_path, ["--example", "spirals_mlp"], do=do)
    crashed.kill()                                          # kill -9 mid-lesson
    crashed.wait(timeout=HUNG)
    assert report["lesson"] == ["01_one_layer", 2]
    assert recovery_path().is_file()
    window = mw.MainWindow()
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard       # when the test closes it
    asked = answering(window, True)
    window.ask_restore = lambda record: asked.append("restore") or True
    window.check_left_work()
    assert asked[0] == "restore" and asked[1][1] == 3        # the graph first, then step 3
    assert window.lessons.active and window.lessons.index == 2
    window.lessons.leave()                                   # the recovered graph comes back
    assert "sigmoid1" in window.document.graph.nodes and window.document.modified


def test_a_start_after_a_quit_mid_lesson_continues_it(tmp_path):
    quit_mid_lesson = start(tmp_path, do="win.lessons.open('02_chain_rule', 2, ask=False)")
    assert quit_mid_lesson["lesson"] == ["02_chain_rule", 2]
    again = start(tmp_path, CONTINUE="yes")
    assert [step for _title, step in again["asked"]] == [3]
    assert again["lesson"] == ["02_chain_rule", 2] and again["lesson_strip"]


# --- the first start's canvas ------------------------------------------------------------
NETWORK_SHOWN = """
import time
for _ in range(20):                       # the docks are sized once the loop runs
    app.processEvents()
    time.sleep(0.02)
view = win.view
shown = view.mapToScene(view.viewport().rect()).boundingRect()
outside = []                              # (exec's locals: no comprehension sees them)
for name, item in view.scene().nodes.items():
    if not shown.contains(item.sceneBoundingRect()):
        outside.append(name)
print(json.dumps({"canvas": [view.viewport().width(), view.viewport().height()],
                  "outside": outside,
                  "text_px": view.text_px(),
                  "docks": [win.docks["palette"].width(),
                            win.docks["properties"].width()]}), flush=True)
"""


@pytest.mark.parametrize("screen", [LAPTOP, (1440, 900)], ids=["1366x768", "1440x900"])
def test_the_first_start_shows_the_whole_network_at_a_readable_size(tmp_path, screen):
    """A 1366x768 laptop's first window is 1280x724: the Layers palette and Properties
    (170 + 380 px) left the canvas 716 px, and fc_softmax_ce, 860 px wide at 11 px text,
    was cut on the right. They start narrower where the canvas needs it."""
    result = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                            cwd=tmp_path, timeout=HUNG,
                            env=env_for(tmp_path, screen, DO=NETWORK_SHOWN))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if '"canvas"' in line]
    seen = lines[0]
    assert seen["outside"] == [] and seen["text_px"] >= 11, seen
    assert seen["docks"][0] >= 130 and seen["docks"][1] >= 240, seen


DOCKS_REGROW = """
import time
from PySide6.QtCore import Qt
seen = {}                                 # (exec's locals: no function defined here sees them)
for label, size, width in [("first", None, None), ("grown", (1900, 1050), None),
                           (None, None, 300), (None, (1280, 724), None),
                           ("regrown", (1900, 1050), None)]:
    if size:                              # the laptop's window moved to a large screen...
        win.resize(*size)
    if width:                             # ...where the user drags Properties to 300 px
        from bpviz.gui.shell import dock_widths
        dock_widths.dragging = lambda: True
        win.resizeDocks([win.docks["properties"]], [width], Qt.Orientation.Horizontal)
        app.processEvents()
        dock_widths.dragging = lambda: False
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    if label:
        seen[label] = [win.docks["palette"].width(), win.docks["properties"].width()]
print(json.dumps(seen), flush=True)
"""


def test_docks_narrowed_for_a_laptop_get_their_width_back_on_a_large_screen(tmp_path):
    """The first start on a 1366x768 laptop narrows the Layers palette (a smaller window,
    Properties too) for the canvas; on a larger window they get their first-start widths
    back (in Properties, a 4x4 Jacobian's numbers fit again), but a width the user gave
    a dock is kept."""
    result = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                            cwd=tmp_path, timeout=HUNG,
                            env=env_for(tmp_path, LAPTOP, DO=DOCKS_REGROW))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads([line for line in result.stdout.splitlines() if '"first"' in line][0])
    assert seen["first"][0] < 170, seen                   # narrowed for the laptop
    assert seen["grown"] == [170, 380], seen
    assert seen["regrown"] == [170, 300], seen            # the user's width, not 380
