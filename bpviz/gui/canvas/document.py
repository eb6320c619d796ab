"""Document: the open graph, its file, its undo stack, and crash recovery (autosave)."""
from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from ...core import Graph, GraphError, load_graph, save_graph
from ...core.network.fileformat import SUFFIX, remove_stale_temps, write_atomic
from ...core.network.layout import layered_layout
from ..config.recovery import read_recovery
from ..config.settings import add_recent_file, recovery_path

AUTOSAVE_MS = 20_000


def place_unpositioned(graph: Graph) -> None:
    """Give nodes without a saved position one from the automatic layout (not an edit)."""
    if all("pos" in n.ui for n in graph.nodes.values()):
        return
    positions = layered_layout({nid: n.inputs for nid, n in graph.nodes.items()})
    for nid, node in graph.nodes.items():
        node.ui.setdefault("pos", list(positions[nid]))


class Document(QObject):
    graph_replaced = Signal(object)        # the new Graph
    state_changed = Signal()               # file name or modified flag changed

    def __init__(self, classroom, parent=None):
        """``classroom`` (bpviz.core.classroom) holds the graph; the document adds its file
        and undo stack, and follows any graph the classroom is given."""
        super().__init__(parent)
        self.classroom = classroom
        self.undo_stack = QUndoStack(self)
        # a bound method, not a lambda: Qt drops it when the document is deleted
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.path: Path | None = None
        self._next: tuple = (None, False, None)   # file, state, example of the graph to come
        # (example's path, Classroom.params_version, the graph read from it)
        self.example: tuple | None = None
        classroom.graph_replaced.connect(self._graph_replaced)
        self.autosave = QTimer(self)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.write_recovery)
        self.autosave.start()

    def _clean_changed(self, clean: bool) -> None:
        self.state_changed.emit()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        name = self.path.name if self.path else (self.graph.name or "untitled")
        return name + (" •" if self.modified else "")

    # --- open and save ----------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.classroom.graph

    def set_graph(self, graph: Graph, path: Path | None, modified: bool = False,
                  example: str | None = None) -> None:
        """Show ``graph`` as the document of ``path``; ``modified``: it differs from that
        file (a recovered graph, one a lesson or session gives back); ``example``: the
        shipped example it was read from."""
        place_unpositioned(graph)
        self._next, self.example = (path, modified, example), None
        self.classroom.set_graph(graph)

    def _graph_replaced(self, graph: Graph) -> None:
        """The classroom shows another graph: a document of its own (a graph that came
        without ``set_graph`` is a new, unsaved one)."""
        (path, modified, example), self._next = self._next, (None, False, None)
        self.example = None if example is None else (example, self.classroom.params_version,
                                                     graph)
        place_unpositioned(graph)
        self.path = Path(path) if path else None
        self.undo_stack.clear()
        self.undo_stack.setClean()        # clear() keeps a clean index of -1 (resetClean)
        if modified:
            self.undo_stack.resetClean()
        self.graph_replaced.emit(graph)
        self.state_changed.emit()

    def new(self) -> None:
        self.set_graph(Graph(name="untitled"), None)

    def open(self, path) -> None:
        """Open a file; raises GraphError (and keeps the current graph) if it is bad.

        Half-built graphs open, with their problems shown: only a broken file is refused."""
        graph = load_graph(path, check=False)
        self.set_graph(graph, path)
        add_recent_file(path)

    def open_example(self, path) -> None:
        """Examples open as new, unsaved documents (Save asks where). The example shown,
        neither edited nor trained since it was opened, is opened again without reading it
        (AlexNet's 61 M weights take a second)."""
        if self.example == (str(path), self.classroom.params_version, self.graph) \
                and not self.modified:
            self._next = (None, False, str(path))
            self.classroom.reopen()
            return
        self.set_graph(load_graph(path), None, example=str(path))

    def save(self, to: str | Path) -> Path:
        """Save to ``to`` (as a .bpviz.json); raises GraphError if it cannot."""
        path = Path(to)
        if not path.name.endswith(SUFFIX):
            path = path.with_name(path.name.removesuffix(".json") + SUFFIX)
        save_graph(self.graph, path)
        self.path = path
        self.undo_stack.setClean()
        add_recent_file(path)
        self.state_changed.emit()
        self.clear_recovery()
        return path

    # --- crash recovery ---------------------------------------------------------------------
    def write_recovery(self) -> bool:
        """Write the user's unsaved graph to the recovery file; a clean exit deletes it.
        While a lesson runs that is the graph it set aside, never the lesson's own."""
        aside = self.classroom.aside
        if aside is not None:
            graph, path, modified = aside.graph, aside.graph_file, aside.modified
        else:
            graph, path, modified = self.graph, self.path, self.modified
        if not modified:
            return False
        record = {"saved_at": time.time(), "path": str(path) if path else None,
                  "graph": graph.to_dict()}
        remove_stale_temps(recovery_path())          # left by a kill during an autosave
        try:
            write_atomic(recovery_path(), json.dumps(record))
        except (OSError, GraphError):
            return False                     # autosave must never interrupt the user
        return True

    def clear_recovery(self) -> None:
        remove_stale_temps(recovery_path())
        try:
            recovery_path().unlink()
        except OSError:           # none, or a read-only folder (it is offered next time)
            pass

    @staticmethod
    def recovery_record(path=None) -> dict | None:
        """The record in ``path`` (this instance's recovery file) left by a session that
        did not exit cleanly, if it is readable (gui/config/recovery.py)."""
        try:
            return read_recovery(path or recovery_path())
        except GraphError:
            return None

    def restore(self, record: dict) -> None:
        """Bring back a recovered graph as an unsaved change of its file."""
        graph = Graph.from_dict(record["graph"], check=False)
        self.set_graph(graph, record.get("path"), modified=True)
