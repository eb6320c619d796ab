"""Predict, then reveal (issue 20): while a question is open, neither its right choice nor
the number it asks for can be read anywhere on a 1280×720 projector — in the views, on the
canvas, in the step's own text, or off a loss curve at the point the reveal shows — and once it is revealed the answer card states the
number in large type, the engine's own."""
import html
import json
import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QWidget,
)

from bpviz.core.ops import shape_label
from bpviz.core.teaching.answers import readings
from bpviz.core.teaching.lessons import lessons_in
from bpviz.gui.canvas.edge_item import EdgeItem
from bpviz.gui.canvas.node_item import READABLE, NodeItem
from bpviz.gui.labs.loss_lab import CurvePanel
from bpviz.gui.lessons.panel import CARD_SCALE
from bpviz.gui.widgets.heatmap import HeatMap, fmt, picture
from bpviz.gui.widgets.jacobian_view import JacobianView
from bpviz.gui.widgets.matrix_viewport import MatrixViewport
from bpviz.paths import lessons_dir

LESSONS, _ = lessons_in(lessons_dir())
LESSON_1 = next(lesson for lesson in LESSONS if lesson.name == "01_one_layer")

# Texts on screen that hold the answer's number but do not give it away:
# (lesson, step from 1) -> {the text as legible() reads it: why}.
NOT_THE_ANSWER = {
    ("04_classification_losses", 2): {
        "curve hinge = 0.5 at x = 0.5": "the plot is against the margin: the class must "
                                        "first find t·y = 0.5 from t and y, the step's point"},
    ("04_classification_losses", 5): {
        "Binary hinge (max-margin) loss: max(0, 1 - t*y), labels t = -1 or +1.":
            "the Inspector's description of the op names the labels ±1"},
    ("07_adam", 3): {"condition = 10": "the bowl's condition number, not m's factor",
                     "quadratic (condition 10) (colour: log scale)":
                         "the surface's title: the bowl's condition number, not m's factor"},
    ("07_adam", 5): {"0.1": "η, the lr box: that x moves by η is what is asked"},
}

# Sentences that answer a question whose right choice is a word: (lesson, step from 1) ->
# phrases no legible text may hold before that question's reveal.
ANSWERING = {
    ("04_classification_losses", 3): ["gives no gradient beyond", "keeps pushing correct"],
    ("05_regression_losses", 3): ["constant slope"],
}

# Texts an earlier reveal shows that hold a later question's answer but do not give it
# away: (lesson, the later question's step) -> {the text's start: why}.
LATER_NOT_THE_ANSWER = {
    ("03_backprop_layers", 6): {
        " Each of the 2×4×4 = 32 outputs is a 3×3 filter applied to one patch of the 6×6 "
        "image": "step 5's own text names the image's size; step 6 asks why ∂L/∂x has it",
        "6×6   min": "a 6×6 view of step 5: the image is 6×6 on every screen of the lesson"},
    ("03_backprop_layers", 7): {
        "4×4   min 0   max 1   mean 0.25": "a heat map's mean, not σ′'s largest value"},
    ("04_classification_losses", 5): {
        "At  t·y = 0.5 : cross-entropy  0.474  (slope -0.378) hinge  0.5  (slope -1) ":
            "the hinge's slope against the margin; step 5 asks ∂L/∂y of a point in a "
            "network, which the class must find from t and y"},
    ("05_regression_losses", 6): {
        "At  y - ŷ = 4 : L1  4  (slope 1) L2  16 ": "step 4's reveal: the residual 4 and L1 "
                                                   "there, not Huber with δ = 2 at residual 3",
        "residuals shown: ±4": "step 4's reveal plots to residual 4, not Huber's value"},
    ("08_alexnet_case_study", 6): {
        " Principal components      k = 1  2  3": "the PCA table's column numbers, not "
                                                  "dropout's 1/(1 − p)"},
}

# texts that only one screen shows: (lesson, step, text) -> that screen (on the desk the
# step's enlarged y covers the Inspector; the projector keeps it beside)
ONLY_ON = {("04_classification_losses", 5,
            "Binary hinge (max-margin) loss: max(0, 1 - t*y), labels t = -1 or +1."):
           "projector"}


def plain(text: str) -> str:
    """A label's text as read: tags gone, entities and the minus sign as typed."""
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("−", "-")


