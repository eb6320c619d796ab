"""StepperPanel: the stepper bar — step the forward and backward passes node by node, back,
to the end of a phase, play — a view of the Classroom's stepper (bpviz.core.classroom)."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from ..theme import show_as_error
from ..widgets.named import named


class StepperPanel(QWidget):
    def __init__(self, classroom, parent=None):
        super().__init__(parent)
        self.classroom = classroom
        self.position = QLabel("forward 0/0")
        self.position.setMinimumWidth(110)
        self.position.setObjectName("stepper_position")
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for key, icon, text, tip, slot in (
                ("reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Reset", "Reset to the start (Home)",
                 self.reset),
                ("back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Back", "Step back (Shift+Space)",
                 self.back),
                ("step", QStyle.StandardPixmap.SP_MediaSeekForward, "Step", "Step one node (Space)",
                 self.step),
                ("phase", QStyle.StandardPixmap.SP_MediaSkipForward, "To end of phase",
                 "Run to the end of the phase (Ctrl+Space)", self.run_phase),
                ("play", QStyle.StandardPixmap.SP_MediaPlay, "Play", "Play / pause (P)", self.toggle_play)):
            button = self._button(key, icon, text, tip)
            button.clicked.connect(slot)
            layout.addWidget(button)
            self.buttons[key] = button
        self.buttons["play"].setCheckable(True)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 20)
        self.speed.setValue(4)
        self.speed.setObjectName("stepper_speed")
        self.speed.setToolTip("Play speed: steps per second")
        self.speed.setAccessibleName("Play speed (steps per second)")
        self.speed.setMaximumWidth(110)
        self.speed.valueChanged.connect(self._set_speed)
        layout.addWidget(QLabel("speed"))
        layout.addWidget(self.speed)
        self.train_mode = QCheckBox("train mode")
        self.train_mode.setObjectName("train_mode")
        self.train_mode.setToolTip("Step as in training: dropout draws and shows its mask "
                                   "(off: evaluation, dropout is the identity)")
        self.train_mode.toggled.connect(classroom.set_train_mode)
        layout.addWidget(self.position)          # (train_mode sits with the data controls)
        # why the graph cannot be stepped, kept in view until an edit or new data mends it
        self.reason = QLabel(wordWrap=True)
        self.reason.setObjectName("stepper_reason")
        self.reason.setTextFormat(Qt.TextFormat.RichText)
        show_as_error(self.reason)
        self.reason.hide()
        layout.addWidget(self.reason, 1)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self._set_speed(self.speed.value())
        classroom.stepped.connect(self._stepped)
        classroom.reason_changed.connect(self._show_reason)
        classroom.data_changed.connect(self._show_position)
        classroom.params_changed.connect(self._show_position)    # "update", stepped or not
        self._show_reason(classroom.reason)

    def _button(self, key: str, icon: QStyle.StandardPixmap, text: str, tip: str) -> QToolButton:
        """The stepper's button ``key``: its text beside the icon for Step and Play."""
        button = named(QToolButton(), f"stepper_{key}")
        button.setText(text)
        button.setToolTip(tip)
        button.setIcon(self.style().standardIcon(icon))
        if key in ("step", "play"):                 # the others: icon and tooltip
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    # --- following the classroom ----------------------------------------------------------
    def _stepped(self, _event) -> None:
        if self.classroom.stepper is None or self.classroom.gradients_ready:
            self.pause()                 # dropped, or at the end: play stops
        self._show_position()

    def _show_reason(self, text: str) -> None:
        if text:
            self.pause()
        text = f"Cannot step: {text}" if text else ""
        self.reason.setText(f"<b>⚠ {escape(text)}</b>" if text else "")
        self.reason.setToolTip(text)
        self.reason.setVisible(bool(text))
        self._show_position()

    def _show_position(self, *_) -> None:
        self.position.setText(self.classroom.position)
        self.train_mode.blockSignals(True)
        self.train_mode.setChecked(self.classroom.train_mode)
        self.train_mode.blockSignals(False)

    # --- the buttons and keys -------------------------------------------------------------
    def step(self) -> None:
        self.classroom.step()

    def back(self) -> None:
        self.classroom.back()

    def run_phase(self) -> None:
        self.classroom.run_phase()

    def reset(self) -> None:
        self.pause()
        self.classroom.reset_stepping()

    # --- play ----------------------------------------------------------------------------
    def _set_speed(self, per_second: int) -> None:
        self.timer.setInterval(int(1000 / per_second))

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
            return
        if self.classroom.gradients_ready:
            self.classroom.reset_stepping()
        self.timer.start()
        self.buttons["play"].setChecked(True)
        self.buttons["play"].setText("Pause")
        self.buttons["play"].setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))

    def pause(self) -> None:
        self.timer.stop()
        self.buttons["play"].setChecked(False)
        self.buttons["play"].setText("Play")
        self.buttons["play"].setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
