"""ValueFocus: a node's value, shown on the canvas as a heat-map strip under the node after
its forward step, enlarged by the window's enlarged view (bpviz.gui.widgets.enlarged_view) as the
Inspector's heat maps are: double-click the strip (or point at it and press F), Esc
returns. The view only picks the node; the enlarged view does the enlarging."""
from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QCursor

from ...core.display.array_views import as_matrix, sample_of


class ValueFocus:
    def __init__(self, view):
        self.view = view
        self.picked: str | None = None     # the node whose strip was double-clicked

    def node_at(self, pos: QPoint) -> str | None:
        """The node whose value strip is at ``pos`` (viewport pixels), if it has a value."""
        scene = self.view.scene()
        values = getattr(scene, "values", {})
        point = self.view.mapToScene(pos)
        for nid, item in scene.nodes.items():
            strip = item.thumbnail
            if nid in values and strip.isVisible() and \
                    strip.sceneBoundingRect().adjusted(-2, -2, 2, 2).contains(point):
                return nid
        return None

    def pick(self, pos: QPoint) -> bool:
        """Remember the node under a double-click at ``pos``; whether there is one."""
        self.picked = self.node_at(pos)
        return self.picked is not None

    def copy(self):
        """A MatrixView of the picked node's value for the shown sample (or of the node
        under the mouse); None when there is none."""
        from ..widgets.matrix_view import MatrixView  # loaded with the first one
        nid, self.picked = self.picked, None
        if nid is None:
            nid = self.node_at(self.view.viewport().mapFromGlobal(QCursor.pos()))
        values = getattr(self.view.scene(), "values", {})
        if nid not in values:
            return None
        value, sample = values[nid]
        self.view.title = f"{nid}: its value for sample {sample}"
        return MatrixView(as_matrix(sample_of(value, sample)))
