"""What the Training tab says where torch is missing (the README's first command, the wheel
and the small package install the app without it): what training needs and what adds it on
this machine: in a Python with pip, the exact command for its pip (PyTorch's CPU-only build
where no NVIDIA GPU shows); in the small package, the full package or bpviz-train in a venv.
Everything else, opened run folders included, works without it."""
from __future__ import annotations

import html
import importlib.util
import shlex
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ... import __version__
from .train_worker import load_engine

INSTALL_ARGS = "-m pip install torch torchvision"
# PyTorch's own CPU-only wheels (pytorch.org/get-started): ~200 MB instead of PyPI's CUDA build
CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"
# PyPI's Linux wheels of torch 2.14.1 + torchvision 0.29.1 and the CUDA libraries they pull:
# 3.0 GB of wheels (pip's install report), 5.7 GB installed (du -b of a venv)
INSTALL_SIZE = "on Linux about 3 GB to download and 5.7 GB on disk"
VENV = "~/bpviz-venv"          # the venv the small package's advice makes for bpviz-train


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


def nvidia_gpu() -> bool:
    """Whether this machine shows an NVIDIA driver (Linux: its /proc entry; elsewhere
    nvidia-smi on PATH): CUDA wheels are worth their size only there."""
    return Path("/proc/driver/nvidia/version").exists() or bool(shutil.which("nvidia-smi"))


def torch_args(gpu: bool) -> str:
    """pip's arguments for torch and torchvision: PyPI's build where a GPU can use it, the
    CPU-only build elsewhere."""
    return INSTALL_ARGS if gpu else f"{INSTALL_ARGS} {CPU_INDEX}"


def install_command(gpu: bool | None = None) -> str:
    """What adds training here, to copy into a terminal: in a Python with pip (a venv, a
    checkout) its pip, so torch lands where bpviz imports it; in the frozen small package,
    which has no pip, a venv beside it with bpviz-train (its run folders open here)."""
    gpu = nvidia_gpu() if gpu is None else gpu
    if getattr(sys, "frozen", False):
        pip = f"{VENV}/bin/python"
        return (f"python3 -m venv {VENV} && {pip} {torch_args(gpu)} && "
                f"{pip} -m pip install bpviz-{__version__}-py3-none-any.whl")
    return f"{shlex.quote(sys.executable)} {torch_args(gpu)}"


def advice(reason: str, gpu: bool) -> tuple[str, str]:
    """The notice's text above the command and below it (rich text), for this install."""
    why = (f"<b>Training needs PyTorch</b> (torch and torchvision), which this Python cannot "
           f"load ({html.escape(reason)}).")
    build = ("PyPI's build, with CUDA for the NVIDIA GPU found here" if gpu else
             "PyTorch's CPU-only build, as no NVIDIA GPU shows here (PyPI's, without "
             "<code>--index-url</code>, brings CUDA")
    build += f": {INSTALL_SIZE}." if gpu else f": {INSTALL_SIZE})."
    if getattr(sys, "frozen", False):
        full = (f"<b>bpviz-full</b>, the package with PyTorch, replaces it: <code>sudo apt "
                f"install ./bpviz-full_{__version__}_*.deb</code> (made from a bpviz source "
                f"folder by <code>packaging/build.sh full</code>). Or "
                if sys.platform.startswith("linux") else "")
        return (f"{why} This package leaves it out. {full}train with <b>bpviz-train</b> in a "
                f"venv, with the bpviz wheel (<code>bpviz-{__version__}-py3-none-any.whl"
                f"</code>) in this folder:",
                f"Then <code>{VENV}/bin/bpviz-train --help</code>; its run folder opens here "
                f"with <b>Open run folder…</b>, which works meanwhile too. The command gets "
                f"{build}")
    where = "this venv" if sys.prefix != sys.base_prefix else \
        "this Python (a system Python may refuse: make a venv)"
    return (f"{why} Install it into {where}, then restart bpviz:",
            f"The command gets {build} In a bpviz source folder <code>pip install -e "
            f"'.[train]'</code> does the same. <b>Open run folder…</b> works without it and "
            f"shows a run's curves.")


class InstallNotice(QWidget):
    """Why training cannot run here, the command to copy, and what works meanwhile."""

    def __init__(self, reason: str, parent=None):
        super().__init__(parent)
        gpu = nvidia_gpu()
        above, below = advice(reason, gpu)
        self.why = QLabel(above, wordWrap=True,
                          textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command = QLineEdit(install_command(gpu), readOnly=True)
        self.command.setCursorPosition(0)
        self.command.setAccessibleName("Command that adds training")
        copy = QPushButton("Copy the command")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.command.text()))
        self.meanwhile = QLabel(below, wordWrap=True,
                                textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 8)
        for w in (self.why, self.command, copy, self.meanwhile):
            col.addWidget(w)
