"""Lessons 6 to 8 (gradient descent and momentum, Adam, the AlexNet case study): the numbers
they show and ask about are torch's or the engine's, and the pieces they need (the race
action, the Update & Train panel by name, the training recipes) work on their own."""
import re

import numpy as np
import pytest
import torch

from bpviz.core.teaching.lessons import LessonError, load_lesson
from bpviz.gui.lessons.runner import LessonRunner
from bpviz.gui.training.augment_views import _number as number_text
from bpviz.gui.training.training_form import RECIPES
from bpviz.gui.widgets.heatmap import fmt
from bpviz.paths import lessons_dir

from ..test_readable_sizes import set_mode
from .test_lessons import walk


def lesson(name: str):
    return load_lesson(lessons_dir() / f"{name}.lesson.json")


def bowl_steps(opt_class, steps: int, **hyper) -> list[dict]:
    """torch's optimizer state after each step on ½(x² + 10y²) from (−2.5, 1.5), float64."""
    theta = torch.tensor([-2.5, 1.5], dtype=torch.float64, requires_grad=True)
    opt, states = opt_class([theta], **hyper), []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)).backward()
        opt.step()
        states.append({k: v.clone() if torch.is_tensor(v) else v
                       for k, v in opt.state[theta].items()} | {"theta": theta.detach().clone()})
    return states


def card_numbers(lab, name: str, symbol: str) -> tuple[str, str]:
    return tuple(label.text() for label in lab.cards.cards[name].values[symbol])


def share_from_edge(lab, point) -> float:
    """How far ``point`` (x, y) lies inside the surface plot's view, as a share of the view's
    width or height, whichever is less (negative: outside). 0.1 is 22 px of the 220 px wide
    bowl that lesson 6 shows beside the lesson at 1280x720: room for an 18 px marker."""
    (x0, x1), (y0, y1) = lab.plot.getPlotItem().vb.viewRange()
    fx, fy = (point[0] - x0) / (x1 - x0), (point[1] - y0) / (y1 - y0)
    return min(fx, 1 - fx, fy, 1 - fy)


def test_lesson_6_views_hold_the_race_and_a_divergence_says_where_it_stopped(qtbot, window):
    for _index, step in walk(qtbot, window, lesson("06_gradient_descent_momentum")):
        lab = window.optimizers.panel if window.optimizers.built else None
        if step.title in ("Gradient descent", "Learning rate too small", "Mini-batch SGD"):
            for run in lab.runs.values():        # the start, the end and the bowl's bottom
                shown = [run.points[0], run.points[-1]]
                shown += lab.surface.minima if lab.plot.getPlotItem().vb.state[
                    "aspectLocked"] else []
                for point in shown:
                    assert share_from_edge(lab, point) >= 0.1, (step.title, point)
        if step.title == "Learning rate too large":
            last = len(lab.runs["GD"].points) - 1
            assert f"after step {last} (diverged)" in lab.cards.step_label.text()
            assert f"GD at step {last}" in lab.status.text()
            x, y = lab.paths["GD"].line.getData()    # leaves the view once, no bar of lines
            outside = [p for p in zip(x, y, strict=True) if share_from_edge(lab, p) < 0]
            assert len(outside) <= 1 and len(x) < last


def test_lesson_6_step_8_shows_update_and_train_as_its_text_says(qtbot, window):
    """The panel built earlier and closed since: the step opens it before the question, and
    after the reveal the parameter's whole name is in its combo at 1280x720."""
    set_mode(qtbot, window, "projector")
    training = window.workspace.training
    assert training.panel is not None                     # built (an earlier lesson did)
    window.workspace.docks["training"].hide()
    assert window.lessons.open("06_gradient_descent_momentum", 7, ask=False) == ""
    qtbot.wait(50)
    assert window.workspace.docks["training"].isVisible()
    window.lessons.answer(0)
    qtbot.wait(400)                                       # the heat maps laid out
    combo = training.panel.param_choice
    assert combo.currentText() == "fc2.weight"
    assert combo.width() >= combo.sizeHint().width()      # not "fc2.weigh"


