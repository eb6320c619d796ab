"""Bad input and faults in the editor: whatever the user types, pastes or opens is applied
or refused with a message; no widget is deleted inside its own signal; nothing escapes."""
import json

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QSpinBox

from bpviz.paths import example_path


def test_enter_in_a_spin_box_keeps_the_spin_box_alive(qtbot, window):
    window.document.open_example(example_path("branching"))
    nid = next(n for n, node in window.document.graph.nodes.items() if node.op == "Linear")
    window.editor.select([nid])
    spin = window.properties.findChild(QSpinBox, "attr_out_features")
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "7")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.document.graph.nodes[nid].attrs["out_features"] == 7
    # the form was updated in place: the spin box that handled the key still lives
    assert shiboken6.isValid(spin) and window.properties.widgets["out_features"] is spin
    window.document.undo_stack.undo()
    assert spin.value() != 7 and window.properties.widgets["out_features"] is spin


def test_a_refused_value_puts_the_field_back_in_place(qtbot, window):
    window.document.open_example(example_path("shapes_cnn"))
    window.editor.select(["conv1"])
    field = window.properties.findChild(QLineEdit, "attr_kernel_size")
    field.setText("0")
    field.editingFinished.emit()
    assert shiboken6.isValid(field) and field.text() == "3"
    assert "kernel_size" in window.properties.message.text()


def test_another_node_gets_a_fresh_form(qtbot, window):
    window.editor.select(["fc1"])
    old = window.properties.widgets["out_features"]
    window.editor.select(["relu1"])
    assert "out_features" not in window.properties.widgets
    qtbot.waitUntil(lambda: not shiboken6.isValid(old), timeout=2000)   # deleted later


def test_a_twenty_digit_number_is_refused_with_a_message(qtbot, window):
    window.document.open_example(example_path("shapes_cnn"))
    graph = window.document.graph
    before = {nid: dict(n.attrs) for nid, n in graph.nodes.items()}
    for nid, attr, text in (("x", "shape", "1, 99999999999999999999"),
                            ("conv1", "kernel_size", "99999999999999999999"),
                            ("conv1", "stride", "-99999999999999999999")):
        window.editor.select([nid])
        field = window.properties.findChild(QLineEdit, f"attr_{attr}")
        field.setText(text)
        with qtbot.captureExceptions() as escaped:
            field.editingFinished.emit()
        assert escaped == []
        assert "out of range" in window.properties.message.text()
        assert graph.nodes[nid].attrs == before[nid]


def test_a_big_number_from_a_file_shows_in_a_spin_box_without_overflow(qtbot, window, tmp_path):
    spec = json.loads(example_path("spirals_mlp").read_text())
    fc = next(n for n in spec["nodes"] if n["op"] == "Linear")
    fc["attrs"]["out_features"] = 10**20
    path = tmp_path / "big.bpviz.json"
    path.write_text(json.dumps(spec))
    assert window.open_file(path)
    with qtbot.captureExceptions() as escaped:
        window.editor.select([fc["id"]])
    assert escaped == []
    assert window.properties.widgets["out_features"].value() == 2**31 - 1
    assert any(p.node == fc["id"] for p in window.document.graph.analyze().problems)


def paste_text(window, text):
    QApplication.clipboard().setText(text)
    before = list(window.document.graph.nodes)
    pasted = window.editor.paste()
    return pasted, before


