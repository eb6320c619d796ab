"""The wheel over a control without the focus scrolls the page, not the control (issue 20):
a lecturer scrolling a panel over a spin box, a slider, a combo box or a tab bar changes
nothing mid-lesson. A click first (or Tab) gives the control the focus, and then the wheel is
its own. The wheel turns here come as a real wheel's do, through the window
(QTest.wheelEvent): Qt finds the widget under the pointer, gives focus where the widget's
policy asks for it, and passes an ignored turn to the parents."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from bpviz.gui.backprop.data_panel import DataPanel
from bpviz.gui.widgets.scrolling import Scrolling

from ..dialogs import answer_dialogs

NOTCH = 120                     # one notch of the wheel, in eighths of a degree


def turn(widget, notches: int = 1) -> None:
    """``notches`` of the wheel with the pointer over the middle of ``widget``: towards the
    user (scroll down, a value −1) for a positive count, away for a negative one."""
    window = widget.window()
    at = QPointF(widget.mapTo(window, widget.rect().center()))
    for _ in range(abs(notches)):
        QTest.wheelEvent(window.windowHandle(), at, QPoint(0, -NOTCH if notches > 0 else NOTCH))
    QApplication.processEvents()


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """A wheel turn over the data set box once reached "CSV file…": its dialog is answered."""
    return answer_dialogs(monkeypatch)


def on_projector(window, qtbot, tab: str):
    """``tab`` shown (and built) in presentation mode in a 1280x720 window, the window
    active (a click then gives the focus)."""
    window.set_presentation(True)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
    window.resize(1280, 720)
    window.show_tab(tab)
    window.activateWindow()
    qtbot.waitActive(window)
    page = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(page, "built", True))
    QApplication.processEvents()


def test_the_wheel_over_an_unfocused_spin_box_scrolls_its_panel(qtbot, window, dialogs):
    """The data bar (its Batch box, its data set box) in a column that scrolls, as a panel's
    controls sit in the lesson strip or a lab's column: the wheel turned over the Batch box
    scrolls the column and leaves the batch alone, until a click gives the box the focus."""
    on_projector(window, qtbot, "backprop")
    bar = DataPanel(window.classroom)
    column = QWidget()
    rows = QVBoxLayout(column)
    for widget in (QLabel("above", minimumHeight=400), bar, QLabel("below", minimumHeight=400)):
        rows.addWidget(widget)
    panel = Scrolling(column)
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitActive(panel)
    scroll, batch = panel.verticalScrollBar(), window.classroom.data.batch
    scroll.setValue(300)                  # the Batch box in the middle of the panel
    QApplication.processEvents()
    assert scroll.maximum() > 300 and not bar.batch.visibleRegion().isEmpty()
    turn(bar.batch)
    assert window.classroom.data.batch == batch and bar.batch.value() == batch
    assert scroll.value() > 300, "the wheel over the Batch box did not scroll its panel"
    turn(bar.source)
    assert window.classroom.data.source == bar.source.currentText()    # no other data set
    assert dialogs == []
    qtbot.mouseClick(bar.batch, Qt.MouseButton.LeftButton, pos=QPoint(8, bar.batch.height() // 2))
    assert bar.batch.hasFocus()
    at = scroll.value()
    turn(bar.batch)
    assert window.classroom.data.batch == batch - 1 and scroll.value() == at


def test_the_wheel_over_the_data_bar_changes_no_batch_until_clicked(qtbot, window, dialogs):
    """The data bar's Batch box, its data set box, the stepper's speed slider and the tab bar
    above them: a wheel turn over each leaves the classroom as it was (the event sweep once
    found the data set box choosing another data set mid-lesson, then "CSV file…", whose
    dialog stopped the lesson); a click on the Batch box, then the wheel, changes the batch
    in the model."""
    on_projector(window, qtbot, "backprop")
    window.lessons.open("01_one_layer", 1, ask=False)
    data, bar, speed = window.data, window.tabs.tabBar(), window.backprop.stepper.speed
    batch, source, tab, pace = (window.classroom.data.batch, window.classroom.data.source,
                                window.tabs.currentIndex(), speed.value())
    for control in (data.batch, data.sample, data.source, bar, speed):
        turn(control, 3)
        turn(control, -6)      # and back up, past the first choice
    assert (window.classroom.data.batch, window.classroom.data.source,
            window.tabs.currentIndex(), speed.value()) == (batch, source, tab, pace)
    assert dialogs == []
    qtbot.mouseClick(data.batch, Qt.MouseButton.LeftButton, pos=QPoint(8, data.batch.height() // 2))
    turn(data.batch)
    assert window.classroom.data.batch == batch - 1
