"""The overview layout: every node placed, none on another, layers in order along the bands,
and the bands wrapped to the canvas's shape."""
import itertools

import pytest

from bpviz.core import load_graph
from bpviz.core.network.overview_layout import Cell, layers_and_ranks, overview_layout
from bpviz.paths import example_path

CELL = Cell(width=100, height=38, column=122, row=52, gap=24)


def structure(name):
    return {nid: n.inputs for nid, n in load_graph(example_path(name)).nodes.items()}


def boxes_overlap(a, b) -> bool:
    return abs(a[0] - b[0]) < CELL.width and abs(a[1] - b[1]) < CELL.height


@pytest.mark.parametrize("name", ["sigmoid_chain", "branching", "alexnet", "hinge_vs_ce"])
@pytest.mark.parametrize("canvas", [(900, 420), (500, 700), (1600, 300)])
def test_every_node_has_a_place_of_its_own(name, canvas):
    nodes = structure(name)
    places = overview_layout(nodes, CELL, canvas)
    assert set(places) == set(nodes)
    spots = list(places.values())
    for i, a in enumerate(spots):
        for b in spots[i + 1:]:
            assert not boxes_overlap(a, b), (a, b)


def test_a_chain_reads_left_to_right_then_down_the_bands():
    nodes = structure("sigmoid_chain")
    places = overview_layout(nodes, CELL, (900, 420))
    layer = {nid: k for nid, (k, _) in layers_and_ranks(nodes).items()}
    order = sorted(places, key=lambda nid: (places[nid][2], places[nid][0]))  # band, column
    layers = [layer[nid] for nid in order]
    assert layers == sorted(layers)


def test_a_wide_canvas_gets_fewer_bands_than_a_tall_one():
    nodes = structure("alexnet")
    bands = [len({top for _, _, top in overview_layout(nodes, CELL, canvas).values()})
             for canvas in ((1600, 300), (600, 900))]
    assert bands[0] < bands[1]


def test_a_band_is_as_tall_as_its_own_layers():
    """sigmoid_chain has one two-node layer (the target beside the last layer): only its
    band is two rows tall."""
    places = overview_layout(structure("sigmoid_chain"), CELL, (900, 420))
    tops = sorted({top for _, _, top in places.values()})
    steps = {round(b - a) for a, b in itertools.pairwise(tops)}
    assert min(steps) == CELL.height + CELL.gap
    assert max(steps) <= CELL.height + CELL.row + CELL.gap


def test_an_empty_graph_has_no_places():
    assert overview_layout({}, CELL, (900, 420)) == {}


def test_a_canvas_too_short_for_the_readable_size_gets_bands_as_wide_as_it_is():
    """Under a plot (lesson 3 step 10) no wrapping shows sigmoid_chain whole at the
    readable zoom: the bands then fit the width at that zoom, and the view scrolls down."""
    nodes = structure("sigmoid_chain")
    canvas, readable = (900, 120), 0.8
    whole = overview_layout(nodes, CELL, canvas)
    right = max(x for x, _, _ in whole.values()) + CELL.width
    assert right * readable > canvas[0]                 # the largest whole layout: too wide
    readable_places = overview_layout(nodes, CELL, canvas, least=readable)
    right = max(x for x, _, _ in readable_places.values()) + CELL.width
    assert right * readable <= canvas[0] and right * readable > canvas[0] - 2 * CELL.column
    assert overview_layout(nodes, CELL, (1000, 2000), least=readable) == overview_layout(
        nodes, CELL, (1000, 2000))                      # room enough: as before


@pytest.mark.parametrize("name", ["fc_softmax_ce", "sigmoid_chain"])
def test_a_target_enters_its_loss_below_the_scores_so_the_edges_do_not_cross(name):
    """Lessons 2.2, 3.8: the loss's first port takes the scores, its second the target t;
    with t above the scores' node the two edges crossed at the loss (issue 20)."""
    nodes = structure(name)
    places = overview_layout(nodes, CELL, (900, 420))
    scores, target = nodes["loss"][:2]
    assert target == "t" and places["loss"][2] == places[scores][2] == places[target][2]
    assert places[scores][1] < places[target][1]
