"""Each lab's state (its named controls and its own choices) comes back as it was saved,
through the session's JSON, and a state that does not fit is a ValueError naming it."""
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QSlider, QWidget

from bpviz.gui.widgets.controls import named_controls, read_controls, write_controls


def through_json(lab: str, state: dict) -> dict:
    """As a session file gives it back: JSON, then the core's check of that lab's part."""
    from bpviz.core.teaching.session_file import LAB_CHECKS
    return LAB_CHECKS[lab](json.loads(json.dumps(state)), f"labs.{lab}")


@pytest.fixture
def loss_lab(qtbot):
    from bpviz.gui.labs.loss_lab import LossLab
    lab = LossLab(lambda: (_ for _ in ()).throw(ValueError("no graph")))
    qtbot.addWidget(lab)
    return lab


@pytest.fixture
def optimizer_lab(qtbot):
    from bpviz.gui.labs.optimizer_lab import OptimizerLab
    lab = OptimizerLab()
    qtbot.addWidget(lab)
    return lab


def test_named_controls_read_and_set_as_a_user_would(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    box = QCheckBox(root, objectName="on")
    combo = QComboBox(root, objectName="kind")
    combo.addItems(["a", "b"])
    slider = QSlider(root, objectName="level", minimum=0, maximum=10)
    QCheckBox(root)                                    # unnamed: not a saved control
    chosen = []
    combo.activated.connect(chosen.append)
    write_controls(root, {"on": True, "kind": "b", "level": 7})
    assert read_controls(root) == {"on": True, "kind": "b", "level": 7}
    assert box.isChecked() and chosen == [1] and slider.value() == 7
    for bad, words in (({"level": 11}, "'level' takes 0 to 10"), ({"kind": "c"}, "no choice"),
                       ({"gone": 1}, "no control named 'gone'")):
        with pytest.raises(ValueError, match=words):
            write_controls(root, bad)
    QCheckBox(root, objectName="on")
    with pytest.raises(ValueError, match="two controls are named 'on'"):
        named_controls(root)


def test_the_losses_tab_comes_back_with_its_page_and_controls(loss_lab):
    saved = loss_lab.state()
    assert {"classification_derivatives", "regression_derivatives", "multiclass_target",
            "slider_margin Δ", "surface_model", "surface_resolution"} <= set(saved["controls"])
    changed = dict(saved["controls"], **{"regression_derivatives": False,
                                        "multiclass_target": loss_lab.multiclass.names[2],
                                        "slider_margin Δ": 25, "surface_data": "spirals",
                                        "surface_resolution": 41})
    target = {"page": 2, "controls": changed}
    loss_lab.set_state(through_json("losses", target))
    assert loss_lab.state() == target
    assert loss_lab.currentIndex() == 2 and loss_lab.multiclass.margin.value() == 2.5
    assert loss_lab.multiclass.target.currentIndex() == 2
    loss_lab.set_state(saved)
    assert loss_lab.state() == saved
    with pytest.raises(ValueError, match="pages 0 to 3, not 9"):
        loss_lab.set_state({"page": 9, "controls": {}})


def test_the_optimizers_tab_comes_back_with_its_race(optimizer_lab):
    lab = optimizer_lab
    saved = json.loads(json.dumps(lab.state()))
    lab.surface_kind.setCurrentText("Rosenbrock")
    lab.configs["Adam"] = {"lr": 0.2, "betas": (0.8, 0.95)}
    lab.set_start(-1.0, 1.5)
    lab.steps.setValue(120)
    lab.optimizers.item(0).setCheckState(Qt.CheckState.Unchecked)
    lab.show_step(37)
    changed = json.loads(json.dumps(lab.state()))
    assert changed["controls"]["race_surface"] == "Rosenbrock"
    assert changed["shown"] == 37 and "GD" not in changed["ticked"]
    lab.set_state(saved)
    assert json.loads(json.dumps(lab.state())) == saved
    lab.set_state(through_json("optimizers", changed))
    assert json.loads(json.dumps(lab.state())) == changed
    assert lab.start == (-1.0, 1.5) and set(lab.runs) == set(changed["ticked"])
    assert lab.status.text().startswith("step 37 of 120")
    for bad, words in (({"ticked": ["Newton"]}, "no optimizer 'Newton'"),
                       ({"configs": {"Adam": {"lr": -1.0}}}, "lr"),
                       ({"controls": {"race_steps": 0}}, "'race_steps' takes 1 to 5000")):
        with pytest.raises(ValueError, match=words):
            lab.set_state(bad)


def test_a_lesson_types_into_a_line_edit_as_a_user_would(qtbot):
    from PySide6.QtGui import QDoubleValidator
    from PySide6.QtWidgets import QLineEdit

    from bpviz.gui.widgets.controls import set_value
    edit = QLineEdit(objectName="hyper_lr")
    qtbot.addWidget(edit)
    finished = []
    edit.editingFinished.connect(lambda: finished.append(edit.text()))
    set_value(edit, 0.001)
    assert edit.text() == "0.001" and finished == ["0.001"]
    edit.setValidator(QDoubleValidator(0.0, 1.0, 6))
    with pytest.raises(ValueError, match="'hyper_lr' does not take 'fast'"):
        set_value(edit, "fast")
    assert edit.text() == "0.001"
