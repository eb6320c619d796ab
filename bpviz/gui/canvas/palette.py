"""Palette: every op of the engine's registry, grouped and searchable; drag one onto the
canvas or double-click it to add it."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.ops import GROUPS, REGISTRY
from .graph_view import OP_MIME

GROUP_TITLES = {"io": "Inputs", "layers": "Layers", "activations": "Activations",
                "losses": "Losses", "math": "Math"}


class OpTree(QTreeWidget):
    def startDrag(self, actions):
        item = self.currentItem()
        op = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if not op:
            return
        mime = QMimeData()
        mime.setData(OP_MIME, op.encode("utf-8"))
        mime.setText(op)
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    add_requested = Signal(str)              # op name

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search ops (e.g. conv, loss, soft)…")
        self.search.setAccessibleName("Search ops")
        self.search.setClearButtonEnabled(True)
        self.tree = OpTree()
        self.tree.setAccessibleName("Ops to add to the graph")
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.groups: list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]] = []   # in order
        for group in GROUPS:
            parent = QTreeWidgetItem(self.tree, [GROUP_TITLES.get(group, group)])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            self.groups.append((parent, []))
            for name, cls in sorted(REGISTRY.items()):
                if cls.group == group:
                    item = QTreeWidgetItem(parent, [name])
                    item.setData(0, Qt.ItemDataRole.UserRole, name)
                    item.setToolTip(0, cls.doc)
                    self.items[name] = item
                    self.groups[-1][1].append(item)
            parent.setExpanded(True)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_match)
        self.tree.itemDoubleClicked.connect(self._double_clicked)

    def filter(self, text: str) -> None:
        """Show the ops whose name or description contains ``text``."""
        needle = text.strip().lower()
        for group, items in self.groups:
            shown = 0
            for item in items:
                name = item.data(0, Qt.ItemDataRole.UserRole)
                match = not needle or needle in name.lower() or needle in REGISTRY[name].doc.lower()
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def visible_ops(self) -> list[str]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for group, items in self.groups
                if not group.isHidden() for item in items if not item.isHidden()]

    def _add_first_match(self) -> None:
        ops = self.visible_ops()
        if ops:
            self.add_requested.emit(ops[0])

    def _double_clicked(self, item, column) -> None:
        op = item.data(0, Qt.ItemDataRole.UserRole)
        if op:
            self.add_requested.emit(op)
