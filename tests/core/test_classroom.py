"""The Classroom model with no Qt: data, stepping, the optimizer's settings, snapshots and
sessions, driven the way the app's views and lessons drive it."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from bpviz.core import load_graph
from bpviz.core.classroom import Classroom
from bpviz.core.classroom_session import restore_classroom, session_of
from bpviz.core.errors import GraphError
from bpviz.core.optimization.optim import OptimizerSettings
from bpviz.core.teaching.session_file import session_from_dict, session_to_dict
from bpviz.paths import example_path

from .classroom_graphs import classroom_of, recorder


def names(said: list) -> list:
    return [name for name, _ in said]


def test_a_graph_gets_the_data_that_fits_it():
    c = classroom_of("spirals_mlp")
    assert c.data.source == "spirals" and c.problem() == ""
    assert c.feeds()[next(iter(c.feeds()))].shape == (8, 2)


def test_step_to_steps_silently_and_announces_once():
    c = classroom_of("spirals_mlp")
    said = recorder(c)
    events = []
    c.stepped.connect(events.append)
    event = c.step_to("loss", "backward")
    assert (event.node, event.phase) == ("loss", "backward")
    assert names(said) == ["stepped"] and events == [event]
    assert c.steps_taken == len(c.stepper.forward_nodes) + 1


def test_step_to_a_node_that_is_not_there_names_it():
    c = classroom_of("spirals_mlp")
    with pytest.raises(GraphError, match="no node 'nope'"):
        c.step_to("nope", "forward")
    with pytest.raises(ValueError, match="phase"):
        c.step_to("loss", "sideways")


def test_a_sample_outside_the_batch_is_refused_and_nothing_changes():
    c = classroom_of("spirals_mlp")
    c.set_batch(4)
    with pytest.raises(ValueError, match="samples 0 to 3"):
        c.set_sample(4)
    with pytest.raises(ValueError):
        c.set_sample(True)
    assert c.data.sample == 0
    c.set_sample(3)
    c.set_batch(2)                                   # the sample follows a smaller batch
    assert c.data.sample == 1


def test_held_changes_are_announced_once_in_the_order_they_last_happened():
    c = classroom_of("spirals_mlp")
    c.step()
    said = recorder(c)
    with c.held():
        c.set_batch(4)
        c.step()
        c.step()
    assert names(said) == ["data_changed", "stepped"]
    assert c.current.index == 2


def step_size(c: Classroom) -> float:
    changes = c.apply_optimizer_step()
    before, after = changes[("fc1", "weight")]
    return float(np.abs(after - before).max())


def test_a_learning_rate_typed_after_the_first_step_is_used_by_the_next():
    """One step at 0.1, then 0.5 typed, then a step: 5x the step at 0.1 from the same
    point (the issue's test; the old panel kept the first step's rate)."""
    c = classroom_of("spirals_mlp")
    c.set_optimizer("SGD", {"lr": 0.1})
    start = c.snapshot()
    step_size(c)                                      # the first step, at 0.1
    c.restore(start)
    at_01 = step_size(c)
    c.restore(start)
    c.set_optimizer("SGD", {"lr": 0.1})
    step_size(c)
    c.restore(start)
    trainer = c.trainer
    c.set_optimizer("SGD", {"lr": 0.5})
    assert c.trainer is trainer                       # same kind: the state is kept
    assert step_size(c) == pytest.approx(5 * at_01, rel=1e-9)


@pytest.mark.parametrize("typed", ["fast", float("nan"), float("inf"), 0.0, -0.1])
def test_a_learning_rate_that_is_not_a_positive_number_is_refused(typed):
    c = classroom_of("spirals_mlp")
    w = c.graph.param("fc1", "weight")
    with pytest.raises(ValueError, match="lr"):
        c.set_optimizer("SGD", {"lr": typed})
    assert c.optimizer == OptimizerSettings()
    c.apply_optimizer_step()
    assert not np.array_equal(w, c.graph.param("fc1", "weight"))   # the old rate is used


def test_coming_back_to_a_snapshot_brings_back_the_rate_it_had():
    """A lesson's earlier step: a rate typed since then is neither shown nor used."""
    c = classroom_of("spirals_mlp")
    c.set_optimizer("SGD", {"lr": 0.1})
    step_size(c)                                      # a trainer, at 0.1
    start = c.snapshot()
    at_01 = step_size(c)
    c.restore(start)
    c.set_optimizer("SGD", {"lr": 0.5})
    c.restore(start)
    assert c.optimizer.values["lr"] == 0.1
    assert step_size(c) == pytest.approx(at_01, rel=1e-9)


