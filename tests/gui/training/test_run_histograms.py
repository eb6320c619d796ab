"""The Training tab's per-layer histograms of a run folder opened later: the last logged
histograms, one layer at a time (picked as a user picks), as each bin's share of the
values; right-click values as text; another run's folder leaves none of them behind."""
import json

import numpy as np

from bpviz.core.backprop.flow_histograms import BINS, HIST_KEY, compact, counts, shares

from ..acting import choose
from ..plot_checks import axis_problems, tick_labels

RNG = np.random.default_rng(0)
LAYERS = ("conv1", "fc8")


def logged(scale: float) -> dict:
    """One record's histograms: weights, activations and gradients of each layer."""
    return {name: {"weights": compact(counts(RNG.normal(0, 0.01 * scale, 500))),
                   "activations": compact(counts(np.maximum(RNG.normal(0, scale, 300), 0))),
                   "gradients": compact(counts(RNG.normal(0, 1e-4 * scale, 500)))}
            for name in LAYERS}


def write_run(folder, records) -> None:
    folder.mkdir()
    (folder / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in records))


def test_a_run_folder_shows_its_last_histograms_layer_by_layer(window, qtbot, tmp_path):
    first, last = logged(1.0), logged(3.0)
    write_run(tmp_path / "run", [
        {"step": 10, "split": "train", "loss": 2.0, HIST_KEY: first},
        {"step": 20, "split": "train", "loss": 1.5},
        {"step": 110, "split": "train", "loss": 1.0, HIST_KEY: last},
        {"step": 120, "split": "train", "loss": 0.9}])
    window.tabs.setCurrentIndex(3)
    tab = window.training_tab.panel
    assert tab.open_run(tmp_path / "run")
    view = tab.view.histograms
    qtbot.waitUntil(view.isVisible)
    assert view.heading.text() == "Histograms at step 110"
    assert len(tick_labels(view.plot.getAxis("bottom"))) >= 3
    assert axis_problems(view.plot) == []               # as many labels as fit
    assert [view.layer.itemText(i) for i in range(view.layer.count())] == list(LAYERS)
    for name in ("fc8", "conv1"):
        choose(view.layer, name)
        for kind, curve in view.curves.items():
            x, y = curve.xData, curve.yData
            assert len(x) == BINS + 1
            full = np.zeros(BINS)
            full[last[name][kind][0]:][:len(last[name][kind]) - 1] = last[name][kind][1:]
            np.testing.assert_allclose(y, shares(full))
    assert view.curves["activations"].yData[BINS // 2] > 30         # the ReLU's zeros
    table = view.columns()
    assert list(table)[:2] == ["from", "to"] and len(table["weights %"]) == BINS
    write_run(tmp_path / "older", [{"step": 5, "split": "train", "loss": 2.0}])
    assert tab.open_run(tmp_path / "older")
    assert view.layer.count() == 0 and view.heading.text().startswith("Histograms come")
    assert view.curves["weights"].yData is None or len(view.curves["weights"].yData) == 0
