"""ModelFiles: models in and out of the app — File ▸ Open of an ONNX model (asking which
loss to attach) and File ▸ Export ▸ PyTorch module… / ONNX model… (bpviz.interop does the
work; this module only asks and reports)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog

from ...core import GraphError

# bpviz.interop and bpviz.core.network.export are imported on first use: not at start-up (issue 24)

ONNX_SUFFIX = ".onnx"
NO_LOSS = "none (the network only)"


def is_onnx(path) -> bool:
    return str(path).lower().endswith(ONNX_SUFFIX)


class ModelFiles(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def add_actions(self, menu, add) -> None:
        export = menu.addMenu("E&xport Model")
        add(export, "&PyTorch Module…", self.export_pytorch)
        add(export, "&ONNX Model…", self.export_onnx)

    def ask_loss(self, name: str) -> str | None:
        """The loss to attach to an imported model: a loss op's name, "" for none, None if
        the user cancelled. ConvertError first where onnx is missing (nothing is asked)."""
        from ...interop.errors import require_onnx
        from ...interop.onnx_import import losses

        require_onnx()
        choices = ["CrossEntropyLoss"] + [n for n in losses() if n != "CrossEntropyLoss"]
        choice, ok = QInputDialog.getItem(
            self.window, "Attach a loss",
            f"{name} is a network without a loss. Which loss should bpviz add over its "
            f"output (with an Input 'target')?", choices + [NO_LOSS], 0, False)
        if not ok:
            return None
        return "" if choice == NO_LOSS else choice

    def open_onnx(self, path, loss: str | None = None) -> bool:
        """Open an ONNX model as a new, unsaved graph; ``loss`` None: ask which."""
        from ...interop import load_onnx

        try:
            if loss is None:
                loss = self.ask_loss(Path(path).name)
                if loss is None:
                    return False
            graph = load_onnx(path, loss or None)
        except GraphError as err:
            self.window.show_error("Cannot open model", str(err))
            return False
        except Exception as err:     # a fault of bpviz: a message, the document kept
            self.window.show_error("Cannot open model", f"bpviz failed to read "
                                   f"'{Path(path).name}' ({type(err).__name__}: {err}); the "
                                   f"open document is kept.")
            return False
        graph.name = Path(path).name.removesuffix(ONNX_SUFFIX)
        self.window.document.set_graph(graph, None, modified=True)
        self.window.say(f"Opened the ONNX model {Path(path).name}"
                        + (f" with {loss}" if loss else ""))
        return True

    def _target(self, title: str, default: str, kind: str, path):
        if path is None:
            stem = (self.window.document.graph.name or "model").split(" (")[0]
            stem = "".join(c if c.isalnum() else "_" for c in stem)[:40] or "model"
            path, _ = QFileDialog.getSaveFileName(self.window, title,
                                                  str(Path.home() / (stem + default)), kind)
        return path or None

    def _export(self, what: str, write, path) -> bool:
        try:
            written = write(self.window.document.graph, path)
        except GraphError as err:
            self.window.show_error(f"Cannot export the {what}", str(err))
            return False
        except Exception as err:     # a fault of bpviz: a message, nothing else changes
            self.window.show_error(f"Cannot export the {what}",
                                   f"bpviz failed ({type(err).__name__}: {err})")
            return False
        names = [Path(p).name for p in (written or [path])]
        self.window.say(f"Exported the {what}: {', '.join(names)}")
        return True

    def export_pytorch(self, path=None) -> bool:
        from ...core.network.export import export_pytorch

        path = self._target("Export PyTorch module", ".py", "Python source (*.py)", path)
        return bool(path) and self._export("PyTorch module", export_pytorch, path)

    def export_onnx(self, path=None) -> bool:
        from ...interop import save_onnx

        path = self._target("Export ONNX model", ONNX_SUFFIX, "ONNX models (*.onnx)", path)
        return bool(path) and self._export("ONNX model", save_onnx, path)
