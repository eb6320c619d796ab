"""bpviz.from_torch: step through a network written in PyTorch (the documented example)."""
import numpy as np
import pytest

import bpviz
import bpviz.interop

from .models import build, torch


def test_documented_example_steps_like_torch():
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(),
                              torch.nn.Linear(3, 2)).double()
    graph = bpviz.from_torch(net, torch.zeros(1, 2, dtype=torch.float64),
                             loss="CrossEntropyLoss")
    x, labels = torch.randn(4, 2, dtype=torch.float64), torch.tensor([0, 1, 1, 0])
    loss = graph.forward({"input": x.numpy(), "target": labels.numpy()})
    graph.backward()
    want = torch.nn.functional.cross_entropy(net(x), labels)
    want.backward()
    np.testing.assert_allclose(loss, want.item(), rtol=1e-12)
    np.testing.assert_allclose(graph.param_grad("fc1", "weight"), net[0].weight.grad.numpy(),
                               rtol=1e-9)
    assert net.training                      # exported in eval mode, then given back


def test_module_that_bpviz_cannot_express_names_the_op():
    class Cumulative(torch.nn.Module):
        def forward(self, x):
            return torch.cumsum(x, dim=1)

    with pytest.raises(bpviz.interop.ConvertError, match="unsupported ONNX op CumSum"):
        bpviz.from_torch(Cumulative(), torch.zeros(1, 3))


def test_float32_module_gives_a_float32_graph():
    module, x = build("cnn")
    graph = bpviz.from_torch(module.float(), x.float())
    assert graph.float_dtype() == np.float32 and graph.inputs() == ["input"]
