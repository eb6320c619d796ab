"""The *.bpviz.json format: exact round-trip, atomic save, and every bad file refused."""
import json
import os

import numpy as np
import pytest

from bpviz.core import Graph, GraphError, load_graph, save_graph
from bpviz.core.network.fileformat import decode_array, encode_array
from bpviz.paths import example_path, resources_dir


def lecture():
    return load_graph(example_path("spirals_mlp"))


def test_every_example_loads_and_round_trips():
    paths = sorted((resources_dir() / "examples").glob("*.bpviz.json"))
    assert len(paths) >= 7
    for path in paths:
        spec = json.loads(path.read_text())
        assert Graph.from_dict(spec).to_dict() == spec, path.name


def test_round_trip_is_exact_including_parameters(tmp_path):
    g = lecture()
    rng = np.random.default_rng(3)
    w = rng.normal(size=g.param("fc2", "weight").shape)
    w[0, 0] = np.nextafter(1.0, 2.0)            # the last bit must survive
    g.set_param("fc2", "weight", w)
    g.nodes["fc1"].ui = {"pos": [120.5, -3]}
    path = tmp_path / "g.bpviz.json"
    save_graph(g, path)
    g2 = load_graph(path)
    assert g2.to_dict() == g.to_dict()
    assert np.array_equal(g2.param("fc2", "weight"), w)
    # seeded parameters are left to the seed and come back identical
    assert np.array_equal(g2.param("fc1", "weight"), g.param("fc1", "weight"))
    assert "fc1" not in g.to_dict()["params"]
    assert g2.nodes["fc1"].ui == {"pos": [120.5, -3]}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_array_encoding_is_exact(dtype):
    a = np.random.default_rng(0).normal(size=(3, 0, 2)).astype(dtype)
    b = np.random.default_rng(0).normal(size=(4, 5)).astype(dtype)
    for arr in (a, b, np.array(np.pi, dtype=dtype)):
        out = decode_array(json.loads(json.dumps(encode_array(arr))), "x")
        assert out.dtype == arr.dtype and out.shape == arr.shape
        assert np.array_equal(out, arr)


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "g.bpviz.json"
    save_graph(lecture(), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(GraphError, match="No space left"):
        save_graph(lecture(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.bpviz.json"]   # no temp file left


def test_save_to_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(GraphError, match="cannot save"):
        save_graph(lecture(), tmp_path / "nope" / "g.bpviz.json")


GOOD = {"format": "bpviz.graph", "version": 1, "nodes": [
    {"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
    {"id": "fc", "op": "Linear", "attrs": {"in_features": 2, "out_features": 2}, "inputs": ["x"]}]}
W = encode_array(np.zeros((2, 2)))


def variant(**changes):
    spec = json.loads(json.dumps(GOOD))
    spec.update(changes)
    return json.dumps(spec)


BAD_FILES = [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"\xff\xfe\x00garbage", "not a text"),
    (b"{not json", "not valid JSON.*line 1, column 2"),
    (b"[1, 2, 3]", "expected a JSON object.*list"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply|not valid JSON"),
    (json.dumps({"format": "other", "version": 1}).encode(), "'format' is 'other'"),
    (json.dumps({"version": 1}).encode(), "'format' is None"),
    (variant(version=2).encode(), "newer bpviz \\(format version 2\\).*update"),
    (variant(version="1").encode(), "bad format version"),
    (variant(nodes={"x": 1}).encode(), "'nodes' must be of type list"),
    (variant(seed=-1).encode(), "'seed' must be from 0 to 2\\*\\*63 - 1"),
    (variant(nodes=[{"op": "Input"}]).encode(), "node #1 needs a non-empty string 'id'"),
    (variant(nodes=[{"id": "x", "op": "Input", "attrs": [], "inputs": []}]).encode(),
     "'attrs' must be of type dict"),
    (variant(nodes=[{"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": [],
                     "code": "import os"}]).encode(), "unknown field"),
    (variant(params={"fc": {"weight": "AAAA"}}).encode(), "'fc.weight' must be an object"),
    (variant(params={"fc": {"weight": dict(W, dtype="object")}}).encode(), "has dtype 'object'"),
    (variant(params={"fc": {"weight": dict(W, data="!!!")}}).encode(), "not valid base64"),
    (variant(params={"fc": {"weight": dict(W, data=W["data"][:8])}}).encode(), "bytes but shape"),
    (variant(params={"fc": {"weight": dict(W, shape=[10**6, 10**6])}}).encode(),
     "more than the limit"),
    (variant(params={"fc": {"weight": encode_array(np.zeros((3, 2)))}}).encode(),
     "node 'fc'.*must have shape \\(2, 2\\)"),
    (variant(params={"fc": {"gamma": W}}).encode(), "node 'fc'.*no parameter 'gamma'"),
    (variant(params={"zz": {"weight": W}}).encode(), "no node 'zz'"),
    (variant(ui={"x": [1, 2]}).encode(), "ui entry of node 'x'"),
    # numbers and text that JSON allows but Python trips over
    (variant(seed=1).replace('"seed": 1', '"seed": ' + "9" * 5000).encode(),
     "cannot be read: Exceeds the limit \\(4300 digits\\)"),
    (variant(seed=2**64).encode(), "'seed' must be from 0 to 2"),
    (variant(nodes=[{"id": "\ud800", "op": "Input", "attrs": {"shape": [2]}}]).encode(),
     "text '\\\\ud800' is not valid Unicode"),
    (variant(nodes=[{"id": "x", "op": "Input", "attrs": {"shape": json.loads("[" * 20 + "]" * 20)}}]
             ).encode(), "nested more than 16 deep"),
    (variant(nodes=[{"id": "x", "op": "Input", "attrs": {"shape": [10**20]}}]).encode(),
     "node 'x'.*'shape' must be an integer that fits in 64 bits"),
    (variant(nodes=[{"id": "x", "op": "Input", "attrs": {"shape": [1, 4, 4]}},
                    {"id": "p", "op": "MaxPool2d", "attrs": {"kernel_size": 10**19},
                     "inputs": ["x"]}]).encode(),
     "node 'p'.*'kernel_size' must be an integer that fits in 64 bits"),
    (variant(params={"fc": {"weight": dict(W, shape=[10**4000, 10**4000])}}).encode(),
     "has about 10\\^8000 values, more than the limit"),
]


@pytest.mark.parametrize("content,message", BAD_FILES)
def test_bad_files_raise_graph_error(tmp_path, content, message):
    path = tmp_path / "bad.bpviz.json"
    path.write_bytes(content)
    with pytest.raises(GraphError, match=message):
        load_graph(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(GraphError, match="no such file"):
        load_graph(tmp_path / "missing.bpviz.json")
    with pytest.raises(GraphError, match="is a folder"):
        load_graph(tmp_path)


def test_nothing_in_a_file_is_evaluated(tmp_path, monkeypatch):
    import builtins
    import importlib
    import pickle
    calls = []
    spy = lambda name: (lambda *a, **k: calls.append(name))
    spec = json.loads(variant())
    spec["nodes"][1]["op"] = "__import__('os').system('false')"
    path = tmp_path / "evil.bpviz.json"
    path.write_text(json.dumps(spec))
    for module, name in ((builtins, "eval"), (builtins, "exec"), (pickle, "loads"),
                         (pickle, "load"), (importlib, "import_module")):
        monkeypatch.setattr(module, name, spy(name))
    with pytest.raises(GraphError, match="unknown op") as info:
        load_graph(path)
    monkeypatch.undo()
    assert calls == []
    assert info.value.node == "fc"


@pytest.mark.parametrize("pos,kept", [([10**400, 0], False), ([1e308, 0.0], False),
                                      ([float("nan"), 1], False), ([-5, 6.5], True)])
def test_positions_out_of_range_are_dropped_not_an_overflow(tmp_path, pos, kept):
    """A 400-digit position raised OverflowError (math.isfinite converts to float); like a
    NaN one it is dropped, and the editor places the node itself."""
    path = tmp_path / "g.bpviz.json"
    path.write_text(variant(ui={"x": {"pos": pos}, "fc": {"pos": [1, 2]}}))
    g = load_graph(path)
    assert ("pos" in g.nodes["x"].ui) == kept and g.nodes["fc"].ui == {"pos": [1, 2]}


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "g.bpviz.json"
    path.write_bytes(b"\xef\xbb\xbf" + variant().encode())
    assert list(load_graph(path).nodes) == ["x", "fc"]


def test_a_saved_graph_gets_the_permissions_of_an_ordinary_file(tmp_path):
    import os

    from bpviz.core.network.fileformat import write_atomic
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.json", "{}")
        assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
        os.chmod(tmp_path / "a.json", 0o640)          # an existing file keeps its mode
        write_atomic(tmp_path / "a.json", "[]")
        assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
