"""Lessons 1-3 as the class sees them, at 1280x720 in presentation mode (issue 20's review
of every step's screenshot): what each step talks about is on screen, named and whole."""
import pytest
from PySide6.QtWidgets import QApplication

from bpviz.gui.lessons.panel import CARD_SCALE

from ..readability import cut_lesson_text, font_px


@pytest.fixture
def projector(qtbot, window):
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~window.windowState().WindowFullScreen)
    window.resize(1280, 720)
    qtbot.wait(50)
    return window


def go(qtbot, window, lesson: str, step: int) -> None:
    """Open ``lesson`` at ``step`` (from 1) as the lecturer does, and let it lay out."""
    assert window.lessons.open(lesson, step - 1, ask=False) == ""
    assert window.lessons.panel.error.text() == ""
    settle(qtbot)


def settle(qtbot) -> None:
    for _ in range(5):           # the column refits once its text is set (a queued call)
        QApplication.processEvents()
        qtbot.wait(20)


def reveal(qtbot, window) -> None:
    window.lessons.next()                               # Page Down: the answer and reveal
    assert window.lessons.panel.error.text() == ""
    settle(qtbot)


def focus_title(window) -> str:
    assert window.focus.is_open
    return window.focus.view.title.text()


def test_1_3_the_enlarged_view_says_whose_values_it_shows(qtbot, projector):
    """It was titled just "output": first flatten's (the x of y = Wx), then fc's (y)."""
    go(qtbot, projector, "01_one_layer", 3)
    before = focus_title(projector)
    assert before.startswith("flatten (Flatten): its output") and "sample 2" in before
    reveal(qtbot, projector)
    assert focus_title(projector) == "fc (Linear): its output · sample 2"


def test_2_2_no_two_edges_into_a_node_cross_on_their_way(qtbot, projector):
    """The loss takes the scores at its first port and t at its second: with t placed above
    the scores' node, their two edges crossed just before the loss."""
    for step in (2, 3):
        go(qtbot, projector, "02_chain_rule", step)
        scene = projector.view.scene()
        into: dict[str, list] = {}
        for edge in scene.edges.values():
            path = edge.path()
            start = edge.mapToScene(path.pointAtPercent(0)).y()
            end = edge.mapToScene(path.pointAtPercent(1)).y()
            into.setdefault(edge.dst, []).append((start, end, edge.src))
        pairs = [(a, b) for ends in into.values() for i, a in enumerate(ends)
                 for b in ends[i + 1:]]
        assert any(a[2] == "t" or b[2] == "t" for a, b in pairs)     # the loss's two edges
        for a, b in pairs:
            assert (a[0] - b[0]) * (a[1] - b[1]) >= 0, (step, a, b)


def test_2_6_the_card_states_the_true_class_value_and_the_column_holds_still(qtbot, projector):
    """After the reveal the card states the loss and −41.6, sample 0's log σ of its true
    class, both in large type and above the fold; the lesson column keeps its place."""
    go(qtbot, projector, "02_chain_rule", 6)
    dock = projector.lessons.dock
    before = dock.geometry()
    reveal(qtbot, projector)
    panel, event = projector.lessons.panel, projector.classroom.current
    card = panel.card
    assert card.isVisible() and card.also is not None
    value, label = card.also
    log_sigma = event.inputs["input"][event.sample]
    target = int(event.inputs["target"][event.sample])
    assert float(value.replace("−", "-")) == pytest.approx(log_sigma[target], abs=0.05)
    assert value == "−41.6" and "true class" in label
    assert card.text().count(f"font-size:{card.value_px()}px") == 2        # both large
    assert card.value_px() >= CARD_SCALE * font_px(panel.text.font()) - 1
    assert cut_lesson_text(panel) == []
    assert abs(dock.geometry().left() - before.left()) <= 2, (before, dock.geometry())
    assert abs(dock.geometry().width() - before.width()) <= 2


