"""The overview layout: the layers of ``layered_layout`` wrapped into bands so that a canvas
of a given shape shows the whole graph at the largest size. Each band is only as tall as
its own tallest layer (a chain with one two-node layer stays one row high elsewhere)."""
from __future__ import annotations

from dataclasses import dataclass

from .layout import layered_layout


@dataclass(frozen=True)
class Cell:
    """Sizes of the overview's grid, in scene units."""
    width: float        # a node
    height: float       # a node
    column: float       # from one layer to the next
    row: float          # from one node of a layer to the next
    gap: float          # between bands (a wrapped edge runs back through it)


def layers_and_ranks(nodes: dict[str, list]) -> dict[str, tuple[int, float]]:
    """{id: (layer, rank in its layer)} as ``layered_layout`` orders them, on one band."""
    flat = layered_layout(nodes, column=1.0, row=1.0, wrap=max(len(nodes), 1))
    return {nid: (round(x), y) for nid, (x, y) in flat.items()}


def _bands(cells: dict, wrap: int) -> dict[int, tuple[float, float]]:
    """{band: (lowest rank, highest rank)} of the bands of ``wrap`` layers, top down."""
    spans: dict[int, tuple[float, float]] = {}
    for layer, rank in cells.values():
        lo, hi = spans.get(layer // wrap, (rank, rank))
        spans[layer // wrap] = (min(lo, rank), max(hi, rank))
    return dict(sorted(spans.items()))


def _size(cells: dict, wrap: int, cell: Cell) -> tuple[float, float]:
    count = 1 + max(layer for layer, _ in cells.values())
    bands = _bands(cells, wrap)
    width = (min(wrap, count) - 1) * cell.column + cell.width
    height = sum((hi - lo) * cell.row + cell.height for lo, hi in bands.values())
    return width, height + (len(bands) - 1) * cell.gap


def overview_layout(nodes: dict[str, list], cell: Cell, canvas: tuple[float, float],
                    largest: float = 1.0, least: float = 0.0
                    ) -> dict[str, tuple[float, float, float]]:
    """{id: (left, top, top of its band)} for ``nodes`` {id: [input ids]}: layers left to
    right, wrapped after as many layers as let a canvas of ``canvas`` (width, height, in
    the cell's units at zoom 1) show the whole graph largest, though never above
    ``largest`` (fewer bands break ties; columns balanced, 7 + 6 rather than 8 + 5).
    Where no wrapping shows it whole at ``least`` (the readable zoom: a short canvas
    under a plot), the bands are as wide as the canvas at ``least``: it scrolls down,
    never sideways."""
    if not nodes:
        return {}
    cells = layers_and_ranks(nodes)
    count = 1 + max(layer for layer, _ in cells.values())

    def zoom(wrap: int) -> float:
        width, height = _size(cells, wrap, cell)
        return min(canvas[0] / width, canvas[1] / height, largest)
    wrap = max(range(1, count + 1), key=lambda w: (zoom(w), w))
    if zoom(wrap) < least:
        wrap = max((w for w in range(1, count + 1)
                    if canvas[0] / _size(cells, w, cell)[0] >= least), default=1)
    wrap = -(-count // -(-count // wrap))                      # balanced bands
    tops, y = {}, 0.0
    for band, (lo, hi) in _bands(cells, wrap).items():
        tops[band] = (y, lo)
        y += (hi - lo) * cell.row + cell.height + cell.gap
    positions = {}
    for nid, (layer, rank) in cells.items():
        top, lo = tops[layer // wrap]
        positions[nid] = ((layer % wrap) * cell.column, top + (rank - lo) * cell.row, top)
    return positions
