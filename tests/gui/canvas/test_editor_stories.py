"""User stories driven with the mouse and keyboard through qtbot."""
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QSpinBox

from bpviz.core.network.layout import layered_layout


def view_point(window, scene_point) -> QPoint:
    return window.view.mapFromScene(scene_point)


def port_point(window, nid, side, slot=0):
    item = window.scene.nodes[nid]
    local = item.output_port() if side == "out" else item.input_port(slot)
    return view_point(window, item.mapToScene(local))


def drag(qtbot, window, start: QPoint, end: QPoint):
    vp = window.view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, pos=(start + end) / 2)
    qtbot.mouseMove(vp, pos=end)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)


def test_add_from_palette_follows_and_connects_the_selected_node(qtbot, window):
    window.editor.select(["relu2"])
    tree = window.op_palette.tree
    item = window.op_palette.items["Tanh"]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())   # Qt 6's view wants
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a press first
    g = window.document.graph
    assert "tanh1" in g.nodes and g.nodes["tanh1"].inputs == ["relu2"]
    assert window.scene.nodes["tanh1"].isSelected()
    assert window.properties.nid == "tanh1"
    window.op_palette.search.setText("linear")
    qtbot.keyClick(window.op_palette.search, Qt.Key.Key_Return)
    assert g.nodes["linear1"].inputs == ["tanh1"]
    assert g.nodes["linear1"].attrs["in_features"] == 64       # fitted to what feeds it
    assert g.analyze().shapes["linear1"] == ("N", 10)
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert "tanh1" not in g.nodes and "tanh1" not in window.scene.nodes


def test_palette_search_filters_by_name_and_description(window):
    window.op_palette.filter("soft")
    assert set(window.op_palette.visible_ops()) == {"Softmax", "LogSoftmax", "CrossEntropyLoss"}
    window.op_palette.filter("hinge")
    assert set(window.op_palette.visible_ops()) >= {"HingeLoss", "MultiMarginLoss"}
    window.op_palette.filter("")
    assert len(window.op_palette.visible_ops()) == 29


def test_connect_by_dragging_from_output_to_input(qtbot, window):
    g = window.document.graph
    window.editor.add_op("Sigmoid")                  # nothing selected: unconnected
    assert "input 'input' is not connected" in window.scene.nodes["sigmoid1"].problem
    drag(qtbot, window, port_point(window, "fc1", "out"), port_point(window, "sigmoid1", "in"))
    assert g.nodes["sigmoid1"].inputs == ["fc1"]
    assert ("sigmoid1", 0) in window.scene.edges
    assert window.scene.nodes["sigmoid1"].problem is None
    window.document.undo_stack.undo()
    assert g.nodes["sigmoid1"].inputs == [None]


def test_drag_an_edge_off_its_input_disconnects_and_refuses_cycles(qtbot, window):
    g = window.document.graph
    end = port_point(window, "fc2", "in")
    drag(qtbot, window, end, end + QPoint(0, 200))          # pick up and drop on empty canvas
    assert g.nodes["fc2"].inputs == [None]
    assert "not connected" in window.scene.nodes["fc2"].problem
    window.document.undo_stack.undo()
    assert g.nodes["fc2"].inputs == ["relu1"]
    drag(qtbot, window, port_point(window, "relu2", "out"), port_point(window, "fc1", "in"))
    assert g.nodes["fc1"].inputs == ["x"]                    # refused, unchanged
    assert "cycle" in window.last_message


def test_edit_attribute_reinfers_and_marks_problems_then_undo(qtbot, window):
    g = window.document.graph
    window.editor.select(["fc2"])
    spin = window.properties.findChild(QSpinBox, "attr_out_features")
    spin.setValue(32)
    assert g.nodes["fc2"].attrs["out_features"] == 32
    assert window.scene.nodes["fc2"].out_shape == ("N", 32)
    assert "in_features is 64" in window.scene.nodes["fc3"].problem
    assert window.problems.count() == 1 and "fc3" in window.problems.item(0).text()
    assert "1 problem" in window.summary.text()
    window.document.undo_stack.undo()
    assert window.scene.nodes["fc3"].problem is None
    assert window.properties.findChild(QSpinBox, "attr_out_features").value() == 64
    window.document.undo_stack.redo()
    assert g.nodes["fc2"].attrs["out_features"] == 32


