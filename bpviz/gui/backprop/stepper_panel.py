"""StepperPanel: step the forward and backward passes node by node (bpviz.core.Stepper),
with buttons, keys and a play mode; it tells the canvas and the inspector what happened."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton,
                               QWidget)

from ...core import GraphError, Stepper
from ...core.errors import DataError
from ...core.stepper import INTERACTIVE_JACOBIAN_CAP, INTERACTIVE_JACOBIAN_ROWS
from ..theme import show_as_error


class StepperPanel(QWidget):
    event_changed = Signal(object)      # the latest StepEvent, or None at the start
    reset_done = Signal()               # the stepper was dropped (graph or data changed)
    message = Signal(str)

    def __init__(self, document, data, parent=None):
        super().__init__(parent)
        self.document, self.data = document, data
        self.stepper: Stepper | None = None
        self.position = QLabel("forward 0/0")
        self.position.setMinimumWidth(110)
        self.position.setObjectName("stepper_position")
        self.buttons = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        style = self.style()
        for key, icon, text, tip, slot in (
                ("reset", QStyle.SP_MediaSkipBackward, "Reset", "Reset to the start (Home)",
                 self.reset),
                ("back", QStyle.SP_MediaSeekBackward, "Back", "Step back (Shift+Space)",
                 self.back),
                ("step", QStyle.SP_MediaSeekForward, "Step", "Step one node (Space)",
                 self.step),
                ("phase", QStyle.SP_MediaSkipForward, "To end of phase",
                 "Run to the end of the phase (Ctrl+Space)", self.run_phase),
                ("play", QStyle.SP_MediaPlay, "Play", "Play / pause (P)", self.toggle_play)):
            button = QToolButton(text=text, toolTip=tip, icon=style.standardIcon(icon))
            if key in ("step", "play"):                 # the others: icon and tooltip
                button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.setObjectName(f"stepper_{key}")
            button.clicked.connect(slot)
            layout.addWidget(button)
            self.buttons[key] = button
        self.buttons["play"].setCheckable(True)
        self.speed = QSlider(Qt.Horizontal, minimum=1, maximum=20, value=4)
        self.speed.setToolTip("Play speed: steps per second")
        self.speed.setMaximumWidth(110)
        self.speed.valueChanged.connect(self._set_speed)
        layout.addWidget(QLabel("speed"))
        layout.addWidget(self.speed)
        self.train_mode = QCheckBox("train mode")
        self.train_mode.setToolTip("Step as in training: dropout draws and shows its mask "
                                   "(off: evaluation, dropout is the identity)")
        self.train_mode.toggled.connect(lambda _: self.invalidate())
        layout.addWidget(self.position)          # (train_mode sits with the data controls)
        # why the graph cannot be stepped, kept in view until an edit or new data mends it
        self.reason = QLabel(wordWrap=True)
        self.reason.setObjectName("stepper_reason")
        show_as_error(self.reason)
        self.reason.hide()
        layout.addWidget(self.reason, 1)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._set_speed(self.speed.value())
        data.changed.connect(self.invalidate)
        data.sample_changed.connect(self.set_sample)

    # --- the stepper's life -------------------------------------------------------------
    def watch(self, graph) -> None:
        """Follow a newly opened graph: any edit (but a move) makes the stepper stale."""
        graph.changed.connect(lambda kind, nid: kind != "moved" and self.invalidate())
        self.invalidate()

    def invalidate(self) -> None:
        if self.stepper is not None or self.timer.isActive():
            self.stepper = None
            self.pause()
            self.reset_done.emit()
        if self.reason.isVisibleTo(self):        # does the change mend it? ask again
            self._ensure(quiet=True)
        self._show_position()

    def _ensure(self, quiet: bool = False) -> bool:
        if self.stepper is not None:
            return True
        try:
            self.stepper = Stepper(self.document.graph, self.data.feeds(),
                                   train=self.train_mode.isChecked(),
                                   sample=self.data.sample.value(),
                                   cap=INTERACTIVE_JACOBIAN_CAP,
                                   max_rows=INTERACTIVE_JACOBIAN_ROWS)
        except (GraphError, DataError) as err:
            self._cannot_step(err, quiet)
            return False
        self._show_reason("")
        return True

    def _cannot_step(self, err: Exception, quiet: bool = False) -> None:
        self.pause()
        self._show_reason(f"Cannot step: {err}")
        if not quiet:
            self.message.emit(f"Cannot step: {err}")

    def _show_reason(self, text: str) -> None:
        self.reason.setText(f"<b>⚠ {escape(text)}</b>" if text else "")
        self.reason.setToolTip(text)
        self.reason.setVisible(bool(text))

    def _run(self, action) -> None:
        if not self._ensure():
            self._show_position()
            return
        try:
            action()
        except GraphError as err:          # e.g. a target out of range shows up in forward
            self._cannot_step(err)
            self._show_position()
            return
        self._show_reason("")
        self._show_position()
        self.event_changed.emit(self.current())

    def current(self):
        """The latest step's event (None before the first step)."""
        if self.stepper is None or not self.stepper.history:
            return None
        return self.stepper.history[-1]

    def set_sample(self, sample: int) -> None:
        if self.stepper is not None and sample < self.stepper.batch:
            self.stepper.sample = sample
            self.event_changed.emit(self.current())

    def step(self) -> None:
        self._run(lambda: self.stepper.step())
        if self.stepper is not None and self.stepper.done:
            self.pause()

    def back(self) -> None:
        self._run(lambda: self.stepper.back())

    def run_phase(self) -> None:
        self._run(lambda: self.stepper.run_phase())

    def reset(self) -> None:
        if self.stepper is not None:
            self.stepper.reset()
        self.pause()
        self._show_position()
        self.event_changed.emit(None)

    # --- play ----------------------------------------------------------------------------
    def _set_speed(self, per_second: int) -> None:
        self.timer.setInterval(int(1000 / per_second))

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            if self.stepper is not None and self.stepper.done:
                self.stepper.reset()
            self.timer.start()
            self.buttons["play"].setChecked(True)
            self.buttons["play"].setText("Pause")
            self.buttons["play"].setIcon(self.style().standardIcon(QStyle.SP_MediaPause))

    def pause(self) -> None:
        self.timer.stop()
        self.buttons["play"].setChecked(False)
        self.buttons["play"].setText("Play")
        self.buttons["play"].setIcon(self.style().standardIcon(QStyle.SP_MediaPlay))

    def _tick(self) -> None:
        self.step()

    def _show_position(self) -> None:
        if self.reason.isVisibleTo(self):
            self.position.setText("cannot step")
        elif self.stepper is None:
            self.position.setText("ready: press Space")
        else:
            self.position.setText(self.stepper.position)

    def set_position_text(self, text: str) -> None:
        self.position.setText(text)