def test_lesson_6_momentum_card_is_torchs_lr_times_buffer(qtbot, window):
    torch_states = bowl_steps(torch.optim.SGD, 2, lr=0.05, momentum=0.9)
    seen = {}
    for _index, step in walk(qtbot, window, lesson("06_gradient_descent_momentum")):
        lab = window.optimizers.panel if window.optimizers.built else None
        if step.title in ("Momentum", "The form in torch"):
            seen[step.title] = (lab.shown, card_numbers(lab, "Momentum", "v"),
                                lab.runs["Momentum"])
        if step.title == "Learning rate too small":
            x50 = lab.runs["GD"].points[50, 0]
            assert x50 == pytest.approx(-2.5 * 0.99 ** 50)          # 40% of the way
            assert 0.35 < 1 - x50 / -2.5 < 0.45
        if step.title == "Learning rate too large":
            run = lab.runs["GD"]
            assert len(run.points) < 51 and "diverged: GD" in lab.status.text()
            np.testing.assert_allclose(run.points[1:4, 1] / run.points[:3, 1], -1.5)
        if step.title == "In a network":
            panel = window.workspace.training.panel
            assert panel.kind.currentText() == "Momentum" and window.classroom.trainer.steps == 1
            assert window.classroom.optimizer.kind == "Momentum"
    for title, t in (("Momentum", 1), ("The form in torch", 2)):
        shown, texts, run = seen[title]
        v = 0.05 * torch_states[t - 1]["momentum_buffer"].numpy()     # v = lr · buf
        assert shown == t and texts == (fmt(v[0]), fmt(v[1]))
        np.testing.assert_allclose(run.points[t], torch_states[t - 1]["theta"].numpy())
    steps = lesson("06_gradient_descent_momentum").steps
    answers = {s.title: s.question.answer for s in steps if s.question}
    assert answers["Momentum"] == pytest.approx(0.05 * torch_states[0]["momentum_buffer"][1])
    assert 21 == pytest.approx(float(torch_states[1]["momentum_buffer"][1]))
    assert answers["The form in torch"] == pytest.approx(0.05 * 21)


def test_lesson_7_adam_card_and_bias_correction_are_torchs(qtbot, window):
    torch_states = bowl_steps(torch.optim.Adam, 1, lr=0.1)
    for _index, step in walk(qtbot, window, lesson("07_adam")):
        lab = window.optimizers.panel
        m, v = torch_states[0]["exp_avg"].numpy(), torch_states[0]["exp_avg_sq"].numpy()
        if step.title in ("Starting from zero", "Bias correction", "The second moment"):
            assert lab.shown == 0              # step 1 would show the next answers (issue 20)
        answers = {"Starting from zero": m[1], "Bias correction": 1 / (1 - 0.9),
                   "The second moment": 1 / (1 - 0.999)}
        if step.title in answers:
            assert step.question.answer == pytest.approx(answers[step.title], rel=1e-3)
        if step.title == "The update":         # its reveal takes step 1: the card, the table
            assert card_numbers(lab, "Adam", "m") == (fmt(m[0]), fmt(m[1]))
            assert card_numbers(lab, "Adam", "v") == (fmt(v[0]), fmt(v[1]))
            t_label, m_label, v_label = lab.cards.cards["Adam"].bias.columns[0]
            assert "1" in t_label.text()
            assert float(m_label.text()) == pytest.approx(answers["Bias correction"], rel=1e-3)
            assert float(v_label.text()) == pytest.approx(answers["The second moment"],
                                                          rel=1e-3)
            moved = lab.runs["Adam"].points[1] - lab.runs["Adam"].points[0]
            np.testing.assert_allclose(moved, torch_states[0]["theta"].numpy() - [-2.5, 1.5])
            np.testing.assert_allclose(np.abs(moved), step.question.answer, rtol=1e-6)
        if step.title == "The corrections fade":
            m_ratio, v_ratio = lab.runs["Adam"].bias_correction(50)
            assert m_ratio == pytest.approx(1 / (1 - 0.9 ** 50))
            assert v_ratio == pytest.approx(1 / (1 - 0.999 ** 50))
            assert abs(m_ratio - 1) < 0.01 < abs(v_ratio - 1)


