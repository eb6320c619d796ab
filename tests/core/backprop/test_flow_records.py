"""A training run's logged gradient flow read back as LayerFlows (core.gradient_flow)."""
import math

from bpviz.core.backprop.gradient_flow import FlowHistory, LayerFlow, flows_from_record, summary


def test_a_record_gives_its_layers_in_order_and_nan_for_what_is_not_a_number():
    record = {"step": 10, "split": "train",
              "grad_mean_w": {"conv1": 1e-6, "fc6": "x", "fc8": 1e-2},
              "grad_mean_x": {"conv1": 2e-7, "fc8": 3e-3}}
    flows = flows_from_record(record)
    assert [f.node for f in flows] == ["conv1", "fc6", "fc8"]
    assert flows[0] == LayerFlow("conv1", 1e-6, 2e-7)
    assert math.isnan(flows[1].weight) and math.isnan(flows[1].input)
    assert summary([flows[0], flows[2]]).startswith("Vanishing gradient: conv1 gets 1.0·10⁻⁶")


def test_records_without_figures_give_nothing():
    assert flows_from_record({"step": 5, "split": "val", "loss": 1.0}) == []
    assert flows_from_record({"grad_mean_w": {}, "grad_mean_x": {"a": 1.0}}) == []
    assert flows_from_record({"grad_mean_w": [1.0]}) == []


def test_a_step_gone_over_again_replaces_the_later_ones():
    history = FlowHistory()
    for step in (10, 20, 30):
        history.record(step, [LayerFlow("conv1", step, step)])
    history.record(20, [LayerFlow("conv1", 99.0, 99.0)])
    steps, values = history.series("conv1")
    assert list(steps) == [10, 20] and list(values) == [10, 99.0]
