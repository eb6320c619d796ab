"""Training in the Classroom where it used to fail: the binary hinge's decision map (its
labels are ±1), and stepping on after an optimizer step that could not be taken."""
import numpy as np

from bpviz.core import load_graph
from bpviz.core.classroom import Classroom
from bpviz.core.errors import GraphError
from bpviz.paths import example_path


def test_the_binary_hinge_trains_and_draws_its_decision_map():
    c = Classroom(load_graph(example_path("binary_hinge")))
    assert c.data.source == "blobs ±1"
    assert len(c.train(20, None).records) == 20
    classes, _ = c.trainer.decision_map((-2, 2, -2, 2), 12)
    assert classes.shape == (12, 12) and set(np.unique(classes)) <= {-1, 1}


def test_a_failed_optimizer_step_leaves_stepping_consistent(monkeypatch):
    c = Classroom(load_graph(example_path("spirals_mlp")))
    c.step()
    c.step()
    said = []
    c.message.connect(said.append)
    c.ensure_trainer()

    def broken():
        raise GraphError("broken")
    monkeypatch.setattr(c.trainer, "apply_gradients", broken)
    assert c.apply_optimizer_step() is None and "Cannot update: broken" in said[-1]
    assert c.stepper is None                     # the forward replaced the stepper's values
    assert c.step().index == 1 and c.back() is None and c.position.startswith("forward 0/")
