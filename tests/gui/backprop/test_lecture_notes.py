"""Where bpviz departs from the lecture, said on screen next to the number: the batch mean
of NLLLoss (−1/N), MultiMarginLoss's 1/C, cross-entropy written as three nodes."""
from PySide6.QtWidgets import QLabel

from bpviz.core.labs import curves
from bpviz.paths import example_path

from .test_stepping import step_to


def test_inspector_shows_the_nll_batch_mean_under_its_gradient(window):
    window.document.open_example(example_path("fc_softmax_ce"))
    ev = step_to(window, "loss", "backward")
    assert ev.op.reduction == "mean"
    n = ev.inputs["input"].shape[0]
    note = window.inspector.findChild(QLabel, "lecture_note")
    assert note is not None and note.parent() is window.inspector.widget()   # the page shown
    text = note.text()
    assert f"1/N = 1/{n}" in text and f"−1/{n} at the true class" in text
    assert "three nodes" in text and "Softmax → Log → NLLLoss" in text
    step_to(window, "fc", "backward")               # a Linear layer does not depart
    assert window.inspector.findChild(QLabel, "lecture_note") is None


def test_multiclass_panel_says_the_hinge_divides_by_c(window):
    window.tabs.setCurrentIndex(1)
    mc = window.losses.panel.multiclass
    classes = len(mc.logits)
    assert f"1/C = 1/{classes}" in mc.values.text()
    assert curves.multiclass([0.0] * classes, 0)["hinge_note"] in mc.values.text()