def drawn_texts(widget) -> list[str]:
    """What a heat map or a matrix view paints: title, caption and the numbers it writes."""
    if isinstance(widget, HeatMap):
        if widget.matrix is None:
            return [widget.title, widget.note]
        caption = widget.caption or picture(widget.matrix)[1]     # drawn on a worker
        numbers = [fmt(v) for v in widget.matrix.ravel()] if widget.shows_numbers() else []
        return [widget.title, caption, widget.note, *numbers]
    if widget.shape() is None:
        return [widget.title, widget.note]
    numbers = widget.numbers()
    return [widget.title, *widget.caption(numbers is not None), *(numbers[1] if numbers else [])]


def widget_texts(widget) -> list[str]:
    if isinstance(widget, (HeatMap, MatrixViewport)):
        return drawn_texts(widget)
    if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
        return [widget.text()]
    if isinstance(widget, QComboBox):
        return [widget.currentText()]
    if isinstance(widget, QListWidget):
        return [widget.item(i).text() for i in range(widget.count())]
    return []


def canvas_texts(window) -> list[str]:
    """The nodes' and edges' labels in the canvas's visible part, where drawn readable."""
    view = window.view
    if view.viewport().visibleRegion().isEmpty():
        return []
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    zoom = view.transform().m11()
    texts = []
    for item in view.scene().items(seen):
        if isinstance(item, NodeItem) and item.compact and zoom * item.scale_ >= READABLE:
            texts += [item.nid, shape_label(item.out_shape)]     # all the compact style draws
        elif isinstance(item, NodeItem) and zoom * item.scale_ >= READABLE:
            texts += [item.nid, item.op, item.summary, "out " + shape_label(item.out_shape)]
        elif isinstance(item, EdgeItem) and zoom * item.scale_ >= READABLE:
            texts.append(item.label)
    return texts


def reachable(widget) -> bool:
    """On screen, or a scroll away: in a scroll area that is on screen (the Inspector's page
    below its first views). Not when hidden, or covered by an enlarged view."""
    if not widget.isVisible():
        return False
    if not widget.visibleRegion().isEmpty():
        return True
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    return area is not None and not area.visibleRegion().isEmpty()


def settle(qtbot, window) -> None:
    """Laid out as shown, and each Jacobian on screen filled (a worker computes its rows:
    its caption then gives the colour scale, e.g. "colour ±2")."""
    qtbot.wait(20)
    for view in window.findChildren(JacobianView):
        if reachable(view):
            qtbot.waitUntil(lambda v=view: v.grab() is not None and not v.asked, timeout=20000)


def legible(window) -> list[str]:
    """Every text the class can read now, or a scroll away: the window's widgets (not hidden
    nor covered by an enlarged view), what heat maps and matrix views draw, and the canvas. Left out: the lesson strip but for the step's text (the question
    and its choices, the step's number), and the bars that run the app (stepper, data,
    palette, status), whose counts are where a question starts from."""
    panel = window.lessons.panel
    chrome = [window.lessons.dock, window.stepper, window.data, window.docks["palette"],
              window.statusBar(), window.menuBar()]
    texts = canvas_texts(window)
    for widget in window.findChildren(QWidget):
        if not reachable(widget):
            continue
        if widget is not panel.text and any(c is widget or c.isAncestorOf(widget)
                                             for c in chrome):
            continue
        texts += widget_texts(widget)
    return [plain(t) for t in texts if t]


def curves_shown(window) -> list[tuple]:
    """(name, x, y, view range) of each line in a plot the class sees (not markers, bars)."""
    found = []
    for plot in window.findChildren(pg.PlotWidget):
        if not reachable(plot.viewport()):           # the view covers all the frame
            continue
        item = plot.getPlotItem()
        for curve in item.listDataItems():
            if not isinstance(curve, pg.PlotDataItem) or curve.opts["pen"] is None \
                    or not curve.isVisible():
                continue
            x, y = (np.array(v, dtype=float) for v in curve.getOriginalDataset())
            if x.ndim == 1 and len(x) > 1:
                found.append((curve.name() or "slope", x, y, item.vb.viewRange()))
    return found


def read_off(curves: list[tuple], at: float, answer: float, tolerance: float) -> list[str]:
    """The lines that show ``answer`` at x = ``at`` inside their view (the point where a
    reveal puts the Losses tab's marker): "curve L2 = 9 at x = 3"."""
    found = []
    for name, x, y, ((x0, x1), (y0, y1)) in curves:
        if not (x[0] <= at <= x[-1] and x0 <= at <= x1):
            continue
        value = float(np.interp(at, x, y))
        if abs(value - answer) <= max(tolerance, 1e-9) and y0 <= value <= y1:
            found.append(f"curve {name} = {answer:g} at x = {at:g}")
    return found


