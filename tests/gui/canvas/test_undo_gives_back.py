"""What the random session's undo check found, each as the shortest story: undo gives back
the graph's file form (``Graph.to_dict``) exactly, and redo the edited one."""
import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from bpviz.paths import example_path

from .test_editor_stories import drag, port_point, view_point


def open_example(window, name: str) -> dict:
    window.open_example(example_path(name))
    return window.document.graph.to_dict()


@pytest.mark.parametrize("attrs", [{"bias": False}, {"out_features": 2}])
def test_undoing_an_attribute_edit_gives_back_the_weights_it_took(window, attrs):
    opened = open_example(window, "binary_hinge")          # w = (1, 0), b = 0 in the file
    graph, stack = window.document.graph, window.document.undo_stack
    window.editor.set_attrs("fc", {**graph.nodes["fc"].attrs, **attrs})
    edited = graph.to_dict()
    assert "params" not in edited                           # they no longer fit
    stack.undo()
    assert graph.to_dict() == opened
    assert np.array_equal(graph.param("fc", "weight"), [[1.0, 0.0]])
    stack.redo()
    assert graph.to_dict() == edited
    stack.undo()
    assert graph.to_dict() == opened


def test_a_drag_in_presentation_mode_leaves_the_positions_as_they_were(qtbot, window):
    """Presentation mode draws the compact overview layout (issue 20), derived from the
    graph's structure: its nodes are not dragged, and the saved positions (359.95, which
    1.6 times and back is not) stay exactly as they were, with no undo step."""
    open_example(window, "binary_hinge")
    window.editor.move({"fc": (window.document.graph.nodes["fc"].ui["pos"], (359.95, -167.3))})
    moved = window.document.graph.to_dict()
    steps = window.document.undo_stack.count()
    window.set_presentation(True)
    item = window.scene.nodes["fc"]
    window.view.ensureVisible(item)
    start = view_point(window, item.mapToScene(item.body_rect().center()))
    drag(qtbot, window, start, start + QPoint(37, 23))
    assert window.document.undo_stack.count() == steps
    assert window.document.graph.to_dict() == moved


def test_a_node_with_fewer_inputs_than_its_op_connects_and_undoes(qtbot, window):
    """A pasted (or hand-written) node listing no inputs: pressing its input port crashed
    the process, and undoing a connection left the list it grew to."""
    open_example(window, "binary_hinge")
    QApplication.clipboard().setText(json.dumps({"bpviz_nodes": [{"id": "b", "op": "Add",
                                                                  "inputs": []}]}))
    window.editor.paste()
    graph = window.document.graph
    pasted = graph.to_dict()
    drag(qtbot, window, port_point(window, "b_copy", "in", 1), port_point(window, "x", "out"))
    assert graph.nodes["b_copy"].inputs == [None, "x"]
    window.document.undo_stack.undo()
    assert graph.to_dict() == pasted and graph.nodes["b_copy"].inputs == []



def test_an_edit_after_a_stepping_problem_with_a_one_dimensional_score(window):
    """binary_hinge: y is a Sum of shape (N); a CrossEntropyLoss after it is a wrong graph,
    not a crash. Once stepping has a problem to show, every edit asks the data again."""
    opened = open_example(window, "binary_hinge")
    window.editor.set_inputs([("hinge", 1, None)])
    window.classroom.step()                                 # "input 'target' is not connected"
    window.editor.select(["y"])
    window.editor.add_op("CrossEntropyLoss")
    assert set(window.scene.nodes) == set(window.document.graph.nodes)
    while window.document.undo_stack.canUndo():
        window.document.undo_stack.undo()
    assert window.document.graph.to_dict() == opened
