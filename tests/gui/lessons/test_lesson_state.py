"""What a lesson does to the user's work and what Page Up gives back, tried as a hostile user
would (the review of issue 19): training behind a lesson, a CSV file, the optimizer, an edit
during a lesson, dropout masks, an enlarged view after Space, Cancel on the unsaved prompt."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from bpviz.core import load_graph, save_graph


def weights(graph) -> dict:
    return {(n, p): graph.param(n, p).copy() for n in graph.order for p in graph.param_names(n)}


def test_leaving_gives_back_the_users_training_data_optimizer_and_step(qtbot, window,
                                                                       tmp_path):
    c = window.classroom
    csv = tmp_path / "mine.csv"
    rng = np.random.default_rng(0)
    csv.write_text("x1,x2,label\n" + "\n".join(f"{a:.3f},{b:.3f},{int(a > b)}" for a, b in
                                                rng.normal(size=(40, 2))))
    assert window.data.load_csv(str(csv))
    c.set_batch(6)
    c.new_batch()
    c.set_optimizer("Adam", {"lr": 0.3})
    window.show_training()
    panel = window.training.panel
    panel.set_continuous(True)
    qtbot.waitUntil(lambda: c.trainer is not None and c.trainer.steps > 3, timeout=30_000)
    panel.set_continuous(False)
    c.set_train_mode(True)
    c.step()
    c.step()
    panel.set_continuous(True)
    before = (c.trainer, c.trainer.steps, weights(c.graph), c.optimizer)
    window.lessons.open("07_adam", ask=False)
    assert not panel.timer.isActive()                   # no training behind the lesson
    assert c.optimizer.kind == "SGD"                    # a lesson starts from the defaults
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    window.lessons.leave()
    d = c.data
    assert (d.source, d.file, d.batch, d.batch_seed, c.train_mode) == \
        ("CSV file…", str(csv), 6, 1, True)
    assert c.optimizer.kind == "Adam" and c.optimizer.values["lr"] == 0.3
    assert c.trainer is before[0] and c.trainer.steps == before[1]
    for key, value in before[2].items():
        np.testing.assert_array_equal(c.graph.param(*key), value)
    assert c.steps_taken == 2 and window.data.source.currentText() == "CSV file…"


def test_lesson_2s_step_uses_plain_sgd_whatever_the_user_had(qtbot, window):
    window.classroom.set_optimizer("Adam", {"lr": 0.3})
    window.lessons.open("02_chain_rule", 5, ask=False)
    window.lessons.next()                                # the reveal: one optimizer step
    assert window.classroom.optimizer.kind == "SGD"
    assert window.classroom.optimizer.all_values["lr"] == 0.1


def test_an_edit_during_a_lesson_then_page_up_leaves_a_graph_that_fits(qtbot, window,
                                                                      tmp_path):
    window.lessons.open("03_backprop_layers", 2, ask=False)
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)         # reveal
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)         # step 4
    graph = window.classroom.graph
    conv = graph.nodes["conv"]
    window.editor.set_attrs("conv", {**conv.attrs, "out_channels": 3})
    fc = graph.nodes["fc"]
    window.editor.set_attrs("fc", {**fc.attrs, "in_features": 12})
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    graph = window.classroom.graph
    save_graph(graph, tmp_path / "after.bpviz.json")      # raised: bias (3,) got (2,)
    again = load_graph(tmp_path / "after.bpviz.json")
    assert again.param("conv", "weight").shape == graph.param("conv", "weight").shape
    assert window.lessons.panel.error.text() == ""


def test_going_back_draws_the_same_dropout_masks(qtbot, window):
    lesson = "08_alexnet_case_study"
    window.lessons.open(lesson, ask=False)
    asked = next(i for i, s in enumerate(window.lessons.lesson.steps)
                 if any("train_mode" in a for a in s.actions))
    window.lessons.go(asked)
    window.lessons.next()                                # reveal: drop7 backward
    mask = window.classroom.current.cache["mask"].copy()
    window.lessons.next()
    c = window.classroom
    c.set_train_mode(False)
    c.set_train_mode(True)
    c.step()                                             # a stepper of other masks
    window.lessons.previous()
    np.testing.assert_array_equal(window.classroom.current.cache["mask"], mask)


def test_an_enlarged_view_follows_the_inspector(qtbot, window):
    c = window.classroom
    c.step_to("fc2", "forward")
    assert window.focus.open(window.inspector.heatmaps["output"])
    c.set_sample(3)                                      # same page: enlarged again
    assert window.focus.is_open
    np.testing.assert_array_equal(window.focus.origin.matrix,
                                  c.current.output[3].reshape(1, -1))
    qtbot.keyClick(window.view, Qt.Key.Key_Space)            # another page: closed
    assert not window.focus.is_open


def test_cancel_on_the_unsaved_prompt_keeps_the_lesson(qtbot, window):
    fc1 = window.document.graph.nodes["fc1"]
    window.editor.set_attrs("fc1", {**fc1.attrs, "out_features": 5})   # the user's edit
    assert window.document.modified
    window.lessons.open("01_one_layer", 2, ask=False)
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    assert not window.files.maybe_save()
    assert window.lessons.active and window.lessons.index == 2
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    assert window.files.maybe_save() and not window.lessons.active


def test_after_a_step_fails_the_lessons_menu_still_works(qtbot, window, tmp_path):
    """Issue 25 item 11: Next, Previous, Reload and Leave stayed disabled after a failed
    step, which broke the 'fix the file and reload' loop."""
    import json

    from bpviz.paths import lessons_dir
    spec = json.loads((lessons_dir() / "01_one_layer.lesson.json").read_text())
    spec["steps"][1]["do"] = [{"step_to": {"node": "nowhere", "phase": "forward"}}]
    path = tmp_path / "mine.lesson.json"
    path.write_text(json.dumps(spec))
    window.lessons.open(str(path), 1, ask=False)         # the first step shown fails
    assert "no node 'nowhere'" in window.lessons.panel.error.text()
    assert all(action.isEnabled() for action in window.lessons.step_actions)
    spec["steps"][1]["do"] = [{"step_to": {"node": "flatten", "phase": "forward"}}]
    path.write_text(json.dumps(spec))
    window.lessons.step_actions[2].trigger()              # Reload Lesson
    assert window.lessons.panel.error.text() == "" and window.lessons.index == 1


def test_autosave_keeps_the_users_graph_through_a_lesson(qtbot, window):
    """Issue 25 item 2: edits made just before a lesson were never saved, and editing the
    lesson's graph replaced the user's recovery file with the lesson's graph."""
    import json

    from bpviz.gui.config.settings import recovery_path
    fc1 = window.document.graph.nodes["fc1"]
    window.editor.set_attrs("fc1", {**fc1.attrs, "out_features": 5})   # unsaved, < 20 s
    mine = window.document.graph.to_dict()
    window.lessons.open("03_backprop_layers", 1, ask=False)
    assert json.loads(recovery_path().read_text())["graph"] == mine    # written at the start
    conv = window.document.graph.nodes["conv"]
    window.editor.set_attrs("conv", {**conv.attrs, "out_channels": 3})  # the lesson's graph
    assert window.document.write_recovery()
    assert json.loads(recovery_path().read_text())["graph"] == mine


def test_lesson_2s_last_explanation_quotes_the_number_the_inspector_shows(qtbot, window):
    """Issue 20 item 11: it said log σ = −179 where sample 0's true class showed −41.6."""
    window.lessons.open("02_chain_rule", 5, ask=False)
    window.lessons.next()                                # the reveal: one SGD step
    c = window.classroom
    x_id, t_id = list(c.feeds())
    target = int(c.feeds()[t_id][c.data.sample])
    value = c.graph.value("log")[c.data.sample, target]
    # the answer card states it in large type (2.6's second value), beside the loss
    assert window.lessons.panel.card.also[0] == f"{value:.1f}".replace("-", "−")
