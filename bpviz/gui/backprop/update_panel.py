"""UpdatePanel: apply one optimizer step and see W ← W − γ ∂L/∂W with the numbers (W before,
the step, W after; the step against plain SGD's; the stepped batch's loss before and after),
or train for N steps or continuously with a live loss curve (train and held-out) and, for
2-D data, a live decision-boundary map over the data (its views: update_views.py)."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.display.array_views import as_matrix
from ...core.errors import GraphError
from ...core.optimization.optim import build
from ...core.optimization.step_size import times_sgd
from ..widgets.formula import Formula
from ..widgets.named import named
from ..widgets.optimizer_form import PRESETS, UPDATE_FORMULAS, OptimizerForm
from ..widgets.subscribe import follow

FRAME_S = 0.035                 # continuous training: steps for 35 ms, then refresh the views
MAP_ROOM = 110                  # the decision map shows in a panel this many characters wide


class WholeFormula(Formula):
    """The update rule at the text's size, never shrunk (beside a lesson it was 6-8 px)."""

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class FormScroll(QScrollArea):
    """The form in a short dock: it scrolls down, and is never narrower than its fields."""

    def minimumSizeHint(self) -> QSize:
        form = self.widget()                  # None only before the form is set in it
        width = form.minimumSizeHint().width() if form is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width() + 4, 60)


