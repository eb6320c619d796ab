"""A seeded random session on the Backprop tab: thousands of editing, clipboard, stepping
and data actions, with real key presses in the attribute fields. No action may crash the
process or let an exception escape into Qt, and the canvas must always show the model.

BPVIZ_RANDOM_ACTIONS sets the actions per seed (CI: 1,000 for each of 5 seeds). The undo
session (BPVIZ_UNDO_SEEDS seeds of BPVIZ_UNDO_ACTIONS actions; CI: 24 of 120, on four
examples, each at desk and presentation scale) checks every state against undo and redo."""
import json
import os
import random

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QMessageBox,
    QSpinBox,
)

from bpviz.core.ops import REGISTRY
from bpviz.paths import example_path

from .canvas.test_editor_stories import drag, port_point

ACTIONS = int(os.environ.get("BPVIZ_RANDOM_ACTIONS", "1000"))
EXAMPLES = ("fc_softmax_ce", "spirals_mlp", "shapes_cnn", "sigmoid_chain", "branching",
            "hinge_vs_ce")          # alexnet: one forward step takes seconds, not a random act
TEXTS = ("", "0", "1", "2", "3", "-1", "7", "2, 2", "1, 2, 3", "abc", "1e5", "nan", "inf",
         "99999999999999999999", "-99999999999999999999", "0.5", "  4 ", "3x3", "×", ",,")
CLIPBOARD = ("hello", "{}", '{"bpviz_nodes": [{"id": 3}]}', "[" * 5000 + "]" * 5000,
             json.dumps({"bpviz_nodes": [{"id": "a", "op": "ReLU", "attrs": {},
                                          "inputs": [None], "ui": {"pos": ["x", 1]}}]}),
             json.dumps({"bpviz_nodes": [{"id": "b", "op": "Add", "inputs": []}]}))  # short


