"""The Optimizers tab's cards: each optimizer's own state (the quantities the lecture names)
visible without scrolling at 1440x900 and at 1280x720 in presentation mode, Adam's bias
correction over the first steps, and every coloured text in the tab at 4.5:1 or more."""
import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel

from bpviz.gui.labs.optimizer_lab import RACE_SECONDS
from bpviz.gui.theme import AA_CONTRAST, THEMES, contrast_ratio, readable_px
from bpviz.gui.widgets.heatmap import fmt


@pytest.fixture
def lab(window):
    window.show_tab("optimizers")
    return window.optimizers.panel


def shown_vector(card, symbol) -> tuple[str, str]:
    return tuple(label.text() for label in card.values[symbol])


def test_each_card_shows_only_its_optimizers_named_state(lab):
    lab.step()
    lab.step()
    cards = lab.cards.cards
    assert list(cards) == list(lab.runs)
    expected = {"GD": ["g"], "SGD": ["g"], "Momentum": ["v"], "Nesterov": ["v"],
                "Adagrad": ["G = Σg²"], "RMSprop": ["s = E[g²]"], "Adam": ["m", "v", "m̂", "v̂"]}
    # every card starts with the step's move (lesson 7 step 5 asks how far x moves)
    assert {name: list(card.values) for name, card in cards.items()} == {
        name: ["Δθ", *symbols] for name, symbols in expected.items()}
    for name, card in cards.items():
        run = lab.runs[name]
        moved = run.points[2] - run.points[1]
        assert shown_vector(card, "Δθ") == (fmt(moved[0]), fmt(moved[1]))
        for symbol, _, value in run.named_state(2):
            assert shown_vector(card, symbol) == (fmt(value[0]), fmt(value[1])), name
    # the lecture's velocity: θ ← θ − v, read back from the card's two components
    momentum = lab.runs["Momentum"]
    v = np.array([float(t) for t in shown_vector(cards["Momentum"], "v")])
    np.testing.assert_allclose(momentum.points[1] - v, momentum.points[2], rtol=5e-3, atol=1e-3)
    assert "after step 2" in lab.cards.step_label.text()


