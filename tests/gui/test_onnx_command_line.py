"""`bpviz model.onnx`: asks which loss to attach, as File ▸ Open does; `--loss NAME` answers
beforehand; `--screenshot` never asks (no loss unless --loss names one)."""
import pytest

pytest.importorskip("onnx")

from PySide6.QtWidgets import QInputDialog  # noqa: E402

from bpviz.core import load_graph  # noqa: E402
from bpviz.gui.app import open_asked, parse_args  # noqa: E402
from bpviz.interop import save_onnx  # noqa: E402
from bpviz.paths import example_path  # noqa: E402
from tests.stderr_lines import own_lines

from .test_command_line import run  # noqa: E402


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "spirals.onnx"
    save_onnx(load_graph(example_path("spirals_mlp")), path)
    return path


def ops(window) -> list[str]:
    graph = window.document.graph
    return [graph.nodes[nid].op for nid in graph.order]


def asked(monkeypatch, answer):
    """QInputDialog.getItem answering ``answer`` (the item, ok); the questions asked."""
    questions = []

    def get_item(parent, title, label, items, *rest):
        questions.append((title, label, items))
        return answer
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    return questions


def test_the_loss_is_asked_as_file_open_asks(window, monkeypatch, model):
    questions = asked(monkeypatch, ("MSELoss", True))
    assert open_asked(window, parse_args([str(model)])) is None
    assert len(questions) == 1 and questions[0][0] == "Attach a loss"
    assert "spirals.onnx" in questions[0][1] and "CrossEntropyLoss" in questions[0][2]
    assert ops(window)[-1] == "MSELoss" and "target" in window.document.graph.nodes


def test_cancelling_the_question_opens_the_default_example_and_says_so(window, monkeypatch,
                                                                        model):
    asked(monkeypatch, ("", False))
    assert open_asked(window, parse_args([str(model)])) is None
    assert window.document.graph.name == load_graph(example_path("fc_softmax_ce")).name
    assert "spirals.onnx not opened" in window.statusBar().currentMessage()


@pytest.mark.parametrize("given, loss", [([], None), (["--loss", "crossentropyloss"],
                                                      "CrossEntropyLoss"),
                                         (["--loss", "none"], None)])
def test_a_screenshot_or_loss_never_asks(window, monkeypatch, model, tmp_path, given, loss):
    questions = asked(monkeypatch, ("MSELoss", True))
    args = parse_args([str(model), "--screenshot", str(tmp_path / "x.png"), *given])
    assert open_asked(window, args) is None
    assert questions == []
    assert (ops(window)[-1] == loss) if loss else not any("Loss" in op for op in ops(window))


@pytest.mark.parametrize("argv, says", [
    (["--loss", "MSELoss"], "--loss goes with an ONNX model FILE"),
    (["MODEL", "--loss", "L7"], "unknown loss 'L7' (choose from"),
])
def test_a_loss_without_a_model_or_unknown_is_one_line(model, tmp_path, argv, says):
    argv = [str(model) if a == "MODEL" else a for a in argv]
    result = run(argv, tmp_path)
    assert result.returncode == 2 and says in result.stderr
    assert len(own_lines(result.stderr)) == 1


def test_bpviz_model_onnx_with_a_loss_renders(model, tmp_path):
    out = tmp_path / "shot.png"
    result = run([str(model), "--loss", "CrossEntropyLoss", "--screenshot", str(out)],
                 tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000
