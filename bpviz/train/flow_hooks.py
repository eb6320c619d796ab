"""FlowHooks: how much gradient reaches each layer of a torch model on the steps a run logs,
the figures of bpviz.core.gradient_flow for AlexNet:

    grad_mean_w[layer] = mean |dL/dW|   over the layer's weight W
    grad_mean_x[layer] = mean |dL/dx|   over the layer's input x (the batch included)

A forward pre-hook on each weight layer hangs a tensor hook on its input, but only on an
armed step (the loop arms the steps it logs): the other steps pay one Python call per layer.
The figures stay on the device until ``read`` fetches them all in one transfer.
"""
from __future__ import annotations

import torch

from bpviz.core.gradient_flow import INPUT, RECORD_KEYS, WEIGHT

WEIGHT_KEY, INPUT_KEY = RECORD_KEYS[WEIGHT], RECORD_KEYS[INPUT]


class FlowHooks:
    def __init__(self, layers: list[tuple[str, torch.nn.Module]], inputs: bool = True):
        """``layers``: (name, module) in network order. ``inputs=False`` hooks nothing and
        reads the weights' figures only (torch.compile traces hooks into its graph)."""
        self.layers = layers
        self.armed = False
        self.kept: dict[str, torch.Tensor] = {}
        self.handles = [module.register_forward_pre_hook(self._pre_hook(name))
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

    def _keep(self, name: str, grad: torch.Tensor) -> None:
        self.kept[name] = grad.detach().float().abs().mean()      # returns None: grad as is

    def arm(self) -> None:
        """The next forward and backward are measured."""
        self.kept = {}
        self.armed = True

    def read(self, scale: float = 1.0) -> dict:
        """{WEIGHT_KEY: {layer: mean |dL/dW|}, INPUT_KEY: {layer: mean |dL/dx|}}, after
        backward (and after the grad scaler's ``unscale_``: the weights' gradients are then
        true ones; the inputs' are divided by ``scale`` here)."""
        self.armed = False
        names = [name for name, m in self.layers if m.weight.grad is not None]
        grads = {name: m.weight.grad for name, m in self.layers}
        figures = [grads[n].detach().float().abs().mean() for n in names]
        inputs = [n for n, _m in self.layers if n in self.kept]
        figures += [self.kept[n] / scale for n in inputs]
        values = torch.stack(figures).tolist() if figures else []
        self.kept = {}
        return {WEIGHT_KEY: dict(zip(names, values[:len(names)], strict=True)),
                INPUT_KEY: dict(zip(inputs, values[len(names):], strict=True))}

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