def test_3_8_the_value_the_step_talks_about_is_on_screen(qtbot, projector):
    """"In fc8 the largest entry of ∂L/∂W is about 7·10⁻⁴": fc8's ∂L/∂W is enlarged before
    the question, its largest entry named in the title in the strip's type size."""
    go(qtbot, projector, "03_backprop_layers", 8)
    title = focus_title(projector)
    assert title.startswith("fc8's ∂L/∂weight") and "7.45·10⁻⁴" in title
    label = projector.focus.view.title
    assert label.isVisible() and font_px(label.font()) >= 16
    assert label.heightForWidth(label.width()) <= label.height() + 1        # not cut
    reveal(qtbot, projector)
    assert "3.14·10⁻⁸" in focus_title(projector)                        # then fc1's


def test_3_10_the_gradient_flow_is_enlarged_whole_beside_the_whole_lesson_text(qtbot,
                                                                              projector):
    """The Gradient Flow dock squeezed the canvas to a strip and its own plot to ~130 px:
    the step enlarges the plot, its summary the title, wrapped rather than cut."""
    go(qtbot, projector, "03_backprop_layers", 10)
    dock = projector.gradient_flow_dock
    assert projector.focus.origin is dock.widget().batch_plot
    title = focus_title(projector)
    assert title.startswith("Vanishing gradient: fc1 gets")
    label = projector.focus.view.title
    assert label.heightForWidth(label.width()) <= label.height() + 1
    assert dock.widget().batch_plot.height() >= 300
    assert cut_lesson_text(projector.lessons.panel) == []
    projector.lessons.previous()                       # back to 3.9: the plot goes home
    settle(qtbot)
    assert not projector.focus.is_open


def test_3_10_after_lesson_2_the_gradient_flow_stays_out_of_the_lesson_column(qtbot,
                                                                             projector):
    """Lesson 2 played to its end, then lesson 3 at step 10 (as a lecture goes on): the
    user's docks that lesson 2 gave back had brought the desk's corners, and the Gradient
    Flow dock took the column's bottom, cutting the lesson text (issue 20's review)."""
    go(qtbot, projector, "02_chain_rule", 6)
    reveal(qtbot, projector)
    projector.lessons.leave()
    settle(qtbot)
    go(qtbot, projector, "03_backprop_layers", 10)
    flow, lesson = projector.gradient_flow_dock, projector.lessons.dock
    assert flow.geometry().right() < lesson.geometry().left()
    assert flow.geometry().right() < projector.docks["inspector"].geometry().left()
    assert cut_lesson_text(projector.lessons.panel) == []


def enlarged_numbers(window) -> tuple[list[str], int]:
    """The numbers the enlarged matrix writes in its cells, and their size in px."""
    from bpviz.gui.widgets.matrix_viewport import MatrixViewport
    assert window.focus.is_open
    views = [v for v in window.focus.view.findChildren(MatrixViewport) if v.isVisible()]
    assert len(views) == 1, views
    shown = views[0].numbers()
    assert shown is not None, "the enlarged matrix writes no numbers"
    return shown[1], views[0].number_font(shown[1]).pixelSize()


@pytest.mark.parametrize("lesson, step, seen", [
    ("02_chain_rule", 3, "-1.36"),       # a 1×10 strip of 88×200 px cells: 31 px didn't fit
    ("02_chain_rule", 4, "0.0825"),      # "is it symmetric?": 88×53 px cells, -0.00968 fits 16 px
    ("03_backprop_layers", 7, "0.25"),   # σ′'s diagonal in 55×33 px cells
])
def test_the_enlarged_matrix_the_step_asks_about_writes_its_numbers(qtbot, projector,
                                                                     lesson, step, seen):
    """Its cells were big enough but the numbers in the application's 19 px font were a few
    pixels too wide: the caption said "zoom in for the numbers" on a fitted 1×10 strip."""
    go(qtbot, projector, lesson, step)
    reveal(qtbot, projector)
    texts, px = enlarged_numbers(projector)
    assert seen in texts and px >= 16


def test_2_3_the_strips_large_numbers_keep_clear_of_their_cells_ends(qtbot, projector):
    """Grown to 31 px, -1.36 ran from one end of its 88 px cell to the other."""
    from PySide6.QtGui import QFontMetricsF
    go(qtbot, projector, "02_chain_rule", 3)
    reveal(qtbot, projector)
    texts, px = enlarged_numbers(projector)
    view = projector.focus.view.content
    font = view.number_font(texts)
    assert px > 19                                         # grown past the 19 px base
    assert QFontMetricsF(font).horizontalAdvance("-1.36") <= view.sx * 7 / 8 + 0.5