class UpdatePanel(QWidget):
    """A view of the Classroom's optimizer and trainer: the form sets the optimizer (a value
    typed at any time is used by the next step), the buttons step and train."""

    def __init__(self, classroom, parent=None):
        super().__init__(parent)
        # plots: at the first use of the Training panel, not at start-up
        from .update_views import StepHeatMap
        self.classroom = classroom
        # plain SGD first: the lecture's W ← W − γ ∂L/∂W before momentum and Adam
        self.optim_form = OptimizerForm(kinds=[k for k in PRESETS if k != "GD"],
                                        default=classroom.optimizer.kind)
        self.kind = self.optim_form.kind
        self.kind.setObjectName("update_optimizer")       # a lesson picks it by name
        self.kind.setAccessibleName("Optimizer")
        # narrow (it widens to its column): its widest name made the panel overflow a lesson
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(7)
        self.form_problem = ""          # why the typed hyperparameters cannot be used
        self._typing = False
        self.step_button = QPushButton("Apply one step")
        self.step_button.setObjectName("apply_step")
        self.steps = QSpinBox(minimum=1, maximum=100000, value=200, suffix=" steps")
        self.steps.setObjectName("train_steps")
        self.steps.setAccessibleName("Steps to train")
        self.train_n = QPushButton("Train")    # "Train N steps" was cut beside a lesson
        self.train_n.setAccessibleName("Train N steps")
        self.train_button = QPushButton("Train continuously")
        self.train_button.setCheckable(True)
        self.status = QLabel("Not trained yet.")
        self.status.setWordWrap(True)
        self.update_formula = WholeFormula()
        self.param_choice = named(QComboBox(), "update_parameter")    # a lesson picks one
        self.param_choice.setAccessibleName("Parameter shown")
        # the step against plain SGD's with the same η (momentum's first step is SGD's)
        self.param_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.versus = named(QLabel(), "update_versus_sgd")
        bold = QFont()                  # only the weight: the size follows presentation mode
        bold.setBold(True)
        self.versus.setFont(bold)
        self.ratios: dict = {}
        # the parameter's name is the combo's: titles this short stay whole in a third of
        # the panel beside a lesson ("fc1.weight before" was cut to "fc1.weig")
        self.before, self.delta, self.after = (StepHeatMap(title, "after a step") for title in
                                               ("W before", "step ΔW", "W after"))
        self._build_layout()
        self.optim_form.kind_changed.connect(lambda _: self._form_edited())
        self.optim_form.edited.connect(self._form_edited)
        self.step_button.clicked.connect(self.apply_one_step)
        self.train_n.clicked.connect(lambda: self.train(self.steps.value()))
        self.train_button.toggled.connect(self.set_continuous)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.remaining = 0
        self.changes: dict = {}
        self.param_choice.currentIndexChanged.connect(lambda _: self.show_change())
        self.last_rate = 0.0
        self._keys: list = []
        classroom.optimizer_changed.connect(self._show_optimizer)
        classroom.trainer_reset.connect(self.show_trainer)
        follow(classroom.stepped, self, self._stepped)
        self._show_optimizer(classroom.optimizer)
        self.show_trainer()

    def _build_layout(self) -> None:
        controls = QWidget()
        col = QVBoxLayout(controls)
        col.addWidget(self.optim_form)
        col.addWidget(self.status)
        col.addStretch(1)
        scroll = FormScroll()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the buttons under the form's scroll area, always whole: at its foot, beside a
        # lesson (2.6), the "200 steps / Train" row was cut in half
        form = QWidget()
        side = QVBoxLayout(form)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(scroll, 1)
        buttons, margins = QGridLayout(), col.contentsMargins()
        buttons.setContentsMargins(margins.left(), 0, margins.right(), margins.bottom())
        buttons.addWidget(self.step_button, 0, 0, 1, 2)
        buttons.addWidget(self.steps, 1, 0)
        buttons.addWidget(self.train_n, 1, 1)
        buttons.addWidget(self.train_button, 2, 0, 1, 2)
        side.addLayout(buttons)
        self._make_plots()
        update = QWidget()                   # the rule across, the change and the loss below
        grid = QGridLayout(update)     # no side margins: 2.6's step captions scrolled the dock
        grid.setContentsMargins(0, grid.contentsMargins().top(), 0, grid.contentsMargins().bottom())
        grid.addWidget(self.update_formula, 0, 0, 1, 4)
        grid.addWidget(self.param_choice, 1, 0)
        grid.addWidget(self.versus, 1, 1, 1, 2)
        for column, heat in enumerate((self.before, self.delta, self.after)):
            # as tall as the dock gives (a short one beside a lesson cut the plots below)
            heat.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            heat.setMinimumHeight(5 * self.fontMetrics().height())
            grid.addWidget(heat, 2, column)
            grid.setColumnStretch(column, 2)
        grid.addWidget(self.loss_plot, 1, 3, 2, 1)
        grid.setColumnStretch(3, 3)          # the loss: wider than one heat map
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (form, update, self.map_plot):
            splitter.addWidget(w)
        splitter.setCollapsible(0, False)
        splitter.setSizes([0, 740, 360])        # the form as narrow as its fields allow
        for index, factor in enumerate((0, 1, 1)):    # and it keeps that width; the views share
            splitter.setStretchFactor(index, factor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)

    def _make_plots(self) -> None:
        """The loss per step (train batch and held out) and, for 2-D data, the decision map."""
        from .update_views import DecisionMap, LossPlot
        self.loss = LossPlot(self.palette().base().color())
        self.loss_plot, self.train_curve, self.test_curve = (self.loss.plot, self.loss.train,
                                                             self.loss.held_out)
        self.map = DecisionMap(self.palette().base().color())
        self.map_plot, self.map_image = self.map.plot, self.map.image

    # --- the optimizer ------------------------------------------------------------------
    def _form_edited(self) -> None:
        """Hand what was typed to the Classroom; what it refuses is kept to say why no
        step is taken."""
        self.update_formula.set_latex(UPDATE_FORMULAS[self.kind.currentText()])
        warned, self._typing = bool(self.form_problem), True   # the form stays as typed
        try:
            self.classroom.set_optimizer(self.kind.currentText(), self.optim_form.values())
        except ValueError as err:
            self.form_problem = str(err)
            self.status.setText(f"⚠ {err}")
            return
        finally:
            self._typing = False
        self.form_problem = ""
        if warned:                      # mended ("0." became "0.5"): the warning goes
            self.status.setText(f"{self.kind.currentText()}: the next step uses these values.")

    def _show_optimizer(self, settings) -> None:
        """The Classroom's optimizer in the form (a lesson or an earlier step set it)."""
        try:
            shown = (self.kind.currentText(),
                     build(self.kind.currentText(), self.optim_form.values()))
        except ValueError:
            shown = None
        if not self._typing and shown != (settings.kind, settings.build()):
            self.optim_form.set_values(settings.kind, settings.all_values)
        self.update_formula.set_latex(UPDATE_FORMULAS[settings.kind])
        self.form_problem = ""

    def _usable(self, what: str) -> bool:
        """Whether the typed hyperparameters are in use; if not, say why nothing happens."""
        if self.form_problem:
            self.classroom.message.emit(f"{what}: {self.form_problem}")
            self.status.setText(f"⚠ {what}: {self.form_problem}")
            return False
        return True

    def show_trainer(self) -> None:
        """The trainer's state: empty views for a fresh one, its curves for a kept one."""
        self.set_continuous(False)
        t = self.classroom.trainer
        self.changes = {}
        g = self.classroom.graph
        try:                            # before a step its parameters, the lesson's named (2.6)
            keys = list(t.keys) if t is not None else [
                (n, p) for n in g.order for p in g.param_names(n)]
        except GraphError:              # an edit left the graph unusable: none to choose
            keys = []
        if keys != self._keys:
            self._list_params(keys)
        if t is None or not t.steps:
            self.loss.clear()
            for view in (self.before, self.delta, self.after):
                view.clear()
            self.versus.setText("")
        if t is None or not t.history:
            self.loss.show_training(([], []), ([], []))
            self.map.clear()
            self.status.setText("Not trained yet." if t is None or not t.steps else
                                f"Step {t.steps} applied with {self.classroom.optimizer.kind}.")
        else:
            self._redraw_map_points()
            self.refresh_views()

    # --- one step -------------------------------------------------------------------------
    def apply_one_step(self) -> bool:
        """One optimizer step on the current batch (with the stepper's gradients when it
        has finished its backward pass), showing W before, the step and W after."""
        if not self._usable("Cannot update"):
            return False
        changes = self.classroom.apply_optimizer_step()
        if changes is None:
            return False
        self.changes = changes
        self._compare_with_sgd()
        self._ensure_keys()
        self.show_change()
        self.status.setText(f"Step {self.classroom.trainer.steps} applied with "
                            f"{self.kind.currentText()}.")
        return True

    def _ensure_keys(self) -> None:
        t = self.classroom.trainer
        if t is not None and list(t.keys) != self._keys:
            self._list_params(list(t.keys))
            self._redraw_map_points()

    def _list_params(self, keys: list) -> None:
        """The parameters to choose from (quietly: the caller shows the change once)."""
        self._keys = keys
        self.param_choice.blockSignals(True)
        self.param_choice.clear()
        for nid, p in keys:
            self.param_choice.addItem(f"{nid}.{p}", (nid, p))
        self.param_choice.setMinimumWidth(self.param_choice.sizeHint().width())  # whole names
        self.param_choice.blockSignals(False)

    def show_change(self) -> None:
        """W before, the step and W after, for the parameter chosen in the combo."""
        if not self.changes:
            return
        key = self.param_choice.currentData() or next(iter(self.changes))
        before, after = self.changes[key]
        self.before.set_array(as_matrix(before))
        self.delta.set_array(as_matrix(after - before))
        self.after.set_array(as_matrix(after))
        ratio = self.ratios.get(key)
        self.versus.setText(f"ΔW = {ratio:.2f} × SGD's" if ratio is not None else "")
        self.versus.setToolTip("‖ΔW‖ over plain SGD's ‖η ∂L/∂W‖ with the same η, for this "
                               "step")

    def _compare_with_sgd(self) -> None:
        """Each parameter's step against plain SGD's (η ∂L/∂W with the gradients the step
        used, still in the graph), and the stepped batch's loss before the step: the graph
        holds the values of the forward pass the gradients came from."""
        t, graph = self.classroom.trainer, self.classroom.graph
        lr = getattr(t.optimizer, "lr", None)
        plain = self.classroom.optimizer.kind == "SGD"
        try:
            self.ratios = {} if plain or lr is None else {
                key: times_sgd(b, a, graph.param_grad(*key), lr)
                for key, (b, a) in self.changes.items()}
            self.loss.set_point(t.steps - 1, float(graph.value(graph.loss_node())))
        except GraphError:              # no values or gradients to read: nothing to compare
            self.ratios = {}

    def _stepped(self, event) -> None:
        """The loss of a batch stepped forward, at the steps applied (0 before any: 2.6's
        loss plot shows the loss its question starts from)."""
        t = self.classroom.trainer
        if (event is not None and event.phase == "forward"
                and event.index == event.total and np.ndim(event.output) == 0):
            self.loss.set_point(t.steps if t is not None else 0, float(event.output))

    # --- training -------------------------------------------------------------------------
    def train(self, steps: int) -> None:
        if self._usable("Cannot train") and self.classroom.ensure_trainer():
            self._ensure_keys()
            self.remaining = steps
            self.timer.start(0)

    def set_continuous(self, on: bool) -> None:
        if on:
            self.train(-1)                      # until stopped
        if not on or not self.timer.isActive():
            self.timer.stop()
            self.remaining = 0
        self.train_button.blockSignals(True)
        self.train_button.setChecked(self.timer.isActive())
        self.train_button.setText("Stop" if self.timer.isActive() else "Train continuously")
        self.train_button.blockSignals(False)

    def run_steps(self, budget_s: float = FRAME_S) -> int:
        """Train for about ``budget_s`` seconds of steps (or what remains of N) with the
        optimizer as it is set now; returns how many steps changed the parameters. A value
        being typed that is not (yet) valid — "0." on the way to "0.5" — does not stop
        training: the last valid settings are used, and the status says so."""
        progress = self.classroom.train(None if self.remaining < 0 else self.remaining, budget_s)
        if progress is None:
            self.remaining = 0
            return 0
        if progress.diverged:
            self.classroom.message.emit(f"Training stopped: {progress.diverged}")
            self.remaining = 0
        elif self.remaining > 0:
            self.remaining -= len(progress.records)
        return len(progress.records)

    def _tick(self) -> None:
        start = time.perf_counter()
        try:
            done = self.run_steps()
            self.refresh_views()
        except Exception as err:        # a timer must stop on any failure, not repeat it
            self.remaining = 0
            self.classroom.message.emit(f"Training stopped: {type(err).__name__}: {err}")
            done = 0
        if self.remaining == 0:
            self.set_continuous(False)
        self.last_rate = done / max(time.perf_counter() - start, 1e-9)

    def refresh_views(self) -> None:
        """Loss curves, the held-out loss and the decision map, from the trainer's state."""
        t = self.classroom.trainer
        if t is None or not t.history:
            return
        if t.diverged:
            self.loss.show_training(t.loss_curve(), t.held_out_curve())
            return                      # the views keep the last sane picture
        held_out = self.classroom.held_out
        loss, acc = t.check_held_out(held_out)
        self.loss.show_training(t.loss_curve(), t.held_out_curve())
        text = f"step {t.steps}: batch loss {t.history[-1].loss:.4f}, held-out loss {loss:.4f}"
        if acc is not None:
            text += f", held-out accuracy {acc:.1%}"
        if self.form_problem:
            text = f"⚠ {self.form_problem}: training goes on with the values before. {text}"
        self.status.setText(text)
        if held_out.x.shape[1:] == (2,) and t.classifier() is not None:
            self.map.draw(t, self.classroom.train_data)

    def _room(self) -> int:
        """The width the dock gives: its own, the panel's until it is in one."""
        parent = self.parentWidget()
        return parent.width() if parent is not None else self.width()

    def _show_map(self) -> None:
        """A map only of 2-D data, and only with room for it beside the loss: beside a
        lesson the update and the loss come first."""
        # the room the dock gives (the panel's own width grows with the map: no loop)
        given = self._room()
        room = given >= MAP_ROOM * self.fontMetrics().averageCharWidth()
        data = self.classroom.train_data
        shown = room and data is not None and data.x.shape[1:] == (2,)
        if shown != self.map_plot.isVisibleTo(self):
            self.map_plot.setVisible(shown)
            QTimer.singleShot(0, self, self._shrink)    # once the splitter knows

    def _shrink(self) -> None:
        """No wider than the room given, or than the panel needs: the scroll area
        (widgets/lazy.py) keeps the width the panel needed with its map."""
        given = self._room()
        need = max(given, self.minimumSizeHint().width())
        if self.parentWidget() and self.width() > need:
            self.resize(need, self.height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._show_map)

    def _redraw_map_points(self) -> None:
        self._show_map()
        self.map.draw_points(self.classroom.train_data)
