"""The real screen-reader path (issue 21 item 8): bpviz under Xvfb with the AT-SPI bus, driven
through AT-SPI by tests/gui/atspi_walk.py — a lesson played to its end and left, and a
backward step taken, with the keyboard alone and every control found by its accessible
name. Skips where a piece is missing: Xvfb, dbus-run-session, the AT-SPI bus launcher
(at-spi2-core), or a Python with PyGObject's Atspi (python3-gi, gir1.2-atspi-2.0; the
venv has none: BPVIZ_ATSPI_PYTHON names one, else /usr/bin/python3 is tried)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
WALK = Path(__file__).with_name("atspi_walk.py")
RUN = """
{launcher} --launch-immediately >/dev/null 2>&1 &
bus=$!
sleep 1
"{app_python}" -m bpviz --lesson 01_one_layer >"{log}" 2>&1 &
app=$!
timeout 150 "{walk_python}" "{walk}" 2>/dev/null
rc=$?
kill $app $bus 2>/dev/null
wait 2>/dev/null
exit $rc
"""


def atspi_python() -> str | None:
    python = os.environ.get("BPVIZ_ATSPI_PYTHON") or shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    check = subprocess.run([python, "-c", "import gi; gi.require_version('Atspi', '2.0'); "
                            "from gi.repository import Atspi"], capture_output=True)
    return python if check.returncode == 0 else None


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb on the first display number free from 90 on, once its socket is there."""
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists())
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    for _ in range(100):
        if socket.exists() or xvfb.poll() is not None:
            break
        time.sleep(0.1)
    return xvfb, f":{number}"


def test_a_lesson_and_a_backward_step_by_keyboard_through_atspi(tmp_path):
    walk_python = atspi_python()
    missing = [what for what, ok in (("Xvfb", shutil.which("Xvfb")),
                                     ("dbus-run-session", shutil.which("dbus-run-session")),
                                     ("at-spi2-core", os.path.exists(LAUNCHER)),
                                     ("a Python with Atspi", walk_python)) if not ok]
    if missing:
        pytest.skip(f"no AT-SPI here: {', '.join(missing)} missing")
    xvfb, display = start_xvfb()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
               QT_ACCESSIBILITY="1", BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    log = tmp_path / "app.log"
    script = RUN.format(launcher=LAUNCHER, app_python=sys.executable, walk_python=walk_python,
                        walk=WALK, log=log)
    try:
        done = subprocess.run(["dbus-run-session", "--", "bash", "-c", script], env=env,
                              capture_output=True, text=True, timeout=240)
    finally:
        xvfb.kill()
        xvfb.wait()
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the walk said nothing (rc {done.returncode}): {done.stderr[-500:]}"
    result = json.loads(lines[-1])
    assert result["found"], f"bpviz was not on the AT-SPI bus: {log.read_text()[-800:]}"
    assert result["next_focused"], "the lesson's Next button took no focus through AT-SPI"
    assert result["lesson_end"], f"the lesson was not played to its end: {result['steps']}"
    assert result["step_back_key"] == "Shift+Space"     # the key the Step menu tells
    assert result["back_step"], f"no backward step: {result['stepper']}"