def marked_point(window) -> float | None:
    """Where the Losses tab's marker stands, on a curve page the class sees."""
    shown = [p for p in window.findChildren(CurvePanel) if p.isVisible()]
    return shown[0].at.value() if shown else None


def said(texts: list[str], phrase: str) -> list[str]:
    """The texts where ``phrase`` stands on its own: not inside 1×6×6, 0.25 or conv2, nor a
    counter (forward 1/5) or a node's attribute (dim=1)."""
    pattern = re.compile(rf"(?<![\w×·./=]){re.escape(phrase)}(?![\w×·/]|\.\d)")
    return [t for t in texts if pattern.search(t)]


def answer_phrases(question) -> list[str]:
    """The number as the answer line and the explanation write it (10000, 10,000), or the
    right choice where it is a value (4×8; 6×6 of '6×6, the image's'). A choice in words
    ('much higher', 'cross-entropy') is a name the views may show for every choice, and a 0
    or a 1 is on every screen: the screenshots judge those."""
    if question.choices:
        right = question.choices[int(question.answer)]
        phrases = [right, right.split(",")[0]]
        return [p for p in dict.fromkeys(phrases) if re.search(r"\d", p)]
    a = question.answer
    if a in (0, 1):        # sample 0, max(0, x), 1 → 2 channels, dL/dL = 1: on every screen
        return []
    return list(dict.fromkeys([f"{a:g}", f"{a:,g}"]))


def given_away(texts: list[str], lesson, index: int) -> list[str]:
    """The texts that state question ``index``'s answer (its number or its answering
    sentence), less those NOT_THE_ANSWER excuses there."""
    step, key = lesson.steps[index], (lesson.name, index + 1)
    allowed = NOT_THE_ANSWER.get(key, {})
    found = [t for phrase in answer_phrases(step.question)
             for t in said(texts, phrase.replace("−", "-"))]
    found += [t for phrase in ANSWERING.get(key, []) for t in texts if phrase in t]
    return [t for t in found if t not in allowed]


def card_number(card) -> float:
    values = readings(card.value)
    assert values, card.value
    return values[0]


# The engine's number for each card, read where the reveal left it: (lesson, step title)
ENGINE = {
    ("01_one_layer", "Softmax"): lambda w: float(
        w.classroom.current.output[w.classroom.current.sample].sum()),
    ("02_chain_rule", "One step of gradient descent"): lambda w: float(
        w.classroom.current.output),
    ("03_backprop_layers", "Vanishing gradients"): lambda w: float(
        np.abs(w.classroom.current.dparams["weight"]).max()),
    ("08_alexnet_case_study", "Dropout"): lambda w: float(
        (w.classroom.current.cache["mask"][0] == 0).mean()),
}


def check_card(window, lesson, step) -> None:
    card, event = window.lessons.panel.card, window.classroom.current
    assert card.isVisible() and card.label == step.question.card.label
    assert card.value_px() >= CARD_SCALE * window.lessons.panel.text.fontInfo().pixelSize() - 1
    key = (lesson.name, step.title)
    if key == ("08_alexnet_case_study", "The second component"):
        shift = 255 * window.training_tab.panel.augment_demo.result.shift
        shown = [float(v.replace("−", "-")) for v in re.findall(r"[-+−]?\d+\.\d", card.value)]
        np.testing.assert_allclose(shown, shift, atol=0.051)
        assert shown[0] > 3 and shown[2] < -3                # a few 255ths: hard to see
    else:
        assert card_number(card) == pytest.approx(ENGINE[key](window), rel=6e-3)
    if key == ("02_chain_rule", "One step of gradient descent"):
        assert card_number(card) > 10 * 2.44                 # "much higher"
    if key == ("03_backprop_layers", "Vanishing gradients"):
        assert event.node == "fc1" and card_number(card) < 1e-6


