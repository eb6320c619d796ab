"""LessonRunner: what a lesson's actions do to the window, one action at a time.

Each action of a lesson file (bpviz.core.teaching.lessons.ACTIONS) becomes calls on the window's
parts, the same calls its menus and controls make. What only the open app can check (a
node of the graph, a data set, a control's name) is checked here; a problem is a
LessonError whose message names the lesson, the step and the field.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ...core.errors import GraphError, shown
from ...core.teaching.answer_cards import Card, card_array, card_text, step_arrays
from ...core.teaching.lessons import LessonError, example_file
from ..widgets.controls import set_value
from . import moments

# what only changes the view: skipped when an earlier step is run again to reach a later one;
# before one of them the views are brought up to date (a lesson step runs with the
# Classroom's announcements held, so that each view is built once, for where it ends)
VIEW_ONLY = {"focus", "unfocus", "overview", "select", "gradient_flow"}


class LessonRunner:
    def __init__(self, window):
        self.window = window

    def run(self, actions, where: str, replay: bool = False) -> None:
        """Run ``actions`` in order (``replay``: to reach a later step, without those that
        only change the view); LessonError naming ``where`` and the action's field."""
        for i, action in enumerate(actions):
            (name, value), = action.items()
            if name in VIEW_ONLY:
                if replay:
                    continue
                self.window.classroom.gate.flush()
            field = f"{where}[{i}].{name}"
            try:
                getattr(self, f"_{name}")(value)
            except LessonError as err:
                raise LessonError(f"{field}: {err}") from None
            except (GraphError, FileNotFoundError, ValueError) as err:
                raise LessonError(f"{field}: {err}") from None

    # --- the actions ---------------------------------------------------------------------
    def _example(self, name: str) -> None:
        # a shipped example, or the lesson's own graph: checked again here, as the folder
        # may have changed since the lesson was read
        lesson = self.window.lessons.lesson
        folder = lesson.path.parent if lesson is not None and lesson.path else None
        self.window.document.open_example(example_file(name, folder))

    def _tab(self, name: str) -> None:
        self.window.show_tab(name)
        # a lab is built the first time it is seen: build it now, so that a ``set`` of one
        # of its controls in the same step finds it
        getattr(self.window.tabs.currentWidget(), "panel", None)

    def _data(self, name: str) -> None:
        classroom = self.window.classroom
        classroom.use_builtin(name)              # its ValueError is named by run()
        problem = classroom.problem()
        if problem:
            raise LessonError(f"data set {shown(name)} does not fit the graph: {problem}")

    def _batch(self, size: int) -> None:
        self.window.classroom.set_batch(size)

    def _sample(self, index: int) -> None:
        self.window.classroom.set_sample(index)  # its ValueError names the samples there are

    def _train_mode(self, on: bool) -> None:
        self.window.classroom.set_train_mode(on)

    def _reset(self, _value) -> None:
        self.window.show_tab("backprop")
        self.window.classroom.reset_stepping()

    def _step_to(self, target: dict) -> None:
        """Step from the start until ``target``'s node is the current step of its phase."""
        self.window.show_tab("backprop")
        self.window.classroom.step_to(target["node"], target["phase"])

    def _run_phase(self, phase: str) -> None:
        """From the start, to the end of the forward pass (and of the backward pass)."""
        self.window.show_tab("backprop")
        self.window.classroom.run_to_phase_end(phase)

    def _overview(self, _value) -> None:
        self.window.show_tab("backprop")
        self.window.view.show_whole()

    def _select(self, node: str) -> None:
        if node not in self.window.document.graph.nodes:
            raise LessonError(f"the graph has no node {shown(node)}")
        self.window.show_tab("backprop")
        self.window.editor.select([node])

    def _focus(self, key: str) -> None:
        """Enlarge an Inspector view by its key, or a whole section by "section " and its
        heading ("section Values (this sample)": a step's inputs, output and parameters), or
        the Gradient Flow dock's plot of the batch ("gradient_flow", once the dock is open)."""
        page = self.window.inspector.body
        views = dict(page.heatmaps)
        views.update((k, v) for k, v in page.views.items() if k.startswith("section "))
        dock = getattr(self.window, "gradient_flow_dock", None)
        if dock is not None and dock.isVisible():     # lesson 3.10: its plot, whole window
            views["gradient_flow"] = dock.widget().batch_plot
        if key not in views:
            known = ", ".join(sorted(views)) or "none: step to a node first"
            raise LessonError(f"the Inspector shows no view {shown(key)} (views: {known})")
        if not self.window.focus.open(views[key]):
            raise LessonError(f"the view {shown(key)} cannot be enlarged")

    def _unfocus(self, _value) -> None:
        self.window.focus.close()

    def _set(self, setting: dict) -> None:
        name, value = setting["control"], setting["value"]
        control = self.window.findChild(QWidget, name)
        training = self.window.workspace.training
        if control is None:           # the Update & Train panel is built when first shown
            control = training.panel.findChild(QWidget, name)
        if control is not None and training.built and training.panel.isAncestorOf(control):
            self._show_training()     # built before (an earlier lesson) but closed: shown
        if control is None:
            raise LessonError(f"no control named {shown(name)} on screen (open its tab first)")
        set_value(control, value)

    def _optimizer_steps(self, count: int) -> None:
        self._show_training()
        panel = self.window.workspace.training.panel
        for _ in range(count):
            if not panel.apply_one_step():
                raise LessonError(f"no optimizer step could be taken: "
                                  f"{self.window.last_message}")

    def _show_training(self) -> None:
        """The Update & Train panel beside the lesson, half and half: opened alone it
        takes 4/5 of the width, and the lesson's text wrapped a word a line at 1280x720."""
        workspace, window = self.window.workspace, self.window
        workspace.show_training()
        window.resizeDocks([window.lessons.dock, workspace.docks["training"]],
                           [window.width() // 2, window.width() // 2], Qt.Orientation.Horizontal)

    def _race(self, state: dict) -> None:
        """The Optimizers tab's race as the lesson gives it; ValueError naming what the
        lab does not know (an optimizer, a control, a hyperparameter)."""
        self._tab("optimizers")
        self.window.optimizers.panel.set_state(state)

    def _augment_demo(self, shown: bool) -> None:
        from ..training.augment_demo import show_augment_demo  # not at start-up
        show_augment_demo(self.window, shown)

    def _gradient_flow(self, shown: bool) -> None:
        """The Gradient Flow dock as View ▸ Gradient Flow opens it (false: closed)."""
        moments.show_gradient_flow(self.window, shown)

    # --- the answer card -----------------------------------------------------------------
    def card(self, card: Card) -> str:
        """The value an answer card states, read from what the reveal left (the current
        step's arrays, the augmentation demo); LessonError naming what is not there."""
        try:
            return card_text(card, self._card_values(card))
        except ValueError as err:
            raise LessonError(str(err)) from None

    def _card_values(self, card: Card):
        if card.show == "colour_added":
            tab = self.window.training_tab
            demo = tab.panel.augment_demo if tab.built else None
            if demo is None or demo.isHidden():       # not shown, or a page behind the form
                raise LessonError("the augmentation demo is not open (augment_demo: true)")
            return demo.result.shift
        event = self.window.classroom.current
        if event is None:
            raise LessonError("no step has been taken yet: step to a node first")
        arrays = step_arrays(event)
        try:
            return card_array(card, arrays)
        except KeyError as err:
            raise LessonError(f"{event.node}'s {event.phase} step has no {err.args[0]!r} "
                              f"(it has: {', '.join(arrays)})") from None
