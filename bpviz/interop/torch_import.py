"""``from_torch(module, example_input)``: a torch module as a bpviz Graph.

It goes through torch's own ONNX exporter (``torch.onnx.export``, which needs the
``onnxscript`` package: ``pip install 'bpviz[onnx]'``) and then the ONNX import, so a
module and its ``.onnx`` file become the same graph. The module is exported in eval mode
(dropout is then left out, as torch's exporter does); its training flag is restored.

Example, stepping through a network written in PyTorch (docs/interop.md has it whole)::

    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(),
                              torch.nn.Linear(3, 2)).double()
    graph = bpviz.from_torch(net, torch.zeros(1, 2, dtype=torch.float64),
                             loss="CrossEntropyLoss")
    graph.forward({"input": x.numpy(), "target": labels.numpy()})
    graph.backward()
    graph.param_grad("fc1", "weight")     # net[0].weight.grad after torch's backward
"""
from __future__ import annotations

import contextlib
import io
import warnings

from .errors import ConvertError, require_onnx


def from_torch(module, example_input, loss: str | None = None, input_name: str = "input"):
    """The graph of ``module`` for inputs shaped like ``example_input`` (batch first).

    Float64 modules give float64 graphs (exact comparisons with torch); the Input is
    named ``input_name``; ``loss`` as in ``load_onnx``."""
    import torch
    require_onnx()

    from .onnx_graph import model_from_proto
    from .onnx_import import check_loss, graph_from_model
    check_loss(loss)
    was_training = module.training
    module.eval()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(module, (example_input,), input_names=[input_name],
                                        dynamo=True, verbose=False)
    except ImportError as err:
        raise ConvertError(f"torch's ONNX exporter needs {err.name or 'onnxscript'}: "
                           f"pip install 'bpviz[onnx]'") from None
    except Exception as err:             # torch's exporter raises many types of its own
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConvertError(f"torch could not export the module: {first[:200]}") from None
    finally:
        module.train(was_training)
    if program is None:                 # only the legacy exporter (dynamo=False) returns None
        raise ConvertError("torch's ONNX exporter returned no program")
    graph = graph_from_model(model_from_proto(program.model_proto), loss)
    graph.name = type(module).__name__
    return graph
