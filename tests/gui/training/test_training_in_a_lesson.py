"""A lesson that shows the Training form (lesson 8's recipes) does not load PyTorch for it:
~700 MB and seconds the class does not need (issue 19's memory goal). Start still trains,
loading it then; shown by the user after the lesson, the form loads it as usual."""
from PySide6.QtCore import Qt

from bpviz.gui.training.training_form import DEFERRED as DEVICE_DEFERRED
from bpviz.gui.training.training_tab import DEFERRED, READY


def recipe_step(window) -> int:
    lesson = window.lessons.lesson
    return next(i for i, step in enumerate(lesson.steps)
                if any("training_recipe" in str(a) for a in step.actions))


def test_a_lesson_shows_the_training_form_without_loading_torch(qtbot, window):
    window.lessons.open("08_alexnet_case_study", ask=False)
    window.lessons.go(recipe_step(window))
    tab = window.training_tab.panel
    qtbot.waitUntil(tab.form.isVisible)
    qtbot.wait(300)                                  # past the load's usual start
    assert tab.loader.state == "idle" and tab.status.text() == DEFERRED
    assert tab.form.device.itemText(0) == DEVICE_DEFERRED
    assert tab.start_button.isEnabled()              # Start would load it, then train
    window.lessons.leave()
    window.show_tab("training")
    qtbot.waitUntil(lambda: tab.loader.state == "ready", timeout=120_000)
    assert tab.status.text() == READY and tab.start_button.isEnabled()


def test_start_in_a_lesson_loads_torch_first(qtbot, window, monkeypatch):
    window.lessons.open("08_alexnet_case_study", ask=False)
    window.lessons.go(recipe_step(window))
    tab = window.training_tab.panel
    qtbot.waitUntil(tab.start_button.isEnabled)
    assert tab.loader.state == "idle"
    started = []
    monkeypatch.setattr(tab.form, "config", lambda: started.append(tab.loader.state)
                        or (_ for _ in ()).throw(ValueError("stopped here by the test")))
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert started == ["ready"]
    assert "stopped here by the test" in tab.status.text()