def test_lesson_8_shows_the_added_colour_the_mask_and_the_recipes(qtbot, window):
    for _index, step in walk(qtbot, window, lesson("08_alexnet_case_study")):
        demo = window.training_tab.panel.augment_demo
        if step.title in ("PCA colour augmentation", "The second component"):
            pca, out, alpha = demo.pca(), demo.result, demo.alpha()
            added = pca.eigvec @ (alpha * pca.eigval)               # p (α ⊙ λ)
            assert np.count_nonzero(alpha) == 1
            np.testing.assert_allclose(out.shift, added)
            np.testing.assert_allclose(out.lit - out.flipped, added[:, None, None] + 0 * out.lit)
            for value in added:
                assert number_text(value) in demo.colours.text()
            if step.title == "PCA colour augmentation":
                assert (added < -0.1).all()                        # darker, alike
            else:
                assert added[0] > 0.01 > abs(added[1]) and added[2] < -0.01
        if step.title == "Dropout":
            event = window.classroom.current
            mask = event.cache["mask"][event.sample].ravel()
            lazy = window.focus.view.content.lazy           # the enlarged Jacobian, 4096²
            assert lazy.shape == (4096, 4096)
            lazy.compute(range(200))
            shown = lazy.block(0, 200, 0, 200)
            np.testing.assert_array_equal(shown, np.diag(mask[:200]))   # the engine's m/(1 − p)
            assert set(np.unique(mask)) == {0.0, 2.0}
            assert set(np.unique(np.diag(shown))) == {0.0, step.question.answer}
            assert 0.4 < (mask == 0).mean() < 0.6
        if step.title in ("Batch size 128", "Training on GPUs"):
            form, tab = window.training_tab.panel.form, window.training_tab.panel
            assert form.out.toolTip() == form.out.text()          # the whole folder, clipped
            assert not tab.view.log.isVisible()                   # no empty box before a run
            assert "MB" not in tab.status.text() and "lesson" not in tab.status.text()
            name = form.recipe_choice.currentText()
            recipe = RECIPES[name]
            assert (form.batch.value(), form.image_size.value(), form.lr.text()) == (
                recipe["batch"], recipe["image_size"], recipe["lr"])
            if step.title == "Batch size 128":
                assert form.batch.value() == 128
                assert step.question.answer == 1_280_000 / form.batch.value()
            else:
                assert form.max_steps.value() * form.batch.value() == step.question.answer


def test_a_race_step_names_what_the_lab_does_not_know(window):
    runner = LessonRunner(window)
    runner.run([{"race": {"ticked": ["GD"], "configs": {"GD": {"lr": 0.02}}, "shown": 3}}],
               "do")
    lab = window.optimizers.panel
    assert list(lab.runs) == ["GD"] and lab.shown == 3 and lab.configs["GD"]["lr"] == 0.02
    legend = list(lab.legend.entries)                           # the row above the plots
    assert legend == ["GD"]                                     # only the racers
    with pytest.raises(LessonError, match=r"do\[0\]\.race: no optimizer 'Lion'"):
        runner.run([{"race": {"ticked": ["Lion"]}}], "do")
    with pytest.raises(LessonError, match=r"do\[0\]\.race: .*speed"):
        runner.run([{"race": {"configs": {"GD": {"speed": 1}}}}], "do")
    with pytest.raises(LessonError, match=r"do\[0\]\.race: no control named 'warp'"):
        runner.run([{"race": {"controls": {"warp": 1}}}], "do")


def test_a_control_of_the_update_panel_is_found_before_the_panel_is_built(window):
    assert not window.workspace.training.built
    LessonRunner(window).run([{"set": {"control": "update_optimizer", "value": "Adam"}}], "do")
    assert window.workspace.training.panel.kind.currentText() == "Adam"
    assert window.workspace.docks["training"].isVisible()


def test_a_recipe_fills_the_training_form(window):
    window.show_tab("training")
    form = window.training_tab.panel.form
    form.use_recipe("AlexNet paper (GPU)")
    assert (form.arch.currentText(), form.image_size.value(), form.batch.value(),
            form.lr.text(), form.epochs.value(), form.max_steps.value()) == (
        "alexnet-paper", 224, 128, "0.01", 90, 0)
    config = form.config()
    assert (config.batch_size, config.lr, config.max_steps) == (128, 0.01, None)
    form.use_recipe("quick CPU run")
    assert (form.image_size.value(), form.batch.value(), form.max_steps.value()) == (64, 64, 300)


@pytest.mark.parametrize("name", ["01_one_layer", "02_chain_rule", "03_backprop_layers",
                                  "04_classification_losses", "05_regression_losses",
                                  "06_gradient_descent_momentum", "07_adam",
                                  "08_alexnet_case_study"])
def test_each_question_reads_on_its_own(name):
    """On the projector only the step shown is on screen: a question that leans on the
    previous one ("And v, at t = 1?" after 7.3's "By what factor is m multiplied…") asks
    the class to remember what it no longer sees, and reads as asking for v itself."""
    leaning = re.compile(r"^(And|Now|Then|Also|What about)\b")
    asks = [step.question.ask for step in lesson(name).steps if step.question is not None]
    assert asks and [ask for ask in asks if leaning.match(ask)] == []
