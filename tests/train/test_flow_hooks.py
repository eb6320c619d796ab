"""The gradient flow of an AlexNet run (FlowHooks): a tiny CPU run's metrics.jsonl holds
each layer's mean |dL/dW| and |dL/dx| at the logged steps, equal to what torch gives for
the same batch, weights and dropout masks; the Training tab shows them from the folder."""
import copy
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bpviz.core.backprop.flow_histograms import (
    HIST_KEY,
    KINDS,
    counts,
    histograms_from_record,
    sample_step,
)
from bpviz.train.loop import TrainingRun
from bpviz.train.models import build_model, weight_layers
from bpviz.train.train_config import TrainConfig

SMALL = dict(image_size=64, batch_size=8, classes=4, synthetic_train=64, synthetic_val=16,
             workers=0, device="cpu", epochs=1)
LAYERS = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def by_hand(arch: str, classes: int, seen: dict) -> tuple[dict, dict]:
    """mean |dL/dW| and mean |dL/dx| per layer from plain torch: the weights, batch and
    random state (dropout) the run had at that step, inputs kept with retain_grad."""
    model = build_model(arch, classes)
    model.load_state_dict(seen["state"])
    model.train()
    inputs = {}

    def keep(name):
        def hook(_module, args):
            args[0].retain_grad()
            inputs[name] = args[0]
        return hook
    for name, layer in weight_layers(model):
        layer.register_forward_pre_hook(keep(name))
    torch.set_rng_state(seen["rng"])
    x = seen["x"].clone().requires_grad_(True)
    F.cross_entropy(model(x), seen["y"]).backward()
    weights = {n: float(m.weight.grad.abs().mean()) for n, m in weight_layers(model)}
    return weights, {n: float(t.grad.abs().mean()) for n, t in inputs.items()}


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """Four steps of the paper's AlexNet, logged every second step; what train_step had at
    the last logged one (batch, weights, random state)."""
    out = tmp_path_factory.mktemp("run")
    run = TrainingRun(TrainConfig(**SMALL, arch="alexnet-paper", out=str(out), max_steps=4,
                                  log_every=2))
    seen, unlogged_kept = {}, []
    train_step = run.train_step

    def step(x, y, sums, want_norms):
        if want_norms:
            seen.update(x=x.clone(), y=y.clone(), rng=torch.get_rng_state(),
                        state=copy.deepcopy(run.model.state_dict()))
            tensors = seen.setdefault("tensors", [])
            tensors.append(torch_tensors(run, lambda: train_step(x, y, sums, want_norms)))
            return tensors[-1].pop("figures")
        figures = train_step(x, y, sums, want_norms)
        unlogged_kept.append(dict(run.flow.kept))
        return figures
    run.train_step = step
    assert run.run() == "max_steps"
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return out, [r for r in records if r["split"] == "train"], seen, unlogged_kept


def torch_tensors(run, take_step) -> dict:
    """What torch has on a step: each layer's weights before it, output and weight
    gradient (float64 copies); the step's figures under "figures"."""
    got = {("weights", n): m.weight.detach().double().clone() for n, m in weight_layers(
        run.model)}

    def keep(name):
        def hook(_module, _args, output):
            got["activations", name] = output.detach().double().clone()
        return hook
    handles = [m.register_forward_hook(keep(n)) for n, m in weight_layers(run.model)]
    got["figures"] = take_step()
    for handle in handles:
        handle.remove()
    got.update({("gradients", n): m.weight.grad.detach().double().clone()
                for n, m in weight_layers(run.model)})
    return got


def test_metrics_hold_the_flow_that_torch_gives_for_the_same_batch(logged):
    out, records, seen, unlogged_kept = logged
    assert [r["step"] for r in records] == [2, 4]
    last = records[-1]
    assert list(last["grad_mean_w"]) == LAYERS and list(last["grad_mean_x"]) == LAYERS
    weights, inputs = by_hand("alexnet-paper", 4, seen)
    np.testing.assert_allclose([last["grad_mean_w"][n] for n in LAYERS],
                               [weights[n] for n in LAYERS], rtol=1e-5)
    np.testing.assert_allclose([last["grad_mean_x"][n] for n in LAYERS],
                               [inputs[n] for n in LAYERS], rtol=1e-5)
    assert all(v > 0 for v in last["grad_mean_x"].values())
    assert unlogged_kept == [{}, {}]           # steps 1 and 3 measured nothing


