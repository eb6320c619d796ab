"""PresentationLayout: the window as a projector shows it — the network first.

- The docks for editing (Layers, Properties, Problems) are put away in presentation mode;
  F9 (View ▸ Editing Docks) brings them back and puts them away again. Leaving
  presentation mode shows again those it put away (the user's own layout comes back
  through WindowLayout, which never saves presentation's).
- A lesson's strip leaves the bottom for the right-hand column, above the Inspector, and
  is as tall as its text needs: under the canvas it took a third of the height, and the
  canvas showed one or two nodes. The right column holds both corners, so that Update &
  Train, opened beside a lesson, sits under the canvas and not under the lesson's text.
- The right column is COLUMN_SHARE of the window's width, and the status bar (a node
  count, nothing a class reads) gives its height to the canvas: its messages show for a
  moment as a Notice over the window's bottom edge. At 1280x720 the canvas keeps more
  than 55 % of the window's area (tests/gui/shell/test_presentation_layout.py).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from ..lessons.reveal_room import tallest_for

EDITING = ("palette", "properties", "problems")
COLUMN_SHARE = 0.27              # of the window's width: the lesson above the Inspector
COLUMN_MAX_SHARE = 0.31         # a long step's, still leaving the canvas 55 %
CHOICE_MAX_SHARE = 0.36         # for a long choice (a radio button does not wrap)
COLUMN_TRAINING_SHARE = 0.3      # beside Update & Train (the canvas is short then anyway)
LESSON_MAX_SHARE = 0.86          # of the column's height; the Inspector keeps the rest
LESSON_WANTED_SHARE = 0.7        # the column widens to keep the lesson within it
LESSON_TRAINING_SHARE = 0.88
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
CORNERS = ((Qt.Corner.TopRightCorner, RIGHT), (Qt.Corner.BottomRightCorner, RIGHT))


NOTICE_MS = 6000
ASKS = 4                         # resizes of the column asked for per step and window size


class Notice(QLabel):
    """A status message over the bottom edge of the window, for a few seconds."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.host = window
        self.setObjectName("presentation_notice")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setMargin(6)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(NOTICE_MS)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def say(self, text: str) -> None:
        window = self.host
        self.setText(text)
        self.setFixedWidth(min(window.width() - 20, self.fontMetrics().horizontalAdvance(text)
                               + 24))
        self.adjustSize()
        self.move(10, window.height() - self.height() - 6)
        self.raise_()
        self.show()
        self.timer.start()


