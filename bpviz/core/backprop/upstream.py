"""What lies upstream of a node: the layers with weights whose chains from the loss pass
through it (the chain-rule view offers them for a node that has no weights of its own)."""
from __future__ import annotations


def weighted_before(graph, node: str) -> list[tuple[str, str]]:
    """(node, parameter) of every layer with weights that ``node`` reads from, nearest
    first: the chains from the loss to them pass through ``node``. Where nothing before it
    has weights (an Input), every parameter of the graph."""
    seen, queue, found = {node}, [node], []
    while queue:
        current = queue.pop(0)
        for source in graph.nodes[current].inputs:
            if source in graph.nodes and source not in seen:
                seen.add(source)
                queue.append(source)
                found += [(source, p) for p in graph.param_names(source)]
    if found:
        return found
    return [(nid, p) for nid in graph.order if nid != node for p in graph.param_names(nid)]
