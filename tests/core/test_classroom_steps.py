"""Stepping and training through the Classroom as the stepper bar, the Inspector and the
Update & Train panel drive it: going back, phases, train mode, the Jacobians' size caps,
and what the user is told when a step, an update or a run cannot be done."""
import numpy as np
import pytest

from bpviz.core.classroom import Classroom
from bpviz.core.data.data_source import CSV_SOURCE
from bpviz.core.errors import GraphError

from .classroom_graphs import (
    classroom_of,
    dropout_graph,
    inputs_only_graph,
    labels_out_of_range,
    recorder,
)


def told(c: Classroom) -> list:
    said: list = []
    c.message.connect(said.append)
    return said


def test_back_run_phase_and_reset_move_the_step_shown():
    c = classroom_of("spirals_mlp")
    c.step()
    second = c.step()
    c.step()
    assert c.back() is second and c.steps_taken == 2
    last = c.run_phase()
    assert (last.node, last.phase, c.steps_taken) == ("loss", "forward", 6)
    said = recorder(c)
    c.reset_stepping()
    assert (c.steps_taken, c.current, said) == (0, None, [("stepped", (None,))])
    c.reset_stepping()                                # at the start already: still told
    assert c.steps_taken == 0


def test_going_to_a_step_count_goes_back_or_on():
    c = classroom_of("spirals_mlp")
    c.go_to_step(3)
    assert c.steps_taken == 3
    c.go_to_step(1)
    assert (c.steps_taken, c.current.node) == (1, "fc1")
    c.go_to_step(0)
    assert (c.steps_taken, c.current) == (0, None)


def test_run_to_the_end_of_a_pass_as_from_the_start():
    c = classroom_of("spirals_mlp")
    c.run_to_phase_end("backward")
    assert c.gradients_ready and c.position == "done"
    c.run_to_phase_end("forward")                     # back from the end
    assert (c.current.node, c.current.phase, c.steps_taken) == ("loss", "forward", 6)
    with pytest.raises(ValueError, match="^phase: expected one of forward, backward, "
                                         "got 'sideways'$"):
        c.run_to_phase_end("sideways")


def test_a_graph_with_nothing_to_step_says_so_at_the_end_of_the_forward_pass():
    c = Classroom(inputs_only_graph())
    with pytest.raises(GraphError, match="^stepping stopped at the end of the forward pass$"):
        c.run_to_phase_end("forward")


def test_train_mode_steps_with_dropout_masks_and_evaluation_without():
    c = Classroom(dropout_graph())
    assert not (c.step_to("drop", "forward").output == 0).any()
    c.set_train_mode(True)
    assert (c.step_to("drop", "forward").output == 0).any()


def test_a_sample_chosen_before_stepping_is_the_one_the_steps_show():
    c = classroom_of("spirals_mlp")
    c.set_sample(3)
    event = c.step()
    assert event.sample == 3
    x, _ = c.feeds().values()
    np.testing.assert_array_equal(event.jacobian["input"], c.graph.param("fc1", "weight"))
    assert event.inputs["input"][3].tolist() == x[3].tolist()


@pytest.mark.parametrize("caps", [{"jacobian_cap": 4095}, {"jacobian_rows": 63}])
def test_the_classroom_caps_the_jacobians_it_computes_at_once(caps):
    """fc2's input Jacobian is 64 x 64: past a cap of 4,095 entries or 63 rows it is left
    to be computed a few rows at a time (the app's panels must stay responsive)."""
    capped, free = classroom_of("spirals_mlp", **caps), classroom_of("spirals_mlp")
    assert capped.step_to("fc2", "forward").jacobian["input"] is None
    assert "computed a few rows at a time" in capped.current.jacobian_notes["input"]
    assert free.step_to("fc2", "forward").jacobian["input"].shape == (64, 64)
    assert free.current.jacobian["weight"] is None    # 64 x 4,160: the app's own cap


