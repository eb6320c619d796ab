"""File ▸ Open of an .onnx file, and `bpviz model.onnx` asking its loss, where the optional
onnx package is missing: one message naming the package and the pip command, before any
question about the loss; the open document is kept."""
import sys

from PySide6.QtWidgets import QFileDialog, QInputDialog

from bpviz.gui.app import open_asked, parse_args

from .menus import menu_action


def block_onnx(monkeypatch):
    """`import onnx` fails from now on, as where it is not installed; questions asked."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    asked = []
    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *a: asked.append(a) or ("MSELoss", True)))
    return asked


def test_file_open_of_an_onnx_model_says_what_to_install(window, monkeypatch, tmp_path):
    asked = block_onnx(monkeypatch)
    model = tmp_path / "model.onnx"
    model.write_bytes(b"\x08\x07" * 64)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(model), "")))
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    before = window.document.graph
    menu_action(window, "&File", "&Open…").trigger()
    assert asked == [] and window.document.graph is before
    assert len(shown) == 1
    assert "onnx package" in shown[0][1] and "pip install 'bpviz[onnx]'" in shown[0][1]


def test_export_onnx_says_what_to_install(window, monkeypatch, tmp_path):
    block_onnx(monkeypatch)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "net.onnx"), "")))
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    menu_action(window, "&File", "E&xport Model", "&ONNX Model…").trigger()
    assert len(shown) == 1 and "pip install 'bpviz[onnx]'" in shown[0][1]
    assert not (tmp_path / "net.onnx").exists()


def test_bpviz_model_onnx_says_it_before_asking_the_loss(window, monkeypatch, tmp_path):
    asked = block_onnx(monkeypatch)
    model = tmp_path / "model.onnx"
    model.write_bytes(b"\x08\x07" * 64)
    problem = open_asked(window, parse_args([str(model)]))
    assert asked == [] and "pip install 'bpviz[onnx]'" in problem
