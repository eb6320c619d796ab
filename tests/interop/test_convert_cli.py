"""bpviz-convert's refusals: one line naming the op or the reason, exit 2, nothing written."""
import subprocess
import sys
import time

import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

from bpviz.interop.convert import main  # noqa: E402
from bpviz.paths import example_path  # noqa: E402


def save_model(path, nodes, outputs=("y",)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, ["N", 4]) for o in outputs]
    graph = helper.make_graph(nodes, "g", [x], outs)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def refused(capsys, tmp_path, source, *extra):
    target = tmp_path / "out.bpviz.json"
    assert main([str(source), str(target), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]    # nothing written
    return err


def test_unsupported_op_is_named_with_its_node(tmp_path, capsys):
    path = tmp_path / "cumsum.onnx"
    axis = helper.make_node("Constant", [], ["axis"], value=helper.make_tensor(
        "a", TensorProto.INT64, [], [1]))
    save_model(path, [axis, helper.make_node("CumSum", ["x", "axis"], ["y"], name="sum1")])
    assert refused(capsys, tmp_path, path) == \
        "bpviz-convert: error: unsupported ONNX op CumSum at node 'sum1'"


def test_second_output_is_refused(tmp_path, capsys):
    path = tmp_path / "two.onnx"
    save_model(path, [helper.make_node("Relu", ["x"], ["y"]),
                      helper.make_node("Sigmoid", ["x"], ["z"])], outputs=("y", "z"))
    assert "2 outputs ('y', 'z')" in refused(capsys, tmp_path, path)


def test_unknown_loss_lists_the_losses(tmp_path, capsys):
    path = tmp_path / "relu.onnx"
    save_model(path, [helper.make_node("Relu", ["x"], ["y"])])
    err = refused(capsys, tmp_path, path, "--loss", "Banana")
    assert "unknown loss 'Banana'" in err and "CrossEntropyLoss" in err


@pytest.mark.parametrize("content", [b"", b"\x00garbage\xff" * 1000, b"{\"format\": 1}"])
def test_malformed_file_gets_a_clear_error_quickly(tmp_path, capsys, content):
    path = tmp_path / "broken.onnx"
    path.write_bytes(content)
    start = time.monotonic()
    err = refused(capsys, tmp_path, path)
    assert time.monotonic() - start < 5
    assert "broken.onnx" in err or "no nodes" in err


def test_command_line_entry_point_runs(tmp_path):
    path = tmp_path / "relu.onnx"
    save_model(path, [helper.make_node("Relu", ["x"], ["y"])])
    done = subprocess.run([sys.executable, "-m", "bpviz.interop.convert", str(path),
                           str(tmp_path / "g.bpviz.json")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.bpviz.json").exists()


def test_graph_file_to_pytorch_source_and_to_onnx(tmp_path, capsys):
    example = example_path("tiny_cnn")
    assert main([str(example), str(tmp_path / "net.py")]) == 0
    assert main([str(example), str(tmp_path / "net.onnx")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz", "net.onnx", "net.py"]
    assert "class Net(nn.Module)" in (tmp_path / "net.py").read_text()
    assert onnx.load(tmp_path / "net.onnx").opset_import[0].version >= 17


def test_unknown_target_kind_is_refused(tmp_path, capsys):
    assert main([str(example_path("tiny_cnn")), str(tmp_path / "net.txt")]) == 2
    assert "name it .onnx, .py or .bpviz.json" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_without_the_onnx_package_the_message_says_how_to_install_it(tmp_path, capsys,
                                                                     monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)          # import onnx fails
    path = tmp_path / "relu.onnx"
    path.write_bytes(b"\x08\x07")
    assert refused(capsys, tmp_path, path) == (
        "bpviz-convert: error: reading and writing ONNX models needs the onnx package, "
        "which is not installed: pip install 'bpviz[onnx]' (or pip install onnx)")


@pytest.mark.parametrize("node", [
    helper.make_node("LRN", ["x"], ["y"], name="n1"),                    # no size
    helper.make_node("Gemm", ["x"], ["y"], name="n1"),                   # no weight
    helper.make_node("Reshape", ["x"], ["y"], name="n1"),                # no shape
])
def test_a_node_missing_what_its_op_needs_is_one_line(tmp_path, capsys, node):
    path = tmp_path / "bad.onnx"
    save_model(path, [node])
    err = refused(capsys, tmp_path, path)
    assert err.startswith("bpviz-convert: error: ") and "at node 'n1'" in err


def test_a_weight_whose_data_does_not_fill_its_shape_is_one_line(tmp_path, capsys):
    weight = TensorProto(name="w", dims=[4, 4], data_type=TensorProto.FLOAT,
                         raw_data=b"\x00" * 8)       # (onnx's helper would refuse it)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g", [x], [y],
                              [weight])
    path = tmp_path / "lying.onnx"
    onnx.save(helper.make_model(graph), path)
    assert "'lying.onnx' is damaged" in refused(capsys, tmp_path, path)