def test_a_graph_that_cannot_be_stepped_says_why_once_and_stays_put():
    c = classroom_of("spirals_mlp")
    c.use_builtin("shapes")
    said, heard = told(c), recorder(c)
    assert c.step() is None
    assert "'shapes'" in c.reason and c.position == "cannot step"
    assert said == [f"Cannot step: {c.reason}"]
    assert heard == [("reason_changed", (c.reason,))]
    with pytest.raises(GraphError) as err:
        c.step_to("fc1", "forward")
    assert str(err.value) == c.reason
    c.use_builtin("spirals")                          # mended: asked again at once
    assert (c.reason, c.position) == ("", "forward 0/6")


def test_a_label_the_loss_refuses_stops_stepping_there_and_names_it():
    c = classroom_of("spirals_mlp")
    c.use_dataset(labels_out_of_range(), CSV_SOURCE, "bad.csv")
    c.step_to("fc3", "forward")
    said, heard = told(c), recorder(c)
    assert c.step() is None
    assert "target 7" in c.reason and c.position == "cannot step"
    assert said == [f"Cannot step: {c.reason}"]
    assert heard == [("reason_changed", (c.reason,)), ("stepped", (c.current,))]
    assert c.current.node == "fc3"                    # the last step that could be taken
    with pytest.raises(GraphError) as err:
        c.step_to("loss", "backward")
    assert str(err.value) == c.reason


def test_an_update_without_stepping_uses_the_gradients_stepping_would_give():
    """The optimizer step on a batch not stepped through runs it in evaluation mode, as
    the stepper does: no dropout mask."""
    c = Classroom(dropout_graph())
    start = c.snapshot()
    c.run_to_phase_end("backward")
    stepped = c.apply_optimizer_step()
    c.restore(start)
    direct = c.apply_optimizer_step()
    for key, (before, after) in stepped.items():
        np.testing.assert_array_equal(direct[key][1] - direct[key][0], after - before)


def test_after_an_update_the_bar_says_update_until_stepping_starts_again():
    c = classroom_of("spirals_mlp")
    version = c.params_version
    c.apply_optimizer_step()
    assert (c.position, c.params_version) == ("update", version + 1)
    c.step()
    c.set_batch(4)                                    # a new stepper has started since
    assert c.position == "ready: press Space"
    c.apply_optimizer_step()
    assert c.params_version == version + 2


def test_data_that_does_not_fit_cannot_train_and_the_user_is_told_why():
    c = classroom_of("spirals_mlp")
    c.use_builtin("shapes")
    said = told(c)
    assert c.apply_optimizer_step() is None and c.trainer is None
    assert c.train(3, None) is None and c.trainer is None
    assert said == [f"Cannot train: {c.problem()}"] * 2 and "'shapes'" in said[0]


def test_a_label_the_loss_refuses_stops_an_update_and_a_run_naming_it():
    c = classroom_of("spirals_mlp")
    c.use_dataset(labels_out_of_range(), CSV_SOURCE, "bad.csv")
    said, version = told(c), c.params_version
    assert c.apply_optimizer_step() is None
    assert c.train(3, None) is None
    assert [m.split(": node")[0] for m in said] == ["Cannot update", "Training stopped"]
    assert all("target 7" in m for m in said)
    # no weight changed: the stepper bar must not say "update"
    assert c.params_version == version and not c.after_update


def test_training_runs_the_steps_asked_for_on_batches_of_the_chosen_size():
    c = classroom_of("spirals_mlp")
    c.set_batch(5)
    version = c.params_version
    w = c.graph.param("fc1", "weight")
    progress = c.train(3, None)
    assert [r.step for r in progress.records] == [1, 2, 3] and not progress.diverged
    assert c.params_version == version + 1 and c.position == "update"
    assert not np.array_equal(w, c.graph.param("fc1", "weight"))
    assert len(c.train_data) + len(c.held_out) == len(c.data.dataset)
    assert c.train(50, 0.0).records == []             # no time: no step


def test_training_stops_at_the_step_count_before_it_would_diverge():
    """At a rate of 1e300 the second step's loss is no longer finite: one step asked for
    is one step taken; with no limit the run stops where the loss diverged."""
    c = classroom_of("spirals_mlp")
    c.set_optimizer("SGD", {"lr": 1e300})
    start = c.snapshot()
    assert len(c.train(1, None).records) == 1
    c.restore(start)
    progress = c.train(None, None)
    assert progress.diverged and len(progress.records) >= 2