SCREENS = {"projector": (1280, 720, True), "desk": (1920, 1080, False)}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_no_question_shows_its_answer_before_the_reveal_and_the_card_states_it(
        qtbot, window, lesson, screen):
    """At 1280×720 in presentation mode, and on a 1920×1080 desk where the Inspector shows
    more of a step."""
    width, height, presentation = SCREENS[screen]
    window.set_presentation(presentation)
    window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(width, height)
    lessons, cards, excused = window.lessons, 0, set()
    assert lessons.open(str(lesson.path), ask=False) == ""
    for index, step in enumerate(lesson.steps):
        assert lessons.index == index and lessons.panel.error.text() == ""
        if step.question is not None:
            settle(qtbot, window)
            texts = legible(window)
            assert any(plain(step.text)[:20] in t for t in texts)   # the walk sees the strip
            allowed = NOT_THE_ANSWER.get((lesson.name, index + 1), {})
            for phrase in answer_phrases(step.question):
                found = said(texts, phrase.replace("−", "-"))
                excused.update((lesson.name, index + 1, t) for t in found if t in allowed)
                found = [t for t in found if t not in allowed]
                assert not found, (lesson.name, index + 1, phrase, found)
            curves = curves_shown(window)
            lessons.next()                                    # the answer and its reveal
            assert lessons.panel.error.text() == "", lessons.panel.error.text()
            at = marked_point(window)
            if at is not None and not step.question.choices:  # read off where it is revealed
                found = read_off(curves, at, step.question.answer, step.question.tolerance)
                excused.update((lesson.name, index + 1, t) for t in found if t in allowed)
                found = [t for t in found if t not in allowed]
                assert not found, (lesson.name, index + 1, found)
            assert not [t for phrase in ANSWERING.get((lesson.name, index + 1), [])
                        for t in texts if phrase in t], (lesson.name, index + 1)
            settle(qtbot, window)                  # what the reveal shows: no later answer
            shown = legible(window)
            for later in range(index + 1, len(lesson.steps)):
                if lesson.steps[later].question is not None:
                    allowed = LATER_NOT_THE_ANSWER.get((lesson.name, later + 1), {})
                    found = [t for t in given_away(shown, lesson, later)
                             if not t.startswith(tuple(allowed))]
                    assert not found, (lesson.name, index + 1, "gives", later + 1, found)
            if step.question.card is not None:
                assert not said(texts, plain(lessons.panel.card.value)), lessons.panel.card.value
                check_card(window, lesson, step)
                cards += 1
        lessons.next()
    assert lessons.finishing                       # the end: Page Down once more leaves
    lessons.next()
    expected = sum(s.question is not None and s.question.card is not None for s in lesson.steps)
    assert cards == expected and not lessons.active
    listed = {(name, k, t) for (name, k), texts in NOT_THE_ANSWER.items() for t in texts
              if name == lesson.name and ONLY_ON.get((name, k, t), screen) == screen}
    assert excused == listed, "NOT_THE_ANSWER lists texts no longer on screen"


def test_the_cards_ask_for_what_issue_20_found_hidden():
    """The softmax sum, fc1's gradient, the loss after the step, the second component's
    colour and the dropout mask's zeros each have a card."""
    carded = {(lesson.name, step.title): step.question.card.show
              for lesson in LESSONS for step in lesson.steps
              if step.question is not None and step.question.card is not None}
    assert carded == {
        ("01_one_layer", "Softmax"): "sum",
        ("02_chain_rule", "One step of gradient descent"): "value",
        ("03_backprop_layers", "Vanishing gradients"): "largest",
        ("08_alexnet_case_study", "The second component"): "colour_added",
        ("08_alexnet_case_study", "Dropout"): "zeros"}


def test_a_card_comes_back_with_its_step_and_follows_presentation_mode(qtbot, window):
    softmax = next(i for i, s in enumerate(LESSON_1.steps) if s.title == "Softmax")
    window.lessons.open("01_one_layer", softmax, ask=False)
    card = window.lessons.panel.card
    assert not card.isVisible()                               # asked, not yet answered
    window.lessons.next()
    value, px = card.value, card.value_px()
    assert card.isVisible() and card_number(card) == pytest.approx(1.0)
    window.lessons.next()
    assert not card.isVisible()                               # the next step has no card
    window.lessons.previous()
    assert card.isVisible() and card.value == value           # back, as it was revealed
    window.set_presentation(True)
    qtbot.wait(10)
    assert card.value_px() > px and f"{card.value_px()}px" in card.text()


def test_a_card_the_step_cannot_fill_is_named_and_the_answer_still_shows(qtbot, window,
                                                                          tmp_path):
    spec = json.loads(LESSON_1.path.read_text(encoding="utf-8"))
    softmax = next(i for i, s in enumerate(LESSON_1.steps) if s.title == "Softmax")
    spec["steps"][softmax]["question"]["card"]["of"] = "grad_weight"     # a forward step
    path = tmp_path / "mine.lesson.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert window.lessons.open(str(path), softmax, ask=False) == ""
    window.lessons.next()
    panel = window.lessons.panel
    assert panel.error.text() == (
        "mine.lesson.json, step 4 ('Softmax'), field question.card: softmax's forward step "
        "has no 'grad_weight' (it has: output, in_input, saved_p)")
    assert "The answer" in panel.feedback.text() and not panel.card.isVisible()
