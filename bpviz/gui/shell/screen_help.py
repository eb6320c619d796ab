"""ScreenHelp: F1 explains what is on screen — the help page (resources/help/<key>.md) of
the panel under the mouse, or of the one with the keyboard focus when the mouse is outside
the window, shown over the window like an enlarged view (Esc returns).

A panel is known by its class (so the tabs built on first use need no registration), or by a
``help_page`` property on a widget that sits outside its panel's own widget."""
from __future__ import annotations

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QDockWidget, QTabWidget

from ...paths import resources_dir
from ..widgets.lazy import LazyPanel

# the pages' reader and view are imported when F1 is first pressed, not at start-up (issue 24)

# class name -> help page; the innermost match under the mouse wins
PANELS = {
    "GraphView": "canvas", "StepperPanel": "stepper", "DataPanel": "data",
    "Inspector": "inspector", "UpdatePanel": "update", "Palette": "layers",
    "PropertyEditor": "properties", "ProblemsList": "problems",
    "ClassificationPanel": "losses_classification", "MulticlassPanel": "losses_multiclass",
    "RegressionPanel": "losses_regression", "SurfacePanel": "losses_surface",
    "OptimizerLab": "optimizers", "TrainingTab": "training", "LessonPanel": "lesson",
    "EnlargedView": "focus",
}
OVERVIEW = "window"           # anywhere else: what the window holds and where


def help_dir():
    return resources_dir() / "help"


def _own_key(widget) -> str | None:
    key = widget.property("help_page")
    if isinstance(key, str) and key:
        return key
    return next((PANELS[c.__name__] for c in type(widget).__mro__ if c.__name__ in PANELS),
                None)


def _content(widget):
    """What a container shows now: a dock's widget, a tab widget's page, a built lazy
    panel's panel (pointing at a dock's title or a tab names what is in it)."""
    if isinstance(widget, QDockWidget):
        return widget.widget()
    if isinstance(widget, QTabWidget):
        return widget.currentWidget()
    if isinstance(widget, LazyPanel) and widget.built:
        return widget.panel
    return None


def panel_key(widget, window) -> str | None:
    """The help page of the innermost panel at or above ``widget`` inside ``window``."""
    while widget is not None and widget is not window:
        inner = widget
        while inner is not None:
            key = _own_key(inner)
            if key:
                return key
            inner = _content(inner)
        widget = widget.parentWidget()
    return None


class HelpTopic:
    """A help page as the enlarged view takes it: a title and a copy to show."""

    def __init__(self, page):
        self.page, self.title = page, f"Help: {page.title}"

    def focus_copy(self):
        from ..widgets.help_page import HelpPageView

        return HelpPageView(self.page)


class ScreenHelp:
    def __init__(self, window):
        self.window = window
        # the train-mode box sits in the data row but belongs to stepping
        window.stepper.train_mode.setProperty("help_page", "stepper")

    def add_actions(self, menu, add) -> None:
        add(menu, "&What Is on Screen", self.explain_under_cursor, "F1")

    def target(self):
        """The widget under the mouse, or the one with the keyboard focus."""
        w = self.window
        pos = w.mapFromGlobal(QCursor.pos())
        if w.rect().contains(pos):
            return w.childAt(pos)
        focus = QApplication.focusWidget()
        return focus if focus is not None and w.isAncestorOf(focus) else None

    def showing_help(self) -> bool:
        return self.window.focus.is_open and isinstance(self.window.focus.origin, HelpTopic)

    def explain_under_cursor(self) -> None:
        """F1: the page of the panel pointed at; F1 on a help page closes it."""
        if self.showing_help():
            self.window.focus.close()
            return
        self.window.annotations.stop()        # the page below the pen is the one meant
        self.explain(panel_key(self.target(), self.window) or OVERVIEW)

    def explain(self, key: str) -> bool:
        """Show page ``key``; a page that cannot be read is said in the status bar."""
        from ...core.teaching.help_pages import SUFFIX, HelpError, load

        try:
            page = load(help_dir() / f"{key}{SUFFIX}")
        except HelpError as err:
            self.window.say(f"No help for this panel: {err}")
            return False
        return self.window.focus.open(HelpTopic(page))
