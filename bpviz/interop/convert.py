"""bpviz-convert IN OUT [--loss NAME]: ONNX <-> bpviz graph files, and graph -> PyTorch.

The direction follows the file names: ``model.onnx`` -> ``model.bpviz.json`` (with
``--loss`` a target Input and a loss node are added), ``graph.bpviz.json`` ->
``model.onnx`` or ``net.py`` (with its weights in ``net.npz``). Any refusal is one line on
stderr and exit status 2, with nothing written.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bpviz.core.errors import GraphError

from .errors import ConvertError

PROG = "bpviz-convert"
USAGE_ERROR = 2


def convert(source, target, loss: str | None = None) -> list[Path]:
    """Convert ``source`` into ``target``; the paths written. ConvertError/GraphError."""
    from bpviz.core.network.export import export_pytorch
    from bpviz.core.network.graph import load_graph, save_graph
    source, target = Path(source), Path(target)
    if not target.parent.is_dir():
        raise ConvertError(f"folder '{target.parent}' does not exist")
    if source.suffix.lower() == ".onnx":
        if not target.name.endswith(".json"):
            raise ConvertError(f"an ONNX model converts to a graph file (.bpviz.json), not "
                               f"'{target.name}'")
        from .onnx_import import load_onnx
        save_graph(load_onnx(source, loss), target)
        return [target]
    if loss is not None:
        raise ConvertError("--loss applies to ONNX models only (a graph file has its loss)")
    graph = load_graph(source)
    if target.suffix.lower() == ".onnx":
        from .onnx_export import save_onnx
        save_onnx(graph, target)
        return [target]
    if target.suffix.lower() == ".py":
        return list(export_pytorch(graph, target))
    raise ConvertError(f"cannot tell what to write from '{target.name}': name it .onnx, .py "
                       f"or .bpviz.json")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("source", metavar="IN", help="model.onnx or graph.bpviz.json")
    parser.add_argument("target", metavar="OUT",
                        help="graph.bpviz.json (from ONNX), model.onnx or net.py")
    parser.add_argument("--loss", metavar="NAME",
                        help="add this loss over the model's output, e.g. CrossEntropyLoss")
    args = parser.parse_args(argv)
    try:
        written = convert(args.source, args.target, args.loss)
    except GraphError as err:                 # ConvertError too: one line, nothing written
        message = " ".join(str(err).split())
    except Exception as err:                  # noqa: BLE001 (a fault of bpviz: still one line)
        message = f"bpviz failed on '{args.source}' ({type(err).__name__}: {err})"
    else:
        print("wrote " + ", ".join(str(p) for p in written))
        return 0
    print(f"{PROG}: error: {' '.join(message.split())[:300]}", file=sys.stderr)
    return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