def test_cards_follow_the_race_and_the_ticks(qtbot, lab):
    now = [50.0]
    lab.clock = lambda: now[0]
    lab.toggle_run()
    now[0] += RACE_SECONDS / 4
    qtbot.waitUntil(lambda: lab.shown == lab.steps.value() // 4, timeout=60_000)
    lab.toggle_run()
    adam = lab.runs["Adam"].named_state(lab.shown)
    assert shown_vector(lab.cards.cards["Adam"], "m̂") == tuple(fmt(c) for c in adam[2][2])
    assert f"after step {lab.shown}" in lab.cards.step_label.text()
    lab.optimizers.item(0).setCheckState(Qt.CheckState.Unchecked)              # GD leaves the race
    assert "GD" not in lab.cards.cards and len(lab.cards.cards) == 6
    qtbot.waitUntil(lambda: all(card.title.isVisible() for card in lab.cards.cards.values()))


def bias_row(card) -> list[tuple[str, str, str]]:
    return [tuple(label.text() for label in column) for column in card.bias.columns]


def test_adams_card_shows_bias_correction_over_the_first_steps(lab):
    b1, b2 = lab.configs["Adam"].get("betas", (0.9, 0.999))
    card = lab.cards.cards["Adam"]
    assert [t for t, _, _ in bias_row(card)] == ["1", "2", "3", "4", "5", ""]
    lab.step()
    lab.step()
    assert [t for t, _, _ in bias_row(card)][:3] == ["1", "<b>2</b>", "3"]    # the step shown
    lab.reset()
    assert all(m == "–" for _, m, _ in bias_row(card)[:5])          # step 0: none yet
    for step in range(1, 8):
        lab.step()
        columns = bias_row(card)
        for t, m, v in columns[:min(step, 5)]:
            t = int(re.sub("<.*?>", "", t))
            assert float(m) == pytest.approx(1 / (1 - b1 ** t), rel=1e-3)
            assert float(v) == pytest.approx(1 / (1 - b2 ** t), rel=1e-3)
        assert all(m == "–" for _, m, _ in columns[step:5])        # not reached yet
    t, m, v = bias_row(card)[5]                                     # the step shown: 7
    assert t == "<b>7</b>" and float(m) == pytest.approx(1 / (1 - b1 ** 7), rel=1e-3)
    assert bias_row(card)[0][1:] == ("10", "1000")                  # 1/(1 − 0.9), 1/(1 − 0.999)


def inside(widget, window) -> bool:
    """The whole widget on screen: inside the window and inside every ancestor's rect."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()).contains(rect):
            return False
        parent = parent.parentWidget()
    return window.rect().contains(rect)


def misfits(lab, window) -> list:
    """The cards' widgets that are hidden, off screen, or squeezed below their minimum."""
    return [(name, widget) for name, card in lab.cards.cards.items() for widget in card.widgets
            if not (widget.isVisible() and inside(widget, window))
            or widget.width() < widget.minimumSizeHint().width()
            or widget.height() < widget.minimumSizeHint().height()]


def list_misfits(lab) -> list:
    """The optimizer list's rows that are cut, elided or scrolled out of view."""
    names = lab.optimizers
    view = names.viewport().rect()
    return [names.item(i).text() for i in range(names.count())
            if not view.contains(names.visualItemRect(names.item(i)))
            or names.visualItemRect(names.item(i)).width()
            < names.sizeHintForIndex(names.model().index(i, 0)).width()]


def cards_fit(window, qtbot, size, presentation):
    window.resize(*size)
    window.show_tab("optimizers")
    lab = window.optimizers.panel
    qtbot.waitUntil(lambda: window.size().toTuple() == size      # the app's font reaches
                    and lab.font().pointSizeF() == QApplication.font().pointSizeF())  # widgets
    for steps in (0, 7):
        lab.reset()
        for _ in range(steps):
            lab.step()
        try:                                       # layouts settle through posted events
            qtbot.waitUntil(lambda: not misfits(lab, window), timeout=3000)
        except AssertionError:
            raise AssertionError(f"{size}: {misfits(lab, window)}") from None
        labels = [w for card in lab.cards.cards.values() for w in card.widgets
                  if isinstance(w, QLabel)]
        assert len(labels) > 20
        small = [(w.text(), QFontInfo(w.font()).pixelSize()) for w in labels
                 if QFontInfo(w.font()).pixelSize() < readable_px(presentation)]
        assert not small, small
    for area in lab.findChildren(QAbstractScrollArea):           # the list scrolls, if at all,
        assert not area.horizontalScrollBar().isVisible(), area   # only vertically
    qtbot.waitUntil(lambda: not list_misfits(lab), timeout=3000)  # all 7 rows, in two columns
    assert lab.optimizers.verticalScrollBar().maximum() == 0
    assert lab.optimizers.count() == 7
    # the controls column widens with presentation's font once its layout has settled
    qtbot.waitUntil(lambda: inside(lab.optimizers, window), timeout=3000)
    assert window.size().toTuple() == size


def test_cards_fit_normal_and_presentation(qtbot, window):
    cards_fit(window, qtbot, (1440, 900), False)
    window.set_presentation(True)
    window.showNormal()
    cards_fit(window, qtbot, (1280, 720), True)
    assert window.minimumSizeHint().height() <= 720


def label_colours(lab):
    """(what, text colour, background) of every label, list item and plot text in the tab."""
    import pyqtgraph as pg

    from tests.gui.test_theme_contrast import plot_texts
    found = []
    for label in lab.findChildren(QLabel):
        background = label.palette().color(label.backgroundRole())
        found.append((label.text(), label.palette().color(label.foregroundRole()), background))
        found += [(label.text(), QColor(c), background)
                  for c in re.findall(r"color:\s*(#[0-9a-fA-F]{6})", label.text())]
    base = lab.optimizers.palette().base().color()
    for i in range(lab.optimizers.count()):
        item = lab.optimizers.item(i)
        brush = item.foreground()
        colour = brush.color() if brush.style() != Qt.BrushStyle.NoBrush else lab.optimizers.palette().text().color()
        found.append((item.text(), colour, base))
    for plot in lab.findChildren(pg.PlotWidget):
        background = plot.backgroundBrush().color()
        found += [(what, colour, background) for what, colour in plot_texts(plot)]
        bars = [i for i in plot.scene().items() if isinstance(i, pg.ColorBarItem)]
        found += [("colour bar", bar.axis.textPen().color(), background) for bar in bars]
    return found


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_coloured_text_in_the_tab_meets_aa(qtbot, lab, window, theme):
    window.set_theme(theme)
    qtbot.wait(1)                            # widgets get the new palette through events
    lab.step()
    found = label_colours(lab)
    assert sum(what == "colour bar" for what, _, _ in found) == 1
    assert {"GD", "Adam"} <= {what for what, _, _ in found}
    low = [(what, colour.name(), background.name(), round(contrast_ratio(colour, background), 2))
           for what, colour, background in found
           if contrast_ratio(colour, background) < AA_CONTRAST]
    assert not low, low
    assert all(not lab.optimizers.item(i).icon().isNull() for i in range(lab.optimizers.count()))


def test_cards_of_an_empty_race_and_of_a_run_that_stopped(qtbot, lab):
    lab.configs["Adam"] = dict(lab.configs["Adam"], lr=1e6)         # leaves the box at once
    lab.recompute()
    adam = lab.runs["Adam"]
    assert len(adam.states) < 3
    for _ in range(4):
        lab.step()
    card = lab.cards.cards["Adam"]
    last = adam.named_state(len(adam.states) - 1)
    assert shown_vector(card, "m") == tuple(fmt(c) for c in last[0][2])
    for i in range(lab.optimizers.count()):
        lab.optimizers.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert lab.cards.cards == {} and lab.runs == {}
    lab.step()
    assert "after step 1" in lab.cards.step_label.text()      # unticking restarts the race


def test_a_selected_optimizers_swatch_keeps_its_series_colour(qtbot, lab):
    """Lesson 7 selects Adam: its swatch stays Adam's red (Qt tinted it purple, towards the
    selection's blue), the colour of its path and its card."""
    from bpviz.gui.labs.optimizer_lab import COLORS
    listed = lab.optimizers
    item = listed.findItems("Adam", Qt.MatchFlag.MatchExactly)[0]
    rect = listed.visualItemRect(item)
    qtbot.mouseClick(listed.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.right() - 5, rect.center().y()))      # on its name
    assert item.isSelected()
    image = listed.viewport().grab(rect).toImage()
    drawn = {image.pixelColor(x, y).name() for x in range(image.width())
             for y in range(image.height())}
    assert QColor(COLORS["Adam"]).name() in drawn
