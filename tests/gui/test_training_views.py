"""The Training tab as a class or a user sees it without a run going on: a run folder from
an older bpviz, the form and the empty plots at 1280x720 beside lesson 8."""
import json

import numpy as np


def write_run(folder, records) -> None:
    folder.mkdir()
    (folder / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in records))


def test_an_older_run_with_norms_only_shows_its_gradient_norms(window, tmp_path):
    """Runs logged before the gradient flow hold grad_norms (‖dL/dW‖ per layer) and no
    means: their norms are drawn again (issue 23's flow left these plots empty)."""
    norms = {"conv1": 0.02, "conv5": 0.1, "fc8": 0.5}
    write_run(tmp_path / "old", [{"step": s, "epoch": 0, "split": "train", "loss": 2.0 / s,
                                  "grad_norms": {k: v * s for k, v in norms.items()}}
                                 for s in (5, 10)])
    window.tabs.setCurrentIndex(3)
    tab = window.training_tab.panel
    assert tab.open_run(tmp_path / "old")
    view = tab.view
    x, y = view.flow.curves["weight"].getData()
    assert np.allclose(10 ** np.asarray(y), [0.2, 1.0, 5.0])      # step 10's, log scale
    steps, _ = view.flow.step_curves["conv1"].getData()
    assert list(steps) == [5, 10]
    assert "‖∂L/∂W‖" in view.flow.batch_plot.getAxis("left").labelText
    assert "‖∂L/∂W‖ (L2 norm" in view.flow_summary.text()
    # a newer run opened after it: its means, named as means
    write_run(tmp_path / "new", [{"step": 1, "split": "train", "loss": 1.0,
                                  "grad_mean_w": {"conv1": 0.001, "fc8": 0.01},
                                  "grad_mean_x": {"conv1": 0.002, "fc8": 0.02}}])
    assert tab.open_run(tmp_path / "new")
    assert view.flow.batch_plot.getAxis("left").labelText == "mean |gradient|"
    assert view.flow_summary.text().startswith("Gradient flow at step 1")
