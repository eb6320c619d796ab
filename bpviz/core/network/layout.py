"""Automatic left-to-right layout of a graph: layers by longest path, ordered by barycentre."""
from __future__ import annotations

from .order_and_shapes import kahn_order

COLUMN = 290.0   # horizontal distance between layers (node width 196 + room for a shape label)
ROW = 100.0      # vertical distance between nodes of one layer (a node is 72 high)


NODE = 196.0    # a node's width: the last column needs no room for labels
ASPECT = 1.25   # width / height of the canvas beside the docks (812x665 at 1440x900)
MARGIN = 80.0   # what a fitted view leaves around the graph


def best_wrap(count: int, band: float, column: float = COLUMN,
              aspect: float = ASPECT) -> int:
    """Columns per band that let ``count`` layers fill a canvas of ``aspect`` at the largest
    zoom (so that its text stays readable); fewer bands break ties."""
    def balanced(wrap: int) -> int:                   # 7 + 6 columns, not 8 + 5
        return -(-count // -(-count // wrap))

    def zoom(wrap: int) -> float:
        bands = -(-count // wrap)
        width = (wrap - 1) * column + NODE + MARGIN
        return min(aspect / width, 1 / (bands * band + MARGIN))
    return balanced(max(range(1, max(count, 1) + 1), key=lambda w: (zoom(w), w)))


def layered_layout(nodes: dict[str, list], column: float = COLUMN, row: float = ROW,
                   wrap: int | None = None) -> dict[str, tuple[float, float]]:
    """Positions for ``nodes`` {id: [input ids, None for unconnected]} (any graph; nodes on
    a cycle are placed after the rest). Sources go left, each node one column right of its
    furthest input; within a column, nodes sit near the mean row of their inputs. Past
    ``wrap`` columns (by default as many as fill a 16:9-ish canvas best, ``best_wrap``) the
    layers continue on a new band below, so that a deep network stays readable on one
    screen."""
    preds = {nid: [p for p in inputs if p in nodes and p != nid] for nid, inputs in nodes.items()}
    order, users = kahn_order({nid: list(dict.fromkeys(ps)) for nid, ps in preds.items()})
    placed = set(order)
    order += [nid for nid in nodes if nid not in placed]          # nodes on a cycle
    layer: dict[str, int] = {}
    for nid in order:
        layer[nid] = 1 + max((layer[p] for p in preds[nid] if p in layer), default=-1)
    for nid in order:                      # sources sit just left of their first user
        if not preds[nid] and users[nid]:
            layer[nid] = max(0, min(layer[u] for u in users[nid]) - 1)
    columns: dict[int, list[str]] = {}
    for nid in nodes:                         # file order breaks ties
        columns.setdefault(layer[nid], []).append(nid)
    rank = _ranks(columns, preds, {})
    # a second sweep places each source by where it enters its users: a target that feeds
    # a loss's second port sits below the node feeding its first (no crossing at the loss)
    rank = _ranks(columns, preds, {nid: _entry(nid, users[nid], nodes, rank)
                                   for nid in nodes if not preds[nid] and users[nid]})
    tallest = max((len(m) for m in columns.values()), default=1)
    band = (tallest + 0.6) * row
    count = max(columns, default=0) + 1
    wrap = wrap or best_wrap(count, band, column)
    bands = -(-count // wrap)
    wrap = -(-count // bands) if bands else wrap          # balance: 7 + 6, not 8 + 5
    positions = {}
    for k, members in columns.items():
        offset = (tallest - len(members)) / 2
        for i, nid in enumerate(members):
            positions[nid] = ((k % wrap) * column, (k // wrap) * band + (i + offset) * row)
    return positions


def _ranks(columns: dict[int, list[str]], preds: dict, sources: dict[str, float]
           ) -> dict[str, float]:
    """Each column's order, left to right, by barycentre: a node at the mean rank of its
    inputs, a source at ``sources``' rank for it (else its place in the column)."""
    rank: dict[str, float] = {}
    for k in sorted(columns):
        members = columns[k]
        for i, nid in enumerate(members):
            ranks = [rank[p] for p in preds[nid] if p in rank]
            rank[nid] = sum(ranks) / len(ranks) if ranks else sources.get(nid, float(i))
        members.sort(key=lambda n: rank[n])
        for i, nid in enumerate(members):
            rank[nid] = float(i)
    return rank


def _entry(nid: str, users: list[str], nodes: dict[str, list], rank: dict[str, float]
           ) -> float:
    """Where ``nid`` enters its users, as a rank: each user's rank, moved by how far the
    port ``nid`` feeds lies from the middle of its ports (first port up, last down)."""
    places = []
    for user in users:
        ports = nodes[user]
        port = ports.index(nid)
        places.append(rank[user] + (port - (len(ports) - 1) / 2) * 0.9)
    return sum(places) / len(places)