def test_invalid_values_are_refused_with_a_message(qtbot, window):
    window.document.open_example(__import__("bpviz.paths").paths.example_path("shapes_cnn"))
    g = window.document.graph
    window.editor.select(["conv1"])
    field = window.properties.findChild(QLineEdit, "attr_kernel_size")
    field.setText("0")
    field.editingFinished.emit()
    assert g.nodes["conv1"].attrs["kernel_size"] == 3
    assert "kernel_size" in window.properties.message.text()
    field = window.properties.findChild(QLineEdit, "attr_stride")
    field.setText("two")
    field.editingFinished.emit()
    assert "not a list of whole numbers" in window.properties.message.text()
    field = window.properties.findChild(QLineEdit, "attr_stride")
    field.setText("2, 1")
    field.editingFinished.emit()
    assert g.nodes["conv1"].attrs["stride"] == [2, 1]
    assert window.scene.nodes["conv1"].out_shape == ("N", 8, 8, 16)
    assert window.document.modified


def test_delete_key_copy_paste_and_select_all(qtbot, window):
    g = window.document.graph
    window.editor.select(["relu1", "fc2"])
    window.view.setFocus()
    assert window.editor.copy() == 2
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert "relu1" not in g.nodes and "fc2" not in g.nodes
    assert g.nodes["relu2"].inputs == [None]
    pasted = window.editor.paste()
    assert pasted == ["relu1_copy", "fc2_copy"]
    assert g.nodes["fc2_copy"].inputs == ["relu1_copy"]        # inner edge kept
    assert g.nodes["relu1_copy"].inputs == [None]              # outer edge not
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert "relu1" in g.nodes and g.nodes["relu2"].inputs == ["fc2"]
    window.select_all()
    assert len(window.editor.selected_ids()) == len(g.nodes)
    from PySide6.QtWidgets import QApplication
    QApplication.clipboard().setText('{"bpviz_nodes": [{"id": 3}]}')   # not ours
    assert window.editor.paste() == [] and "Nothing pasted" in window.last_message


def test_moving_nodes_is_an_undoable_edit_and_auto_layout(qtbot, window):
    g = window.document.graph
    item = window.scene.nodes["fc3"]
    start = view_point(window, item.mapToScene(item.body_rect().center()))
    drag(qtbot, window, start, start + QPoint(60, 90))
    new = g.nodes["fc3"].ui["pos"]
    assert window.document.undo_stack.undoText() == "Move"
    window.document.undo_stack.undo()
    assert g.nodes["fc3"].ui["pos"] != new
    g.move_node("x", (900, 900))
    window.editor.auto_layout()
    expected = layered_layout({nid: n.inputs for nid, n in g.nodes.items()})
    assert all(tuple(g.nodes[n].ui["pos"]) == expected[n] for n in g.nodes)
    assert window.document.undo_stack.undoText() == "Automatic layout"


def test_zoom_and_fit(window):
    window.view.fit()
    fitted = window.view.zoom_level()
    window.view.zoom(2.0)
    assert abs(window.view.zoom_level() - 2 * fitted) < 1e-6
    window.view.zoom(100)
    assert window.view.zoom_level() <= 4.0


def test_rubber_band_selects_several_nodes(qtbot, window):
    items = [window.scene.nodes[n] for n in ("fc1", "relu1")]
    rect = items[0].sceneBoundingRect().united(items[1].sceneBoundingRect())
    start = view_point(window, rect.topLeft()) - QPoint(10, 10)
    end = view_point(window, rect.bottomRight()) + QPoint(10, 10)
    drag(qtbot, window, start, end)
    assert window.editor.selected_ids() == ["fc1", "relu1"]
    assert window.properties.nid is None                   # several: nothing to edit


def test_help_lists_the_shortcuts(window):
    text = window.keys_text()
    for what in ("Undo", "Delete", "Automatic Layout", "Presentation Mode", "Connect"):
        assert what in text


def test_the_key_list_fits_a_projector(qtbot, window):
    """Shift+F1's list was a message box 1,537 px tall on a 720 px screen."""
    dialog = window.show_keys()
    qtbot.addWidget(dialog)
    room = window.screen().availableGeometry()
    assert dialog.height() <= room.height() and "Step Forward" in dialog.text.toPlainText()
    dialog.reject()
