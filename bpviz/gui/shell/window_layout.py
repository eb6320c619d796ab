"""WindowLayout: the window's size, place and docks as the user left them, kept between
starts.

- The window fits the screen it opens on (QScreen.availableGeometry, less room for a title
  bar and borders, unknown before the window shows): the first start's 1280x800 on a 768 px
  laptop screen, or a size saved on a larger screen, is made smaller and moved inside.
- A second instance (instance_lock.py: each running bpviz holds a slot) opens CASCADE px
  lower and further right per slot instead of exactly over the first. Only slot 0 saves
  its size and place, so that the offset does not add up over starts.
- The docks saved are the user's: as arranged, not as hidden for another tab (``--tab``)
  or by Hide Docks. While a lesson or presentation mode has the window, the docks as they
  were before it are the ones saved; a lesson that ends gives them back, so that what it
  opened (Update & Train, its strip) does not stay open in every later start.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QMargins, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from ..config.settings import setting, settings

FIRST_SIZE = QSize(1280, 800)
FRAME = QMargins(4, 40, 4, 4)        # px: a title bar and borders (window managers differ)
CASCADE = 32                         # px down and right per instance slot ...
CASCADES = 8                         # ... for this many slots, then from the top again


def fit(rect: QRect, room: QRect) -> QRect:
    """``rect`` made no larger than ``room`` and moved inside it."""
    size = rect.size().boundedTo(room.size())
    x = min(max(rect.x(), room.left()), room.right() + 1 - size.width())
    y = min(max(rect.y(), room.top()), room.bottom() + 1 - size.height())
    return QRect(QPoint(x, y), size)


def cascaded(rect: QRect, room: QRect, slot: int) -> QRect:
    """``rect`` (inside ``room``) moved for instance ``slot``: down and right, or up and
    left where the screen ends; a window as large as the screen is made smaller."""
    step = CASCADE * (slot % CASCADES)
    down, up = rect.translated(step, step), rect.translated(-step, -step)
    for moved in (down, up):
        if room.contains(moved):
            return moved
    smaller = down.intersected(room)
    return smaller if not smaller.isEmpty() else rect


def room_on(screen) -> QRect:
    """Where a window's inside may go on ``screen``: its available area less the frame."""
    return screen.availableGeometry().marginsRemoved(FRAME)


class WindowLayout(QObject):
    def __init__(self, window, slot: int):
        super().__init__(window)
        self.window, self.slot = window, slot
        self.borrowers: set[str] = set()          # 'lesson', 'presentation'
        self.kept: QByteArray | None = None       # the user's docks while borrowed

    # --- starting and quitting -----------------------------------------------------------
    def restore(self) -> None:
        """The saved size and place (or the first start's), fitted to the screen and moved
        for this instance; the saved docks (or the canvas-first default)."""
        w = self.window
        saved = setting("window_geometry", QRect)
        screen = saved is not None and QGuiApplication.screenAt(saved.center())
        room = room_on(screen or QGuiApplication.primaryScreen())
        if saved is None or saved.isEmpty():
            saved = QRect(QPoint(), FIRST_SIZE)
            saved.moveCenter(room.center())
        w.setGeometry(cascaded(fit(saved, room), room, self.slot))
        if setting("window_maximized", (bool, str)) in (True, "true"):
            w.setWindowState(w.windowState() | Qt.WindowState.WindowMaximized)
        state = setting("window_state", QByteArray)
        if state is None or not w.restoreState(state):      # first start: canvas first
            QTimer.singleShot(0, w.workspace.default_dock_sizes)

    def save(self) -> None:
        s, w = settings(), self.window
        if self.slot == 0 and "presentation" not in self.borrowers:
            s.setValue("window_geometry", w.normalGeometry())
            s.setValue("window_maximized", w.isMaximized())
        s.setValue("window_state", self.kept if self.kept is not None else self.user_docks())
        s.remove("geometry")                      # the blob older versions saved
        s.sync()

    # --- the user's docks ------------------------------------------------------------------
    def user_docks(self) -> QByteArray:
        """The docks as the user arranged them, not as hidden for another tab or by Hide
        Docks (those come back in a moment: nothing is drawn in between)."""
        w = self.window
        w.workspace.set_docks_shown(True)
        state = w.saveState()
        w.show_docks()
        return state

    def give_back(self, state: QByteArray) -> None:
        w = self.window
        w.workspace.set_docks_shown(True)         # forget what was hidden for another tab
        w.restoreState(state)
        w.show_docks()

    def lend(self, borrower: str) -> None:
        """A lesson or presentation mode takes the window: the docks as they are now are
        the user's until the last borrower is done."""
        if not self.borrowers:
            self.kept = self.user_docks()
        self.borrowers.add(borrower)

    def take_back(self, borrower: str, restore: bool) -> None:
        """``borrower`` is done; ``restore``: the docks as they were before it."""
        if borrower not in self.borrowers:
            return
        self.borrowers.discard(borrower)
        if restore and self.kept is not None:
            self.give_back(self.kept)
        if not self.borrowers:
            self.kept = None
