"""File ▸ Open of an ONNX model (asking which loss) and File ▸ Export ▸ PyTorch / ONNX."""
import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

pytest.importorskip("onnx")

from bpviz.core import load_graph  # noqa: E402
from bpviz.interop import load_onnx, save_onnx  # noqa: E402
from bpviz.paths import example_path  # noqa: E402

from ..menus import menu_action  # noqa: E402


@pytest.fixture
def answers(monkeypatch):
    """What the user picks in the file dialogs and the loss question."""
    picked = {"open": "", "save": "", "loss": ("CrossEntropyLoss", True), "asked": []}
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(picked["open"]), "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(picked["save"]), "")))

    def get_item(parent, title, label, items, *rest):
        picked["asked"].append(items)
        return picked["loss"]
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    return picked


def an_onnx_model(tmp_path):
    path = tmp_path / "tiny.onnx"
    save_onnx(load_graph(example_path("tiny_cnn")), path)
    return path


def test_open_onnx_asks_the_loss_and_shows_a_new_unsaved_graph(window, answers, tmp_path):
    answers["open"] = an_onnx_model(tmp_path)
    menu_action(window, "&File", "&Open…").trigger()
    graph = window.document.graph
    assert answers["asked"][0][0] == "CrossEntropyLoss"
    assert graph.nodes["loss"].op == "CrossEntropyLoss" and "target" in graph.nodes
    assert window.document.path is None and window.document.modified
    want = load_graph(example_path("tiny_cnn"))
    np.testing.assert_array_equal(graph.param("conv", "weight"), want.param("conv", "weight"))


def test_cancelling_the_loss_question_keeps_the_document(window, answers, tmp_path):
    before = window.document.graph
    answers["open"], answers["loss"] = an_onnx_model(tmp_path), ("", False)
    menu_action(window, "&File", "&Open…").trigger()
    assert window.document.graph is before


def test_a_damaged_onnx_file_is_one_message(window, answers, tmp_path):
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    before = window.document.graph
    answers["open"] = tmp_path / "damaged.onnx"
    answers["open"].write_bytes(b"\x08\x07garbage" * 50)
    menu_action(window, "&File", "&Open…").trigger()
    assert window.document.graph is before
    assert len(shown) == 1 and "damaged.onnx" in shown[0][1]


def test_export_menu_writes_pytorch_source_and_onnx(window, answers, tmp_path):
    answers["save"] = tmp_path / "net.py"
    menu_action(window, "&File", "E&xport Model", "&PyTorch Module…").trigger()
    answers["save"] = tmp_path / "net.onnx"
    menu_action(window, "&File", "E&xport Model", "&ONNX Model…").trigger()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "net.npz", "net.onnx", "net.py"]
    again = load_onnx(tmp_path / "net.onnx")
    assert [n.op for n in again.nodes.values()][:2] == ["Input", "Linear"]


def test_export_into_a_missing_folder_is_one_message(window, answers, tmp_path):
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    answers["save"] = tmp_path / "gone" / "net.onnx"
    menu_action(window, "&File", "E&xport Model", "&ONNX Model…").trigger()
    assert len(shown) == 1 and "net.onnx" in shown[0][1]
    assert not list(tmp_path.glob("**/*.tmp"))