def test_foreign_clipboard_text_is_refused_with_a_message(qtbot, window):
    messages = []
    window.editor.message.connect(messages.append)
    node = {"id": "a", "op": "ReLU", "attrs": {}, "inputs": [None]}
    for text in ("hello", "[" * 100_000 + "]" * 100_000,
                 json.dumps({"bpviz_nodes": "x"}),
                 json.dumps({"bpviz_nodes": [dict(node, ui={"pos": ["a", None]})]}),
                 json.dumps({"bpviz_nodes": [dict(node, ui={"pos": [10**400, 1]})]}),
                 json.dumps({"bpviz_nodes": [dict(node, ui=5)]}),
                 json.dumps({"bpviz_nodes": [node, node]}),
                 json.dumps({"bpviz_nodes": [dict(node, inputs=5)]}),
                 json.dumps({"bpviz_nodes": {"deep": [[[[[[[[1]]]]]]]]}}),
                 '{"bpviz_nodes": ' + "[" * 50_000 + "]" * 50_000 + "}"):
        messages.clear()
        with qtbot.captureExceptions() as escaped:
            pasted, before = paste_text(window, text)
        assert escaped == [], text[:80]
        if pasted:           # a sound node with a bad position is pasted where it fits
            assert all(n in window.document.graph.nodes for n in pasted)
            window.document.undo_stack.undo()
        else:
            assert messages and messages[-1].startswith("Nothing pasted:"), text[:80]
        assert list(window.document.graph.nodes) == before


def test_a_position_that_is_not_a_number_pastes_at_the_origin(qtbot, window):
    node = {"id": "a", "op": "ReLU", "attrs": {}, "inputs": [None], "ui": {"pos": ["a", 1]}}
    pasted, _ = paste_text(window, json.dumps({"bpviz_nodes": [node]}))
    assert pasted == ["a_copy"]
    assert window.document.graph.nodes["a_copy"].ui["pos"] == [40, 40]


def test_any_failure_to_open_a_file_is_a_message(qtbot, window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: errors.append(a[2]))
    graph = window.document.graph
    path = tmp_path / "big.bpviz.json"
    spec = json.loads(example_path("spirals_mlp").read_text())
    spec["ui"] = {spec["nodes"][0]["id"]: {"pos": [10**400, 0]}}
    path.write_text(json.dumps(spec))
    window.open_file(path)                  # opens (position dropped) or is refused
    window.document.open_example(example_path("spirals_mlp"))
    graph = window.document.graph

    def boom(*a, **k):
        raise MemoryError("no room")

    monkeypatch.setattr("bpviz.gui.canvas.document.load_graph", boom)
    with qtbot.captureExceptions() as escaped:
        assert not window.open_file(path)
    assert escaped == []
    assert "MemoryError: no room" in errors[-1] and window.document.graph is graph


def test_the_stepper_bar_says_why_it_cannot_step_until_mended(qtbot, window):
    g = window.document.graph
    loss = g.loss_node()
    slot = g.nodes[loss].inputs.index("t")
    window.editor.set_inputs([(loss, slot, None)])
    window.stepper.step()
    reason = window.stepper.reason
    assert reason.isVisibleTo(window.stepper) and "not connected" in reason.text()
    assert window.stepper.position.text() == "cannot step"
    window.scene.clearSelection()                        # an unrelated change keeps it
    assert reason.isVisibleTo(window.stepper)
    window.document.undo_stack.undo()                     # mended
    assert not reason.isVisibleTo(window.stepper)
    assert window.stepper.position.text() == "forward 0/6"
    window.stepper.step()
    assert window.stepper.position.text() == "forward 1/6"


def test_the_error_reporter_logs_and_says_so_once(qtbot, window, monkeypatch, config_dir):
    from bpviz.gui.shell.error_reporter import ErrorReporter
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    reporter = ErrorReporter(window)
    for k in range(3):
        try:
            raise ValueError(f"fault {k}")
        except ValueError as err:
            reporter.report(type(err), err, err.__traceback__)
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    log = (config_dir / "errors.log").read_text()
    assert log.count("ValueError: fault") == 3 and "Traceback" in log
    assert len(shown) == 1 and "fault 0" in shown[0] and "2 more" in shown[0]
    assert str(config_dir / "errors.log") in shown[0]