class RandomSession:
    def __init__(self, window, qtbot, seed):
        self.w, self.qtbot, self.rng = window, qtbot, random.Random(seed)
        self.log = []

    @property
    def graph(self):
        return self.w.document.graph

    def node(self):
        return self.rng.choice(list(self.graph.nodes)) if self.graph.nodes else None

    def actions(self) -> list:
        return [getattr(self, name) for name in dir(self) if name.startswith("act_")]

    def run(self, n):
        actions = self.actions()
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
            self.qtbot.keyClick(target, self.rng.choice((Qt.Key.Key_Return, Qt.Key.Key_Enter)))

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
        key, mods = self.rng.choice(((Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
                                     (Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier),
                                     (Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier),
                                     (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier)))
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


@pytest.fixture
def no_dialogs(monkeypatch):
    """Message boxes say nothing and file dialogs are cancelled: no modal dialog waits."""
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")


@pytest.mark.parametrize("seed", range(5))
def test_a_random_session_never_crashes(qtbot, window, seed, no_dialogs):
    session = RandomSession(window, qtbot, seed)
    with qtbot.captureExceptions() as escaped:
        session.run(ACTIONS)
    assert escaped == [], (session.log[-10:], escaped[:1])
    assert len(session.log) == ACTIONS


# --- the lesson features (issue 25) ------------------------------------------------------------
LESSON_ACTIONS = int(os.environ.get("BPVIZ_LESSON_ACTIONS", "200"))


def test_a_random_lesson_session_never_crashes(qtbot, window, no_dialogs, monkeypatch):
    """200 seeded actions with the lesson features (tests/gui/lesson_actions.py; the 5 x
    1,000 trial is benchmarks/random_actions.py): nothing escapes, no dialog stays open."""
    from .lesson_actions import LessonSession, stop_training
    monkeypatch.setattr(QDialog, "exec", lambda self: 0)
    window.resize(1280, 720)
    window.lessons.open("02_chain_rule", ask=False)
    session = LessonSession(window, qtbot, seed=7, lessons=(
        "01_one_layer", "02_chain_rule", "03_backprop_layers", "04_classification_losses",
        "06_gradient_descent_momentum"))       # AlexNet's steps take seconds each
    with qtbot.captureExceptions() as escaped:
        for _ in range(LESSON_ACTIONS):
            session.step()
            assert QApplication.activeModalWidget() is None, session.log[-3:]
        stop_training(window)
    assert escaped == [], (session.log[-10:], escaped[:1])
    assert {"act_answer", "act_enlarge", "act_pen", "act_jacobian_zoom"} <= set(session.log)


# --- undo gives the graph back ----------------------------------------------------------------
UNDO_ACTIONS = int(os.environ.get("BPVIZ_UNDO_ACTIONS", "120"))
UNDO_SEEDS = int(os.environ.get("BPVIZ_UNDO_SEEDS", "24"))
UNDO_EXAMPLES = ("binary_hinge", "tiny_cnn", "branching", "hinge_vs_ce")   # 2 with weights
# graph edits more often than the rest (1 each); never another example (a new undo stack)
UNDO_WEIGHTS = {"act_type_in_a_field": 6, "act_connect": 4, "act_disconnect": 3,
                "act_undo_redo": 4, "act_copy_paste": 2, "act_data": 2, "act_wire": 2,
                "act_drag": 3, "act_move": 2, "act_open_example": 0}


class UndoSession(RandomSession):
    """The random session on one document: every state of the graph (its file form,
    positions included: a move is an undo step) belongs to one index of the undo stack, and
    undo and redo give back, at each index, the graph first seen there. Data, stepping and
    the view are no graph edits: they must leave the file form alone."""

    def __init__(self, window, qtbot, seed):
        super().__init__(window, qtbot, seed)
        self.stack = window.document.undo_stack
        self.states = [self.graph.to_dict()]          # the file form at each index
        self.replaying = False
        self.stack.indexChanged.connect(self._index_changed)

    def actions(self) -> list:
        return [a for a in super().actions() for _ in range(UNDO_WEIGHTS.get(a.__name__, 1))]

    def _index_changed(self, index: int) -> None:
        if not self.replaying:                        # a command was pushed: its state
            del self.states[index:]
            self.states.append(self.graph.to_dict())

    def check(self):
        super().check()
        self.check_state()

    def check_state(self):
        index = self.stack.index()
        now, then = self.graph.to_dict(), self.states[index]
        differ = sorted(k for k in now.keys() | then.keys() if now.get(k) != then.get(k))
        steps = [self.stack.text(i) for i in range(self.stack.count())]
        assert now == then, (f"at index {index} of {steps}: {differ} differ", self.log[-8:])

    def act_drag(self):
        """Drag a node by its body: the scene asks for the move."""
        nid = self.node()
        if nid:
            item = self.w.scene.nodes[nid]
            self.w.view.ensureVisible(item)
            start = self.w.view.mapFromScene(item.mapToScene(item.body_rect().center()))
            drag(self.qtbot, self.w, start, start + QPoint(self.rng.randint(-90, 90),
                                                           self.rng.randint(-90, 90)))

    def act_wire(self):
        """Drag from an output to an input, or an edge's input end elsewhere."""
        src, dst = self.node(), self.node()
        if src and self.w.scene.nodes[dst].slots:
            slot = self.rng.randrange(len(self.w.scene.nodes[dst].slots))
            ends = [port_point(self.w, src, "out"), port_point(self.w, dst, "in", slot)]
            drag(self.qtbot, self.w, *(ends if self.rng.random() < 0.5 else ends[::-1]))

    def act_undo_redo(self):
        self.replaying = True
        try:
            for _ in range(self.rng.randint(1, 4)):
                self.stack.undo() if self.rng.random() < 0.6 else self.stack.redo()
                self.check_state()
        finally:
            self.replaying = False

    def undo_all_then_redo_all(self):
        self.replaying = True
        while self.stack.canUndo():
            self.stack.undo()
            QApplication.processEvents()
            self.check_state()
        assert self.stack.index() == 0
        while self.stack.canRedo():
            self.stack.redo()
            QApplication.processEvents()
            self.check_state()


@pytest.mark.parametrize("seed", range(UNDO_SEEDS))
def test_undo_gives_back_every_state_of_a_random_session(qtbot, window, seed, no_dialogs):
    """Undo to the start gives back the opened graph, redo to the end the last one, and
    every step between comes back as it was."""
    window.open_example(example_path(UNDO_EXAMPLES[seed % len(UNDO_EXAMPLES)]))
    opened = window.document.graph.to_dict()
    if seed // len(UNDO_EXAMPLES) % 2:
        window.set_presentation(True)      # the canvas at 1.6: model positions are not pixels
    session = UndoSession(window, qtbot, seed)
    with qtbot.captureExceptions() as escaped:
        session.run(UNDO_ACTIONS)
        last = session.states[-1]
        session.undo_all_then_redo_all()
    assert escaped == [], (session.log[-10:], escaped[:1])
    assert session.states[0] == opened and session.graph.to_dict() == last
