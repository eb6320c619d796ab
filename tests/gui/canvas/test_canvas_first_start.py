"""The canvas at a laptop's first start: the default network fits without scroll bars
(a subprocess on a fake 1366x768 screen, as in test_window_state)."""
import json
import subprocess
import sys

from ..shell.test_window_state import HUNG, LAPTOP, START, env_for

SCROLL_RANGES = """
import time
for _ in range(20):                       # the docks are sized once the loop runs
    app.processEvents()
    time.sleep(0.02)
view = win.view
bars = {"h": view.horizontalScrollBar(), "v": view.verticalScrollBar()}
print(json.dumps({"ranges": {k: b.maximum() - b.minimum() for k, b in bars.items()},
                  "size": win.size().toTuple(), "nodes": len(view.scene().nodes)}), flush=True)
"""


def test_the_first_start_on_a_laptop_has_no_canvas_scroll_bars(tmp_path):
    """1280x724 on a 1366x768 screen: fc_softmax_ce fits whole at the readable zoom; the
    scene's rect kept room for an edge's label anywhere along the edge that wraps back,
    which left a small horizontal scroll range (a scroll bar over the bottom band)."""
    result = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                            cwd=tmp_path, timeout=HUNG,
                            env=env_for(tmp_path, LAPTOP, DO=SCROLL_RANGES))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = next(json.loads(line) for line in result.stdout.splitlines() if '"ranges"' in line)
    assert seen["size"] == [1280, 724] and seen["nodes"] == 7, seen
    assert seen["ranges"] == {"h": 0, "v": 0}, seen


def test_a_node_dragged_past_the_edge_and_thumbnails_can_be_scrolled_to(qtbot, window):
    """The desk's scene rect is the graph's, so it must grow as a node is dragged away and
    as stepping puts thumbnails under the nodes (Qt's default rect grew by itself)."""
    from PySide6.QtCore import QPointF
    scene = window.scene
    item = next(iter(scene.nodes.values()))
    item.setPos(item.pos() + QPointF(3000, 1500))          # as a mouse drag moves it
    assert scene.sceneRect().contains(item.sceneBoundingRect())
    window.stepper.run_phase()                             # the forward pass: thumbnails
    qtbot.wait(50)
    assert any(node.thumbnail.isVisible() for node in scene.nodes.values())
    for node in scene.nodes.values():
        assert scene.sceneRect().contains(node.sceneBoundingRect()), node.nid
