"""The screen-reader path, run by a Python with PyGObject's Atspi (the library under
dogtail and Orca): bpviz is found on the AT-SPI bus, a lesson is played to its end and left,
and a backward step is taken, with the keyboard alone, every control found by its
accessible name. Keys are synthesised through AT-SPI (XTest), as an on-screen keyboard does.

Run by tests/gui/test_atspi.py under Xvfb and a D-Bus session; prints one JSON line."""
from __future__ import annotations

import ctypes
import json
import re
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

PAGE_DOWN, SPACE, SHIFT = 0xFF56, 0x20, 0xFFE1          # X keysyms
STEP = re.compile(r"Step (\d+) of (\d+)")


def wait_for(what, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = what()
        if found:
            return found
        time.sleep(0.2)
    return None


def application(name: str):
    desktop = Atspi.get_desktop(0)
    return next((a for a in (desktop.get_child_at_index(i)
                             for i in range(desktop.get_child_count()))
                 if a is not None and a.get_name() == name), None)


def showing(root, depth: int = 0):
    """Every accessible under ``root`` that is on screen."""
    if depth > 40:
        return
    try:
        states = root.get_state_set()
        if depth and not states.contains(Atspi.StateType.SHOWING):
            return
        yield root
        children = [root.get_child_at_index(i) for i in range(root.get_child_count())]
    except Exception:                # gone while walked (a page replaced)
        return
    for child in children:
        if child is not None:
            yield from showing(child, depth + 1)


def named(app, role: str, pattern: str):
    """The first showing accessible of ``role`` whose name matches ``pattern``."""
    rx = re.compile(pattern)
    return next((n for n in showing(app) if n.get_role_name() == role
                 and rx.search(n.get_name() or "")), None)


def keycode(keysym: int) -> int:
    """The X keycode of ``keysym`` (a held modifier is pressed by keycode)."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    dpy = ctypes.c_void_p(x11.XOpenDisplay(None))
    code = x11.XKeysymToKeycode(dpy, ctypes.c_ulong(keysym))
    x11.XCloseDisplay(dpy)
    return code


def key(keysym: int, shift: bool = False) -> None:
    if shift:
        Atspi.generate_keyboard_event(keycode(SHIFT), None, Atspi.KeySynthType.PRESS)
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    if shift:
        Atspi.generate_keyboard_event(keycode(SHIFT), None, Atspi.KeySynthType.RELEASE)
    time.sleep(0.3)


def menu_item(app, name: str):
    """A menu's item by name, shown or not (a screen reader lists a closed menu too)."""
    todo = [app]
    while todo:
        node = todo.pop()
        try:
            if node.get_role_name() == "menu item" and node.get_name() == name:
                return node
            todo += [node.get_child_at_index(i) for i in range(node.get_child_count())]
        except Exception:
            continue
    return None


def step_of(app):
    label = named(app, "label", STEP.pattern)
    return tuple(map(int, STEP.search(label.get_name()).groups())) if label else None


def activate_window(box) -> bool:
    """Give the X input focus to the top-level window with the frame's size, as a window
    manager would on a click (Xvfb runs none here, and Qt takes keys only in an active
    window)."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    dpy = ctypes.c_void_p(x11.XOpenDisplay(None))
    if not dpy:
        return False
    root = ctypes.c_ulong(x11.XDefaultRootWindow(dpy))
    root_ret, parent_ret = ctypes.c_ulong(), ctypes.c_ulong()
    children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    x11.XQueryTree(dpy, root, ctypes.byref(root_ret), ctypes.byref(parent_ret),
                   ctypes.byref(children), ctypes.byref(count))
    found = None
    for i in range(count.value):
        g = [ctypes.c_int() for _ in range(2)] + [ctypes.c_uint() for _ in range(4)]
        x11.XGetGeometry(dpy, ctypes.c_ulong(children[i]), ctypes.byref(root_ret),
                         *[ctypes.byref(v) for v in g])
        if (g[2].value, g[3].value) == (box.width, box.height):
            found = children[i]
    if found is not None:
        x11.XRaiseWindow(dpy, ctypes.c_ulong(found))
        x11.XSetInputFocus(dpy, ctypes.c_ulong(found), 2, 0)    # RevertToParent, CurrentTime
        x11.XFlush(dpy)
    return found is not None


def focus(node) -> bool:
    """Keyboard focus onto ``node`` through AT-SPI (what a screen reader's review does)."""
    node.get_component_iface().grab_focus()
    return bool(wait_for(lambda: node.get_state_set().contains(Atspi.StateType.FOCUSED), 5))


def stepper_texts(back) -> list[str]:
    panel = back.get_parent()
    return [n.get_name() for n in showing(panel) if n.get_role_name() == "label"]


def say(*what) -> None:
    print(f"{time.monotonic() - START:6.1f}s", *what, file=sys.stderr, flush=True)


START = time.monotonic()


def walk() -> dict:
    result = {"found": False, "lesson_end": False, "back_step": False, "steps": []}
    app = wait_for(lambda: application("bpviz"), 60)
    if app is None:
        return result
    result["found"] = True
    say("found")
    next_button = wait_for(lambda: named(app, "push button", r"^Next"), 30)
    frame = app.get_child_at_index(0)
    box = frame.get_component_iface().get_extents(Atspi.CoordType.SCREEN)
    result["window_activated"] = activate_window(box)
    say("window", result["window_activated"], box.x, box.y, box.width, box.height)
    say("next", next_button)
    result["next_focused"] = focus(next_button)
    say("focused", result["next_focused"])
    total = step_of(app)[1]
    for _ in range(3 * total):                     # a question's step: reveal, then move on
        now = step_of(app)
        say("step", now)
        result["steps"].append(now[0])
        if now[0] == total:
            break
        key(PAGE_DOWN)
        wait_for(lambda now=now: step_of(app) != now, 3)   # (a question's answer shows first)
    key(PAGE_DOWN)                                  # the end: "Page Down once more leaves it"
    key(PAGE_DOWN)
    result["lesson_end"] = result["steps"][-1] == total and bool(
        wait_for(lambda: named(app, "push button", r"^Next") is None, 10))
    say("left the lesson", result["lesson_end"])
    # a step forward with its key, then a step back with the key the Step menu gives
    back = named(app, "push button", r"^Back$")
    start = stepper_texts(back)
    key(SPACE)
    wait_for(lambda: stepper_texts(back) != start, 10)
    before = stepper_texts(back)
    item = menu_item(app, "Step Back")
    binding = item.get_action_iface().get_key_binding(0) if item is not None else ""
    result["step_back_key"] = binding
    key(SPACE, shift=True)
    result["back_step"] = bool(wait_for(lambda: stepper_texts(back) != before, 10))
    result["stepper"] = [start, before, stepper_texts(back)]
    return result


if __name__ == "__main__":
    print(json.dumps(walk()))
    sys.exit(0)
