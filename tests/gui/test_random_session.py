"""A seeded random session on the Backprop tab: thousands of editing, clipboard, stepping
and data actions, with real key presses in the attribute fields. No action may crash the
process or let an exception escape into Qt, and the canvas must always show the model.

BPVIZ_RANDOM_ACTIONS sets the actions per seed (CI: 1,000 for each of 5 seeds)."""
import json
import os
import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFileDialog, QMessageBox,
                               QSpinBox)

from bpviz.core.ops import REGISTRY
from bpviz.paths import example_path

ACTIONS = int(os.environ.get("BPVIZ_RANDOM_ACTIONS", "1000"))
EXAMPLES = ("fc_softmax_ce", "spirals_mlp", "shapes_cnn", "sigmoid_chain", "branching",
            "hinge_vs_ce")          # alexnet: one forward step takes seconds, not a random act
TEXTS = ("", "0", "1", "2", "3", "-1", "7", "2, 2", "1, 2, 3", "abc", "1e5", "nan", "inf",
         "99999999999999999999", "-99999999999999999999", "0.5", "  4 ", "3x3", "×", ",,")
CLIPBOARD = ("hello", "{}", '{"bpviz_nodes": [{"id": 3}]}', "[" * 5000 + "]" * 5000,
             json.dumps({"bpviz_nodes": [{"id": "a", "op": "ReLU", "attrs": {},
                                          "inputs": [None], "ui": {"pos": ["x", 1]}}]}))


class RandomSession:
    def __init__(self, window, qtbot, seed):
        self.w, self.qtbot, self.rng = window, qtbot, random.Random(seed)
        self.log = []

    @property
    def graph(self):
        return self.w.document.graph

    def node(self):
        return self.rng.choice(list(self.graph.nodes)) if self.graph.nodes else None

    def run(self, n):
        actions = [getattr(self, name) for name in dir(self) if name.startswith("act_")]
        for _ in range(n):
            action = self.rng.choice(actions)
            self.log.append(action.__name__)
            action()
            QApplication.processEvents()
            self.check()

    def check(self):
        scene = self.w.scene
        assert set(scene.nodes) == set(self.graph.nodes), self.log[-5:]
        wanted = {(nid, slot): src for nid, node in self.graph.nodes.items()
                  for slot, src in enumerate(node.inputs)
                  if src is not None and slot < len(scene.nodes[nid].slots)}
        assert {k: e.src for k, e in scene.edges.items()} == wanted, self.log[-5:]
        touching = {(k, end) for k, e in scene.edges.items() for end in (e.src, e.dst)}
        assert {(k, n) for n, keys in scene.edges_at.items() for k in keys} == touching
        self.graph.analyze()

    # --- editing ----------------------------------------------------------------------
    def act_select(self):
        nid = self.node()
        self.w.editor.select([nid] if nid else [])

    def act_select_several(self):
        ids = list(self.graph.nodes)
        self.w.editor.select(self.rng.sample(ids, min(len(ids), self.rng.randint(0, 3))))

    def act_type_in_a_field(self):
        self.act_select()
        widgets = list(self.w.properties.widgets.values())
        if not widgets:
            return
        widget = self.rng.choice(widgets)
        if isinstance(widget, QCheckBox):
            widget.click()
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(self.rng.randrange(widget.count()))
            widget.activated.emit(widget.currentIndex())
        else:
            target = widget.lineEdit() if isinstance(widget, QSpinBox) else widget
            widget.setFocus()
            target.selectAll()
            self.qtbot.keyClicks(target, self.rng.choice(TEXTS))
            self.qtbot.keyClick(target, self.rng.choice((Qt.Key_Return, Qt.Key_Enter)))

    def act_add_op(self):
        op = self.rng.choice(sorted(REGISTRY))
        if not self.rng.random() < 0.5:
            self.w.editor.select([])
        self.w.editor.add_op(op)

    def act_delete(self):
        self.act_select_several()
        self.w.editor.delete_selected()

    def act_connect(self):
        src, dst = self.node(), self.node()
        if src is None:
            return
        slots = len(REGISTRY[self.graph.nodes[dst].op].inputs) if (
            self.graph.nodes[dst].op in REGISTRY) else 0
        if slots and self.graph.connection_problem(src, dst, s := self.rng.randrange(slots)) is None:
            self.w.editor.set_inputs([(dst, s, src)])

    def act_disconnect(self):
        dst = self.node()
        if dst and self.graph.nodes[dst].inputs:
            self.w.editor.set_inputs([(dst, self.rng.randrange(len(self.graph.nodes[dst].inputs)),
                                       None)])

    def act_move(self):
        nid = self.node()
        if nid:
            old = tuple(self.graph.nodes[nid].ui.get("pos", (0, 0)))
            new = (self.rng.uniform(-2000, 2000), self.rng.uniform(-2000, 2000))
            self.w.editor.move({nid: (old, new)})

    def act_undo_redo(self):
        stack = self.w.document.undo_stack
        for _ in range(self.rng.randint(1, 4)):
            stack.undo() if self.rng.random() < 0.6 else stack.redo()

    def act_layout(self):
        self.w.editor.auto_layout()

    def act_copy_paste(self):
        self.act_select_several()
        self.w.editor.copy()
        self.w.editor.paste()

    def act_paste_foreign(self):
        QApplication.clipboard().setText(self.rng.choice(CLIPBOARD))
        self.w.editor.paste()

    def act_open_example(self):
        if self.rng.random() < 0.2:
            self.w.open_example(example_path(self.rng.choice(EXAMPLES)))

    # --- stepping and data ------------------------------------------------------------
    def act_step_keys(self):
        self.w.view.setFocus()
        key, mods = self.rng.choice(((Qt.Key_Space, Qt.NoModifier),
                                     (Qt.Key_Space, Qt.ShiftModifier),
                                     (Qt.Key_Space, Qt.ControlModifier),
                                     (Qt.Key_Home, Qt.NoModifier)))
        self.qtbot.keyClick(self.w.view, key, mods)

    def act_step(self):
        for _ in range(self.rng.randint(1, 6)):
            self.w.stepper.step()

    def act_train_mode(self):
        self.w.stepper.train_mode.toggle()

    def act_data(self):
        data = self.w.data
        choice = self.rng.randrange(3)
        if choice == 0:
            data.source.setCurrentIndex(self.rng.randrange(data.source.count()))
            data._source_chosen()
        elif choice == 1:
            data.batch.setValue(self.rng.choice((1, 2, 3, 8, 64)))
        else:
            data.sample.setValue(self.rng.randint(0, 10))

    def act_zoom(self):
        self.w.view.zoom(self.rng.choice((0.5, 0.8, 1.25, 2.0)))


@pytest.mark.parametrize("seed", range(5))
def test_a_random_session_never_crashes(qtbot, window, seed, monkeypatch):
    said = []
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: said.append(a[2]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    session = RandomSession(window, qtbot, seed)
    with qtbot.captureExceptions() as escaped:
        session.run(ACTIONS)
    assert escaped == [], (session.log[-10:], escaped[:1])
    assert len(session.log) == ACTIONS
