"""LessonRunner: what a lesson's actions do to the window, one action at a time.

Each action of a lesson file (bpviz.core.lessons.ACTIONS) becomes calls on the window's
parts, the same calls its menus and controls make. What only the open app can check (a
node of the graph, a data set, a control's name) is checked here; a problem is a
LessonError whose message names the lesson, the step and the field.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ...core.errors import GraphError
from ...core.lessons import PHASES, LessonError
from ...paths import example_path
from ..widgets.controls import set_value

MAX_STEPS_TO = 100_000        # a guard: step_to never loops for ever on a broken stepper


class LessonRunner:
    def __init__(self, window):
        self.window = window

    def run(self, actions, where: str) -> None:
        """Run ``actions`` in order; LessonError naming ``where`` and the action's field."""
        for i, action in enumerate(actions):
            (name, value), = action.items()
            field = f"{where}[{i}].{name}"
            try:
                getattr(self, f"_{name}")(value)
            except LessonError as err:
                raise LessonError(f"{field}: {err}") from None
            except (GraphError, FileNotFoundError, ValueError) as err:
                raise LessonError(f"{field}: {err}") from None

    # --- the actions ---------------------------------------------------------------------
    def _example(self, name: str) -> None:
        self.window.document.open_example(example_path(name))

    def _tab(self, name: str) -> None:
        self.window.show_tab(name)
        # a lab is built the first time it is seen: build it now, so that a ``set`` of one
        # of its controls in the same step finds it
        getattr(self.window.tabs.currentWidget(), "panel", None)

    def _data(self, name: str) -> None:
        self.window.data.use_builtin(name)     # its ValueError is named by run()
        problem = self.window.data.problem()
        if problem:
            raise LessonError(f"data set {name!r} does not fit the graph: {problem}")

    def _batch(self, size: int) -> None:
        self.window.data.batch.setValue(size)

    def _sample(self, index: int) -> None:
        box = self.window.data.sample
        if index > box.maximum():
            raise LessonError(f"sample {index} is not in the batch (samples 0 to "
                              f"{box.maximum()})")
        box.setValue(index)

    def _train_mode(self, on: bool) -> None:
        self.window.stepper.train_mode.setChecked(on)

    def _reset(self, _value) -> None:
        self.window.show_tab("backprop")
        self.window.stepper.reset()

    def _step_to(self, target: dict) -> None:
        """Step from the start until ``target``'s node is the current step of its phase."""
        node, phase = target["node"], target["phase"]
        if node not in self.window.document.graph.nodes:
            raise LessonError(f"the graph has no node {node!r}")
        self._reset(True)
        stepper = self.window.stepper
        for _ in range(MAX_STEPS_TO):
            stepper.step()
            event = stepper.current()
            if event is None:                 # the stepper could not start: it said why
                raise LessonError(stepper.reason.text() or "the network cannot be stepped")
            if event.node == node and event.phase == phase:
                return
            if stepper.stepper.done:
                break
        raise LessonError(f"stepping never reached {node!r} in the {phase} pass")

    def _run_phase(self, phase: str) -> None:
        """From the start, to the end of the forward pass (and of the backward pass)."""
        self._reset(True)
        stepper = self.window.stepper
        for _ in PHASES[:PHASES.index(phase) + 1]:
            stepper.run_phase()
            if stepper.current() is None:     # the stepper could not start: it said why
                raise LessonError(stepper.reason.text() or "the network cannot be stepped")

    def _overview(self, _value) -> None:
        self.window.show_tab("backprop")
        self.window.view.show_whole()

    def _select(self, node: str) -> None:
        if node not in self.window.document.graph.nodes:
            raise LessonError(f"the graph has no node {node!r}")
        self.window.show_tab("backprop")
        self.window.editor.select([node])

    def _focus(self, key: str) -> None:
        views = self.window.inspector.heatmaps
        if key not in views:
            shown = ", ".join(sorted(views)) or "none: step to a node first"
            raise LessonError(f"the Inspector shows no view {key!r} (views: {shown})")
        if not self.window.focus.open(views[key]):
            raise LessonError(f"the view {key!r} cannot be enlarged")

    def _unfocus(self, _value) -> None:
        self.window.focus.close()

    def _set(self, setting: dict) -> None:
        name, value = setting["control"], setting["value"]
        control = self.window.findChild(QWidget, name)
        if control is None:           # the Update & Train panel is built when first shown
            training = self.window.workspace.training
            control = training.panel.findChild(QWidget, name)
            if control is not None:
                self._show_training()
        if control is None:
            raise LessonError(f"no control named {name!r} on screen (open its tab first)")
        set_value(control, value)

    def _optimizer_steps(self, count: int) -> None:
        for _ in range(count):
            self.window.workspace.apply_optimizer_step()
        self._show_training()

    def _show_training(self) -> None:
        """The Update & Train panel beside the lesson, half and half: opened alone it
        takes 4/5 of the width, and the lesson's text wrapped a word a line at 1280x720."""
        workspace, window = self.window.workspace, self.window
        workspace.show_training()
        window.resizeDocks([window.lessons.dock, workspace.docks["training"]],
                           [window.width() // 2, window.width() // 2], Qt.Horizontal)

    def _race(self, state: dict) -> None:
        """The Optimizers tab's race as the lesson gives it; ValueError naming what the
        lab does not know (an optimizer, a control, a hyperparameter)."""
        self._tab("optimizers")
        self.window.optimizers.panel.set_state(state)

    def _augment_demo(self, shown: bool) -> None:
        from ..training.augment_demo import show_augment_demo    # not at start-up
        show_augment_demo(self.window, shown)