def test_another_kind_starts_a_fresh_state():
    c = classroom_of("spirals_mlp")
    c.set_optimizer("Momentum")
    c.apply_optimizer_step()
    assert c.trainer.steps == 1
    c.set_optimizer("Adam")
    assert c.trainer is None


def test_momentum_keeps_its_buffer_when_the_rate_changes_as_torch_does():
    """torch's SGD with momentum, lr changed in param_groups between steps: the same
    weights as the classroom with the rate typed between steps."""
    c = Classroom(load_graph(example_path("spirals_mlp")))
    c.set_optimizer("Momentum", {"lr": 0.05, "momentum": 0.9})
    keys = [(nid, p) for nid in c.graph.order for p in c.graph.param_names(nid)]
    params = [torch.tensor(c.graph.param(*k), requires_grad=True) for k in keys]
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
    for lr in (0.05, 0.2, 0.01):
        c.set_optimizer("Momentum", {"lr": lr, "momentum": 0.9})
        for group in opt.param_groups:
            group["lr"] = lr
        c.graph.forward(c.feeds(), train=False)
        c.graph.backward()
        for p, k in zip(params, keys, strict=True):
            p.grad = torch.tensor(c.graph.param_grad(*k))
        c.apply_optimizer_step()
        opt.step()
    for p, k in zip(params, keys, strict=True):
        np.testing.assert_allclose(c.graph.param(*k), p.detach().numpy(), rtol=1e-12)


def test_a_snapshot_gives_back_the_step_the_weights_and_the_data():
    c = classroom_of("spirals_mlp")
    c.set_batch(4)
    c.step_to("fc2", "forward")
    c.set_sample(2)
    shot = c.snapshot()
    w = c.graph.param("fc1", "weight").copy()
    out = c.current.output.copy()
    c.set_batch(8)
    c.apply_optimizer_step()
    c.step_to("loss", "backward")
    c.set_train_mode(True)
    c.restore(shot)
    assert (c.current.node, c.current.phase, c.data.batch, c.data.sample) == \
        ("fc2", "forward", 4, 2)
    np.testing.assert_array_equal(c.graph.param("fc1", "weight"), w)
    assert not c.train_mode
    np.testing.assert_array_equal(c.current.output, out)
    assert c.trainer is None


def test_a_session_round_trips_through_the_classroom_without_qt():
    c = classroom_of("spirals_mlp")
    c.use_builtin("blobs")
    c.set_batch(5)
    c.new_batch()
    c.set_sample(3)
    c.set_train_mode(True)
    c.step_to("fc2", "forward")
    session = session_from_dict(session_to_dict(session_of(c, tab="backprop")))
    other = Classroom()
    restore_classroom(other, session)
    d = other.data
    assert (d.source, d.batch, d.batch_seed, d.sample, other.train_mode) == \
        ("blobs", 5, 1, 3, True)
    assert (other.current.node, other.steps_taken) == ("fc2", c.steps_taken)
    np.testing.assert_array_equal(other.current.output, c.current.output)
    assert session_to_dict(session_of(other)) == session_to_dict(session_of(c))


def test_the_classroom_and_its_sessions_import_no_qt():
    code = ("import sys, bpviz.core.classroom_session, bpviz.core.classroom; "
            "sys.exit(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_a_session_whose_steps_cannot_all_be_taken_names_the_field():
    c = classroom_of("spirals_mlp")
    session = session_of(c)
    session.steps = 10_000
    with pytest.raises(ValueError, match="field stepper.steps: stepping stopped after"):
        restore_classroom(Classroom(), session)


def test_a_view_that_raises_does_not_keep_the_others_from_following():
    c = classroom_of("spirals_mlp")
    seen = []

    def broken(_event):
        raise RuntimeError("a broken view")
    c.stepped.connect(broken)
    c.stepped.connect(seen.append)
    with pytest.raises(RuntimeError, match="a broken view"):
        with c.held():
            c.step()
            c.set_batch(4)
    assert len(seen) == 1                            # the second view still followed
    c.stepped.disconnect(broken)
    c.step()
    assert len(seen) == 2                            # nothing left queued in the gate


def test_a_batch_of_true_is_refused():
    with pytest.raises(ValueError, match="batch"):
        classroom_of("spirals_mlp").set_batch(True)
