"""What the Training tab says where torch is missing (the README's first command installs
the app without it): what training needs and the exact command that installs it into this
Python. Everything else, opened run folders included, works without it."""
from __future__ import annotations

import html
import importlib.util
import shlex
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from .train_worker import load_engine

INSTALL_ARGS = "-m pip install torch torchvision"
# PyPI's Linux wheels of torch 2.14.1 + torchvision 0.29.1 and the CUDA libraries they pull:
# 3.0 GB of wheels (pip's install report), 5.7 GB installed (du -b of a venv)
INSTALL_SIZE = "on Linux about 3 GB to download and 5.7 GB on disk, even without a GPU"
# a frozen app (the small package) has no pip: the full package (packaging/build.sh full)
# replaces it
FROZEN_COMMAND = "sudo apt install ./bpviz-full_*.deb"


ENGINE_PACKAGES = ("torch", "torchvision")


def uninstalled_engine() -> str | None:
    """None when torch and torchvision are installed (found, not imported: milliseconds);
    otherwise which is not, in words. Whether they also load is missing_engine's question."""
    for name in ENGINE_PACKAGES:
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError) as err:      # a finder that refuses the name
            return str(err) or type(err).__name__
        if found is None:
            return f"No module named {name!r}"
    return None


def engine_failure(load) -> str | None:
    """None when ``load()`` (import_engine or load_engine) succeeds; otherwise why not, in
    words."""
    try:
        load()
    # not installed; its compiled libraries fail; torchvision without its compiled operators
    # ("operator torchvision::nms does not exist", e.g. a bundle that missed them)
    except (ImportError, OSError, RuntimeError) as err:
        return str(err) or type(err).__name__
    return None


def missing_engine() -> str | None:
    """None when torch, torchvision and the training loop load (loaded now, in this thread);
    otherwise why not, in words."""
    return engine_failure(load_engine)


def install_command() -> str:
    """pip of the Python running bpviz, so torch lands where bpviz will import it."""
    if getattr(sys, "frozen", False):
        return FROZEN_COMMAND
    return f"{shlex.quote(sys.executable)} {INSTALL_ARGS}"


class InstallNotice(QWidget):
    """Why training cannot run here, the command to copy, and what works meanwhile."""

    def __init__(self, reason: str, parent=None):
        super().__init__(parent)
        self.why = QLabel(f"<b>Training needs PyTorch</b> (torch and torchvision), which this "
                          f"Python cannot load ({html.escape(reason)}). Install it, then "
                          f"restart bpviz:", wordWrap=True,
                          textInteractionFlags=Qt.TextSelectableByMouse)
        self.command = QLineEdit(install_command(), readOnly=True)
        self.command.setCursorPosition(0)
        copy = QPushButton("Copy the command")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.command.text()))
        meanwhile = QLabel(f"In a bpviz source folder <code>pip install -e '.[train]'</code> "
                           f"does the same: {INSTALL_SIZE}. <b>Open run folder…</b> works "
                           f"without it and shows a run's curves.", wordWrap=True)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 8)
        for w in (self.why, self.command, copy, meanwhile):
            col.addWidget(w)
