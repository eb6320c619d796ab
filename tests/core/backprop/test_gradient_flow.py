"""Gradient-flow figures: per-layer mean |dL/dW| and |dL/dx|, equal to torch's on the same
batch; the sigmoid chain's vanishing gradient; the history over steps; histograms."""
import numpy as np
import pytest

from bpviz.core import load_graph
from bpviz.core.backprop.gradient_flow import (
    FlowHistory,
    LayerFlow,
    gradient_flow,
    histogram,
    layer_arrays,
    layers,
)
from bpviz.paths import example_path


def stepped(name, seed=0, batch=16):
    graph = load_graph(example_path(name))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *graph.shape("x")[1:]))
    t = rng.integers(0, 2, batch)
    graph.forward({"x": x, "t": t})
    graph.backward()
    return graph, x, t


def test_sigmoid_chain_first_layer_gets_orders_of_magnitude_less_than_its_last():
    graph, _, _ = stepped("sigmoid_chain")
    flows = gradient_flow(graph)
    assert [f.node for f in flows] == layers(graph) == [f"fc{i}" for i in range(1, 9)] + ["out"]
    assert flows[0].weight < 1e-4 * flows[-1].weight
    assert flows[0].input < 1e-4 * flows[-1].input
    weights = [f.weight for f in flows]
    assert weights == sorted(weights)            # it shrinks at every layer going back


def test_figures_equal_torch_on_the_same_batch():
    torch = pytest.importorskip("torch")
    from bpviz.core.network.export import param_arrays, to_pytorch_source
    graph, x, t = stepped("sigmoid_chain", batch=6)
    scope = {}
    exec(to_pytorch_source(graph), scope)                  # noqa: S102 (our own export)
    net = scope["build"]()
    net.load_params(param_arrays(graph))
    inputs = {}

    def keep(name):
        def hook(module, args):
            args[0].retain_grad()
            inputs[name] = args[0]
        return hook
    for nid in layers(graph):
        getattr(net, scope["MODULES"][nid]).register_forward_pre_hook(keep(nid))
    xt = torch.tensor(x, requires_grad=True)
    net(xt, torch.tensor(t)).backward()
    for flow in gradient_flow(graph):
        module = getattr(net, scope["MODULES"][flow.node])
        np.testing.assert_allclose(flow.weight, module.weight.grad.abs().mean().item(),
                                   rtol=1e-10)
        np.testing.assert_allclose(flow.input, inputs[flow.node].grad.abs().mean().item(),
                                   rtol=1e-10)


def test_part_way_through_backward_only_reached_layers_have_figures():
    graph = load_graph(example_path("sigmoid_chain"))
    assert gradient_flow(graph) == []
    graph.forward({"x": np.ones((2, 2)), "t": np.array([0, 1])})
    graph.start_backward()
    for nid in graph.backward_order()[:2]:               # the loss and the last layer
        graph.backprop_node(nid)
    flows = {f.node: f for f in gradient_flow(graph)}
    assert np.isfinite(flows["out"].weight) and np.isnan(flows["fc1"].weight)


def test_history_keeps_a_series_per_layer_and_thins_out_long_runs():
    history = FlowHistory(limit=8)
    for step in range(20):
        history.record(step, [LayerFlow("a", 10.0 ** -step, 1.0), LayerFlow("b", 1.0, 2.0)])
    steps, values = history.series("a")
    assert len(steps) <= 8 and steps[0] == 0 and steps[-1] >= 16
    np.testing.assert_allclose(values, 10.0 ** -steps)
    assert history.nodes() == ["a", "b"] and list(history.series("b", "input")[1]) == [2.0] * len(steps)
    history.clear()
    assert history.series("a")[0].size == 0


def test_histograms_count_finite_values_and_log_magnitudes():
    edges, counts = histogram([1.0, 2.0, np.nan, np.inf, 3.0], bins=2)
    assert counts.sum() == 3 and len(edges) == 3
    edges, counts = histogram([0.0, 1e-6, -1e-2, 1.0], bins=3, log_magnitude=True)
    assert counts.sum() == 3 and edges[0] == pytest.approx(-6)
    assert histogram([np.nan])[1].size == 0
    graph, _, _ = stepped("sigmoid_chain")
    arrays = layer_arrays(graph, "fc1")
    assert arrays["weights"].shape == (16, 2) and arrays["activations"].shape == (16, 16)
    assert arrays["gradients"].shape == (16, 2)


@pytest.mark.parametrize("lr, growth", [(0.1, (0.1, 10)), (30.0, (1e6, np.inf))])
def test_a_learning_rate_too_large_makes_the_history_explode(lr, growth):
    from bpviz.core.optimization.optim import SGD
    from bpviz.core.optimization.trainer import Trainer
    graph = load_graph(example_path("spirals_mlp"))
    trainer, history = Trainer(graph, SGD(lr=lr)), FlowHistory()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((32, 2)), rng.integers(0, 2, 32)
    for _ in range(8):
        trainer.train_step(x, t)
        history.record(trainer.steps, gradient_flow(graph))
    first = history.nodes()[0]
    _, values = history.series(first)
    low, high = growth
    assert low < values[-1] / values[0] < high