class PresentationLayout(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False
        self.put_away: list[str] = []            # editing docks shown before presentation
        self.editing = False                     # F9 brought them back
        self.desk_corners = {corner: window.corner(corner) for corner, _ in CORNERS}
        self._fit_pending = False
        self._fitted: tuple = (None, (0, 0, 0))   # the step it was sized for
        self._asked = 0                           # resizes asked for since
        self.notice = Notice(window)
        window.lessons.panel.widget().installEventFilter(self)   # its text grows: refit
        window.installEventFilter(self)                          # full screen arrives late

    @property
    def docks(self) -> dict:
        return self.window.workspace.docks

    # --- presentation mode -----------------------------------------------------------------
    def enter(self) -> None:
        self.on, self.editing = True, False
        self.put_away = [name for name in EDITING if self.docks[name].isVisible()]
        for corner, area in CORNERS:
            self.window.setCorner(corner, area)
        self.window.statusBar().hide()
        self.apply()

    def leave(self) -> None:
        self.on = False
        for corner, area in self.desk_corners.items():
            self.window.setCorner(corner, area)
        self.window.statusBar().show()
        self.notice.hide()
        self._place_lesson(narrow=False)
        shown = [n for n in self.put_away if not (n == "problems" and self.lesson_open())]
        for name in shown:
            self.docks[name].show()
        self.put_away = []

    def apply(self) -> None:
        """Presentation's docks again (a lesson that ended gave back the user's)."""
        if not self.on:
            return
        for name in EDITING:
            if not self.editing:
                self.docks[name].hide()
        self._place_lesson(narrow=self.lesson_open())

    def toggle_editing(self) -> None:
        """F9: the editing docks for a moment (a lesson's graph has no problems to list)."""
        if not self.on:
            self.window.say("The editing docks are put away only in presentation mode (F11)")
            return
        self.editing = not self.editing
        for name in EDITING:
            self.docks[name].setVisible(self.editing and not (name == "problems"
                                                              and self.lesson_open()))
        self.window.say("Editing docks shown: F9 puts them away" if self.editing else
                        "Editing docks put away: F9 brings them back")

    def say(self, text: str) -> None:
        if self.on and text:
            self.notice.say(text)

    # --- the lesson's strip ----------------------------------------------------------------
    def lesson_open(self) -> bool:
        return self.window.lessons.active and self.window.lessons.dock.isVisible()

    def _place_lesson(self, narrow: bool) -> None:
        w, dock = self.window, self.window.lessons.dock
        area = RIGHT if narrow else BOTTOM
        if w.dockWidgetArea(dock) != area:
            if narrow:                  # above the Inspector
                w.addDockWidget(RIGHT, dock)
                w.splitDockWidget(dock, self.docks["inspector"], Qt.Orientation.Vertical)
            else:
                w.addDockWidget(BOTTOM, dock)
        w.lessons.panel.set_narrow(narrow)
        # the column's title bar said "Lesson" above the lesson's own title
        dock.setTitleBarWidget(QWidget() if narrow else None)
        if narrow:
            if w.tabs.currentIndex() == 0:       # the Inspector is the Backprop tab's
                self.docks["inspector"].show()
            self._fit_soon()       # once the step's new choices are shown (Qt shows them late)

    def fit(self) -> None:
        """The right column's width, and the lesson's height as its text asks, before and
        after the step's reveal: sized once per step (and window size), a reveal leaves
        the column where it was. A step whose text would scroll widens the column, up to
        COLUMN_MAX_SHARE; the scroll bar shows only where the text still does not fit."""
        if not (self.on and self.lesson_open()):
            return
        w, dock, inspector = self.window, self.window.lessons.dock, self.docks["inspector"]
        training = self.docks["training"].isVisible()
        beside = inspector.isVisible()
        key = (w.lessons.lesson.name, w.lessons.index, w.size().toTuple(), training, beside,
               dock.height() + (inspector.height() if beside else 0))
        if key != self._fitted[0]:
            self._fitted, self._asked = (key, self._column(training, beside)), 0
        width, height, column = self._fitted[1]
        # the scroll bar where what is shown now does not fit, measured with the bar's
        # width kept free: without it the text only gets shorter, so no bar that comes
        # and goes with its own width (the viewport's size is never asked)
        panel = w.lessons.panel
        room = (height if beside else column) - (dock.height() - panel.height())
        panel.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn if panel.height_for(width) > room
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # only a change, and a few times at most: resizeDocks asks the window for a new
        # layout, whose request brought the next fit (300 fits a second in 6.6), and a
        # size the docks cannot take would be asked for for ever
        wrong = dock.width() != width or (beside and dock.height() != height)
        if wrong and self._asked < ASKS:
            self._asked += 1
            w.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
            if beside:
                w.resizeDocks([dock, inspector], [height, column - height],
                              Qt.Orientation.Vertical)

    def _column(self, training: bool, beside: bool) -> tuple[int, int, int]:
        """The lesson's width and height and the column's height for the step shown
        (``beside`` the Inspector, or alone in the column)."""
        w, dock, inspector = self.window, self.window.lessons.dock, self.docks["inspector"]
        column = dock.height() + (inspector.height() if beside else 0)
        # beside Update & Train the step is about the update, not the Inspector's page
        room = int(column * (LESSON_TRAINING_SHARE if training else LESSON_MAX_SHARE)) \
            if beside else column
        share = COLUMN_TRAINING_SHARE if training else COLUMN_SHARE
        panel, question = w.lessons.panel, w.lessons.lesson.steps[w.lessons.index].question
        frame = dock.height() - panel.height()
        # widened while the lesson would leave the Inspector less than its share: under
        # a tall step it showed two lines, cut mid-line (2.6, 3.8)
        wanted = int(column * LESSON_WANTED_SHARE) if beside else room
        while (tallest_for(panel, question, int(w.width() * share)) + frame > wanted
               and share < COLUMN_MAX_SHARE):
            share += 0.01
        # a choice (a radio button does not wrap) as wide as it needs, within the maximum
        width = min(max(int(w.width() * share), panel.min_width()),
                    int(w.width() * CHOICE_MAX_SHARE))
        return width, min(tallest_for(panel, question, width) + frame, room), column

    def eventFilter(self, obj, event):
        refit = (QEvent.Type.LayoutRequest, QEvent.Type.Resize)
        if event.type() in refit and self.on:
            self._fit_soon()
        return False

    def _fit_soon(self) -> None:
        if not self._fit_pending:
            self._fit_pending = True               # once, after the step's text is set
            QTimer.singleShot(0, self, self._fit_later)

    def _fit_later(self) -> None:
        self._fit_pending = False
        self.fit()
