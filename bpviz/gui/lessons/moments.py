"""Moments of a lesson: what a step looked like when it was left — the Classroom's snapshot
(bpviz.core.snapshot) and what only the window shows (the tab, the enlarged view, the
Update & Train panel, the labs' settings) — taken, come back to, and kept within bounds."""
from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtWidgets import QWidget

from ...core.snapshot import Snapshot, still_fits
from ...core.teaching.lessons import TABS

KEEP_OTHER_GRAPHS = 64 * 2**20   # bytes of weights of earlier graphs kept to go back to


@dataclass
class Visited:
    """A step as it was left."""
    snapshot: Snapshot
    tab: str
    focused: str                   # the objectName of the enlarged widget ('' if none)
    training: bool                 # the Update & Train panel shown
    labs: dict                     # {lab: its state}, the labs built
    gradient_flow: bool = False    # the Gradient Flow dock shown (lesson 3 step 10 opens it)


def take(w) -> Visited:
    """The window ``w`` as it is now."""
    origin = w.focus.origin if w.focus.is_open else None
    # a help page (F1) is enlarged from no widget: it is not come back to
    focused = origin.objectName() if isinstance(origin, QWidget) and shiboken6.isValid(
        origin) else ""
    labs = {name: page.panel.state() for name, page in
            (("losses", w.losses), ("optimizers", w.optimizers)) if page.built}
    flow = getattr(w, "gradient_flow_dock", None)
    return Visited(w.classroom.snapshot(), TABS[w.tabs.currentIndex()], focused,
                   w.workspace.docks["training"].isVisible(), labs,
                   flow is not None and flow.isVisible())


def come_back(w, visited: Visited) -> None:
    """Put the window ``w`` back as ``visited`` (its enlarged view: ``refocus``, once the
    views have followed)."""
    shot = visited.snapshot
    if shot.graph is not w.classroom.graph:
        w.document.set_graph(shot.graph, None)
    w.classroom.restore(shot)
    for name, state in visited.labs.items():
        lab = getattr(w, name).panel
        if lab.state() != state:             # a race is run again only if it differs
            lab.set_state(state)
    w.workspace.docks["training"].setVisible(visited.training)
    show_gradient_flow(w, visited.gradient_flow)
    w.show_tab(visited.tab)


def show_gradient_flow(w, shown: bool) -> None:
    """The Gradient Flow dock as View ▸ Gradient Flow opens it, or closed."""
    dock = getattr(w, "gradient_flow_dock", None)
    if shown:
        from ..backprop.gradient_flow import show_gradient_flow as show  # plots: not at start
        show(w)
    elif dock is not None:
        dock.close()


def refocus(w, visited: Visited) -> None:
    """Enlarge again the view that was enlarged when the step was left."""
    widget = w.findChild(QWidget, visited.focused) if visited.focused else None
    if widget is not None:
        w.focus.open(widget)


def bounded(visited: dict, current) -> dict:
    """The steps worth keeping: not those an edit of their graph made stale, and those on
    another graph than ``current`` (an earlier example) only while those graphs' weights
    stay small — beyond that they are run again from their example step when gone back to
    (lesson 8 would hold two AlexNets)."""
    kept: dict[int, Visited] = {}
    counted: dict[int, int] = {}          # bytes of each array, counted once
    for i, v in sorted(visited.items(), key=lambda item: -item[0]):
        if not still_fits(v.snapshot):
            continue
        if v.snapshot.graph is not current:
            for ps in v.snapshot.params.params.values():
                counted.update((id(a), a.nbytes) for a in ps.values())
            if sum(counted.values()) > KEEP_OTHER_GRAPHS:
                continue
        kept[i] = v
    return kept
