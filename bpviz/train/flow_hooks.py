"""FlowHooks: how much gradient reaches each layer of a torch model on the steps a run logs,
the figures of bpviz.core.backprop.gradient_flow for AlexNet:

    grad_mean_w[layer] = mean |dL/dW|   over the layer's weight W
    grad_mean_x[layer] = mean |dL/dx|   over the layer's input x (the batch included)

A forward pre-hook on each weight layer hangs a tensor hook on its input, but only on an
armed step (the loop arms the steps it logs): the other steps pay one Python call per layer.
The figures stay on the device until ``read`` fetches them all in one transfer.

Every HIST_EVERY-th armed step (the first included) also counts each layer's weights,
activations (its output, from a forward hook) and weight gradient into the fixed bins of
bpviz.core.backprop.flow_histograms, on the device; ``read`` returns them under HIST_KEY.
"""
from __future__ import annotations

import torch

from bpviz.core.backprop.flow_histograms import BINS, EDGES, HIST_KEY, compact, sample_step
from bpviz.core.backprop.gradient_flow import INPUT, RECORD_KEYS, WEIGHT

from .models import WeightLayer

WEIGHT_KEY, INPUT_KEY = RECORD_KEYS[WEIGHT], RECORD_KEYS[INPUT]
HIST_EVERY = 10      # logged steps: a histogram record is ~3 kB, a figures one ~0.5 kB


def bin_counts(tensor: torch.Tensor) -> torch.Tensor:
    """(BINS,) counts of ``tensor`` in flow_histograms' fixed bins, on its device: the
    finite values clipped to the outer edges, bins closed on the left (the last on both
    sides), as numpy.histogram counts them; every sample_step-th value of a large one."""
    x = tensor.detach().reshape(-1)
    x = x[::sample_step(x.numel())].float()
    edges = torch.from_numpy(EDGES).to(x.device)
    index = torch.bucketize(x.clamp(float(EDGES[0]), float(EDGES[-1])), edges, right=True,
                            out_int32=True)
    index = (index - 1).clamp_(0, BINS - 1)
    index = torch.where(torch.isfinite(x), index, BINS)      # not counted
    return torch.bincount(index, minlength=BINS + 1)[:BINS]


class FlowHooks:
    def __init__(self, layers: list[tuple[str, WeightLayer]], inputs: bool = True):
        """``layers``: (name, module) in network order. ``inputs=False`` hooks nothing and
        reads the weights' figures only (torch.compile traces hooks into its graph)."""
        self.layers = layers
        self.armed = False
        self.arms = 0                      # armed steps so far: every HIST_EVERY-th counts
        self.kept: dict[str, torch.Tensor] = {}
        self.outputs: dict[str, torch.Tensor] = {}      # activations' counts
        self.handles = [module.register_forward_pre_hook(self._pre_hook(name))
                        for name, module in layers] if inputs else []
        self.handles += [module.register_forward_hook(self._output_hook(name))
                         for name, module in layers] if inputs else []

    @property
    def measures_inputs(self) -> bool:
        return bool(self.handles)

    def _pre_hook(self, name: str):
        def hook(_module, args):
            x = args[0] if args else None
            if self.armed and isinstance(x, torch.Tensor) and x.requires_grad:
                x.register_hook(lambda grad: self._keep(name, grad))
        return hook

    def _output_hook(self, name: str):
        def hook(_module, _args, output):
            if self.armed and self.histograms and isinstance(output, torch.Tensor):
                self.outputs[name] = bin_counts(output)
        return hook

    @property
    def histograms(self) -> bool:
        """This armed step counts histograms too."""
        return (self.arms - 1) % HIST_EVERY == 0

    def _keep(self, name: str, grad: torch.Tensor) -> None:
        self.kept[name] = grad.detach().float().abs().mean()      # returns None: grad as is

    def arm(self) -> None:
        """The next forward and backward are measured."""
        self.kept, self.outputs = {}, {}
        self.armed = True
        self.arms += 1

    def read(self, scale: float = 1.0) -> dict:
        """{WEIGHT_KEY: {layer: mean |dL/dW|}, INPUT_KEY: {layer: mean |dL/dx|}}, after
        backward (and after the grad scaler's ``unscale_``: the weights' gradients are then
        true ones; the inputs' are divided by ``scale`` here)."""
        self.armed = False
        grads = {name: m.weight.grad for name, m in self.layers if m.weight.grad is not None}
        names = list(grads)
        figures = [g.detach().float().abs().mean() for g in grads.values()]
        inputs = [n for n, _m in self.layers if n in self.kept]
        figures += [self.kept[n] / scale for n in inputs]
        values = torch.stack(figures).tolist() if figures else []
        read = {WEIGHT_KEY: dict(zip(names, values[:len(names)], strict=True)),
                INPUT_KEY: dict(zip(inputs, values[len(names):], strict=True))}
        if self.histograms:
            read[HIST_KEY] = self._read_histograms()
        self.kept, self.outputs = {}, {}
        return read

    def _read_histograms(self) -> dict:
        """{layer: {kind: compact counts}}, fetched in one transfer."""
        tensors = {}
        for name, m in self.layers:
            tensors[name, "weights"] = bin_counts(m.weight)
            if name in self.outputs:
                tensors[name, "activations"] = self.outputs[name]
            if m.weight.grad is not None:
                tensors[name, "gradients"] = bin_counts(m.weight.grad)
        rows = torch.stack(list(tensors.values())).tolist()
        out: dict = {}
        for (name, kind), row in zip(tensors, rows, strict=True):
            out.setdefault(name, {})[kind] = compact(row)
        return out

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