def test_every_problem_of_a_node_is_shown(qtbot, window, tmp_path):
    spec = {"format": "bpviz.graph", "version": 1, "nodes": [
        {"id": "x", "op": "Input", "attrs": {"shape": [2]}, "inputs": []},
        {"id": "fc", "op": "Linear", "attrs": {"in_features": -2, "out_features": 3},
         "inputs": ["zz"]}]}
    path = tmp_path / "two.bpviz.json"
    path.write_text(json.dumps(spec))
    assert window.open_file(path)
    listed = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("in_features" in t for t in listed) and any("zz" in t for t in listed)
    item = window.scene.nodes["fc"]
    assert len(item.problems) >= 2 and "more)" in item.problem
    assert "in_features" in item.toolTip() and "zz" in item.toolTip()
    window.editor.select(["fc"])
    status = window.properties.status.text()
    assert "in_features" in status and "zz" in status


def test_bad_positions_in_a_file_fall_back_to_the_layout(window, tmp_path):
    spec = json.loads(example_path("spirals_mlp").read_text())
    spec["ui"] = {"x": {"pos": "left"}, "fc1": {"pos": [1e400, None]}, "fc2": {"pos": [5, 6]}}
    path = tmp_path / "odd.bpviz.json"
    path.write_text(json.dumps(spec).replace("Infinity", "1e400"))
    assert window.open_file(path)
    g = window.document.graph
    assert g.nodes["fc2"].ui["pos"] == [5, 6]
    assert all(np.isfinite(g.nodes[n].ui["pos"]).all() for n in ("x", "fc1"))
    assert len(window.scene.nodes) == len(g.nodes)


def test_export_actions_ask_where_to_write(qtbot, window, monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr("bpviz.gui.shell.file_menu.QFileDialog.getSaveFileName",
                        lambda *a, **k: asked.append(a[1]) or ("", ""))
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)                       # a path of False was written here
    for action in window.actions():
        if action.text().startswith("Export"):
            action.trigger()
    assert asked == ["Export figure"] and list(here.iterdir()) == []
    window.show_tab("losses")
    _ = window.losses.panel                       # built
    for action in window.actions():
        if action.text().startswith("Export"):
            action.trigger()
    assert asked == ["Export figure", "Export figure", "Export data"]


def test_a_device_or_a_huge_file_is_refused_before_reading(window, tmp_path, monkeypatch):
    from bpviz.core import GraphError, load_graph
    with pytest.raises(GraphError, match="not a regular file"):
        load_graph("/dev/zero")
    monkeypatch.setattr("bpviz.core.network.fileformat.MAX_FILE_BYTES", 100)
    big = tmp_path / "big.bpviz.json"
    big.write_text(" " * 101)
    with pytest.raises(GraphError, match="more than a graph file holds"):
        load_graph(big)


def test_a_recovery_record_with_a_bad_path_is_ignored(window, config_dir):
    from bpviz.gui.config.settings import recovery_path
    spec = json.loads(example_path("spirals_mlp").read_text())
    recovery_path().write_text(json.dumps({"graph": spec, "path": 5}))
    assert window.document.recovery_record() is None
    assert not window.check_recovery()


def test_pasting_many_nodes_analyzes_and_selects_once(qtbot, window, monkeypatch):
    graph = window.document.graph
    calls = {"analyze": 0, "selection": 0}
    real = graph.analyze
    monkeypatch.setattr(graph, "analyze", lambda: calls.__setitem__(
        "analyze", calls["analyze"] + 1) or real())
    selected_ids = window.editor.selected_ids          # the work each selection change costs
    monkeypatch.setattr(window.editor, "selected_ids", lambda: calls.__setitem__(
        "selection", calls["selection"] + 1) or selected_ids())
    nodes = [{"id": f"n{i}", "op": "ReLU", "attrs": {}, "inputs": [f"n{i - 1}" if i else None],
              "ui": {"pos": [0, 100 * i]}} for i in range(300)]
    paste_text(window, json.dumps({"bpviz_nodes": nodes}))
    assert len(window.scene.nodes) == len(graph.nodes) and "n299_copy" in graph.nodes
    assert calls["analyze"] <= 5 and calls["selection"] <= 3, calls
    calls.update(analyze=0, selection=0)
    window.document.undo_stack.undo()
    assert "n0_copy" not in window.scene.nodes
    assert calls["analyze"] <= 5 and calls["selection"] <= 3, calls