def test_the_histograms_equal_numpy_histograms_of_torchs_tensors(logged):
    """The first logged step (step 2) counts histograms, every HIST_EVERY-th after it:
    each layer's weights, output and weight gradient, as numpy counts torch's tensors."""
    _out, records, seen, _kept = logged
    assert HIST_KEY in records[0] and HIST_KEY not in records[1]
    logged_hist = histograms_from_record(records[0])
    assert list(logged_hist) == LAYERS
    torch_had = seen["tensors"][0]
    for name in LAYERS:
        assert set(logged_hist[name]) == set(KINDS)
        for kind in KINDS:
            want = counts(torch_had[kind, name].float().numpy())
            np.testing.assert_array_equal(logged_hist[name][kind], want, err_msg=f"{name} {kind}")
            size = torch_had[kind, name].numel()
            assert want.sum() == len(range(0, size, sample_step(size)))
    assert logged_hist["conv1"]["activations"].sum() == 8 * 96 * 15 * 15   # batch 8, 64 px


def test_histograms_come_with_every_tenth_logged_step():
    from bpviz.train.flow_hooks import HIST_EVERY, FlowHooks
    model = build_model("alexnet-paper", 4)
    hooks = FlowHooks(weight_layers(model))
    with_histograms = []
    for arm in range(1, 2 * HIST_EVERY + 2):
        hooks.arm()
        F.cross_entropy(model(torch.randn(2, 3, 64, 64)), torch.tensor([0, 1])).backward()
        if HIST_KEY in hooks.read():
            with_histograms.append(arm)
        model.zero_grad()
    assert with_histograms == [1, HIST_EVERY + 1, 2 * HIST_EVERY + 1]


def test_a_run_folder_opened_later_shows_the_flow(qtbot, logged):
    from bpviz.gui.training.training_tab import TrainingTab
    out, records, _seen, _kept = logged
    tab = TrainingTab()
    qtbot.addWidget(tab)
    tab.resize(1600, 900)
    tab.show()
    assert tab.open_run(out)
    flow = tab.view.flow
    shown = flow.curves["weight"].yData                  # as given (getData: log10 of it)
    np.testing.assert_allclose(shown, [records[-1]["grad_mean_w"][n] for n in LAYERS])
    shown = flow.curves["input"].yData
    np.testing.assert_allclose(shown, [records[-1]["grad_mean_x"][n] for n in LAYERS])
    steps, conv1 = flow.step_curves["conv1"].xData, flow.step_curves["conv1"].yData
    assert list(steps) == [2, 4] and conv1[0] == records[0]["grad_mean_w"]["conv1"]
    assert set(flow.step_curves) == set(LAYERS)
    assert tab.view.flow_summary.text().startswith("Gradient flow at step 4: ")
    assert "train grad_mean_x.fc8" in tab.csv_data()
    tab.view.clear()                           # another run: nothing of this one is left
    shown = flow.curves["weight"].yData
    assert (shown is None or len(shown) == 0) and not flow.step_curves


def test_a_run_resumed_from_an_older_step_replaces_the_flow_after_it(qtbot):
    from bpviz.gui.training.run_view import RunView
    view = RunView()
    qtbot.addWidget(view)
    for step, w in ((10, 1.0), (20, 2.0), (30, 3.0), (20, 4.0)):
        view.on_record({"step": step, "split": "train", "loss": 1.0,
                        "grad_mean_w": {"conv1": w, "fc8": 1.0},
                        "grad_mean_x": {"conv1": w, "fc8": 1.0}})
    view.flush()
    steps, values = view.flow.step_curves["conv1"].xData, view.flow.step_curves["conv1"].yData
    assert list(steps) == [10, 20] and list(values) == [1.0, 4.0]


def test_without_input_hooks_only_the_weights_are_measured():
    """What a compiled model gets (torch.compile would trace the hooks into its graph)."""
    from bpviz.train.flow_hooks import FlowHooks
    model = build_model("alexnet-paper", 4)
    hooks = FlowHooks(weight_layers(model), inputs=False)
    assert not hooks.measures_inputs
    hooks.arm()
    F.cross_entropy(model(torch.randn(2, 3, 64, 64)), torch.tensor([0, 1])).backward()
    figures = hooks.read()
    assert list(figures["grad_mean_w"]) == LAYERS and figures["grad_mean_x"] == {}
