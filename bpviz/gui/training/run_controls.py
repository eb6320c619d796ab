"""RunControls: the Training tab's buttons (Start, Pause, Stop; Open run folder…, Continue a
run…, Augmentation demo…), the run's progress and its status line, above the run's plots.
Under the form they were cut off at 1280x720 (the form alone is ~700 px tall in
presentation type); above the plots they are always whole, beside what they start."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..widgets.named import named


class RunControls(QWidget):
    def __init__(self, progress: QProgressBar, parent=None):
        """``progress``: the run view's bar, shown beside Start, Pause and Stop."""
        super().__init__(parent)
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.open_button = QPushButton("Open run folder…")
        self.open_button.setToolTip("Show the history of a run, e.g. one from a cluster")
        self.continue_button = QPushButton("Continue a run…")
        self.continue_button.setToolTip("Fill the form from a run folder with a checkpoint, "
                                        "to resume it with Start")
        self.augment_button = named(QPushButton("Augmentation demo…"), "augment_open_demo")
        self.augment_button.setToolTip("AlexNet's crops, flips and PCA lighting on one image")
        self.status = named(QLabel(wordWrap=True), "training_status")
        # a long message wraps onto more lines instead of widening the column
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Start, Pause, Stop; then two a row: the plots' column is ~460 px on a projector
        buttons = QGridLayout()
        for i, b in enumerate((self.start_button, self.pause_button, self.stop_button)):
            buttons.addWidget(b, 0, 2 * i, 1, 2)
        for i, w in enumerate((self.open_button, self.continue_button, self.augment_button,
                               progress)):
            buttons.addWidget(w, 1 + i // 2, 3 * (i % 2), 1, 3)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.status)
