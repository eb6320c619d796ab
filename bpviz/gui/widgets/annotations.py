"""Annotations: an instructor's pen and highlighter over the whole window (canvas, docks,
tabs, the enlarged view), for a projector.

View ▸ Pen (Ctrl+Shift+P) or Highlighter (Ctrl+Shift+H) starts drawing: a transparent page
over everything between the menu bar and the status bar takes the mouse, and a small
toolbar offers the tools, the colours, Clear and Done. C clears every stroke, Backspace
takes back the last one, Esc stops drawing. The strokes stay on screen after Esc (the mouse
then reaches the app again) until cleared; they are cleared when the window changes size,
because the panels below them move and a stroke would point at the wrong thing.

The strokes live in this page only: they are never part of the graph, the settings or any
file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFontInfo,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QToolButton, QWidget

from .enlarged_view import between_bars

# Opaque pen colours with 3:1 contrast (WCAG's figure for graphics) against both themes'
# backgrounds, white and near-black alike; the highlighter is translucent yellow.
PEN_COLORS = {"red": "#e8372c", "blue": "#2f7fe0", "green": "#1f9d3a"}
HIGHLIGHT = QColor(255, 212, 0, 100)
PEN, HIGHLIGHTER = "pen", "highlighter"
CLEAR_KEY, UNDO_KEY, LEAVE_KEY = Qt.Key.Key_C, Qt.Key.Key_Backspace, Qt.Key.Key_Escape


@dataclass
class Stroke:
    tool: str
    color: QColor
    width: float                       # pixels: a highlighter covers a line of text
    points: list = field(default_factory=list)

    def path(self) -> QPainterPath:
        path = QPainterPath(self.points[0])
        for p in self.points[1:]:
            path.lineTo(p)
        if len(self.points) == 1:               # a dot: a click without a move
            path.lineTo(self.points[0] + QPointF(0.01, 0))
        return path


def tool_width(tool: str, text_px: float) -> float:
    """A pen line a quarter of the text's height (at least 3 px); a highlighter as tall as
    a line of text, so it covers one in either mode."""
    return max(3.0, text_px / 4) if tool == PEN else 1.5 * text_px


class AnnotationOverlay(QWidget):
    """The transparent page the strokes are drawn on; takes the mouse only while drawing."""
    changed = Signal()                 # strokes added or removed
    leave = Signal()                   # Esc or Done

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("annotations")
        self.strokes: list[Stroke] = []
        self.tool, self.color = PEN, QColor(PEN_COLORS["red"])
        self.drawing = False
        self.current: Stroke | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.toolbar = AnnotationToolbar(self)
        self.set_drawing(False)

    def set_drawing(self, on: bool) -> None:
        self.drawing = on
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not on)
        self.toolbar.setVisible(on)
        self.setVisible(on or bool(self.strokes))
        if on:
            self.raise_()
            self.setFocus()
        self.current = None

    def set_tool(self, tool: str, color: QColor | None = None) -> None:
        self.tool = tool
        if color is not None:
            self.color = QColor(color)
        self.toolbar.show_tool(tool, self.color)

    def clear(self) -> None:
        had = bool(self.strokes)
        self.strokes, self.current = [], None
        self.setVisible(self.drawing)
        self.update()
        if had:
            self.changed.emit()

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    # --- input ---------------------------------------------------------------------------
    def _text_px(self) -> float:
        return float(QFontInfo(self.font()).pixelSize())

    def mousePressEvent(self, event):
        if event.button() != Qt.MouseButton.LeftButton:
            return
        color = HIGHLIGHT if self.tool == HIGHLIGHTER else self.color
        self.current = Stroke(self.tool, QColor(color), tool_width(self.tool, self._text_px()),
                              [event.position()])
        self.strokes.append(self.current)
        self.update()

    def mouseMoveEvent(self, event):
        if self.current is not None:
            self.current.points.append(event.position())
            self.update()

    def mouseReleaseEvent(self, event):
        if self.current is not None:
            self.current = None
            self.changed.emit()

    def event(self, event):
        # our keys before the window's shortcuts (Backspace deletes nodes, Esc closes views)
        if event.type() == QEvent.Type.ShortcutOverride and self.drawing and \
                event.key() in (CLEAR_KEY, UNDO_KEY, LEAVE_KEY):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        key = event.key()
        if key == CLEAR_KEY:
            self.clear()
        elif key == UNDO_KEY:
            self.undo()
        elif key == LEAVE_KEY:
            self.leave.emit()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            # a flat cap keeps a highlighter's ends square, like a marker's felt tip
            cap = Qt.PenCapStyle.FlatCap if stroke.tool == HIGHLIGHTER else Qt.PenCapStyle.RoundCap
            p.setPen(QPen(stroke.color, stroke.width, Qt.PenStyle.SolidLine, cap, Qt.PenJoinStyle.RoundJoin))
            p.drawPath(stroke.path())


def swatch(color: QColor, side: int = 16) -> QIcon:
    pixmap = QPixmap(side, side)
    pixmap.fill(color)
    return QIcon(pixmap)


class AnnotationToolbar(QWidget):
    """Pen, its colours, Highlighter, Clear and Done, in the page's top-right corner."""

    def __init__(self, overlay: AnnotationOverlay):
        super().__init__(overlay)
        self.setObjectName("annotation_toolbar")
        self.buttons: dict[str, QToolButton] = {}
        row = self.row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        for name, hex_ in PEN_COLORS.items():
            self._button(row, name, f"Pen: {name}", lambda c=hex_: overlay.set_tool(PEN, c),
                         swatch(QColor(hex_)))
        self._button(row, HIGHLIGHTER, "Highlighter",
                     lambda: overlay.set_tool(HIGHLIGHTER), swatch(QColor(255, 212, 0)))
        self._button(row, "clear", "Clear (C)", overlay.clear)
        self._button(row, "done", "Done (Esc)", overlay.leave.emit)
        overlay.installEventFilter(self)          # stay in the corner as the page resizes

    def _button(self, row, key, text, slot, icon=None) -> None:
        button = QToolButton()
        button.setText(text if icon is None else text.split(": ")[-1])
        button.setObjectName(f"annotate_{key}")
        button.setToolTip(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)          # the keys stay with the page
        if icon is not None:
            button.setIcon(icon)
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.clicked.connect(lambda _checked=False: slot())
        row.addWidget(button)
        self.buttons[key] = button

    def show_tool(self, tool: str, color: QColor) -> None:
        for name, hex_ in PEN_COLORS.items():
            self.buttons[name].setChecked(tool == PEN and QColor(hex_) == color)
        self.buttons[HIGHLIGHTER].setChecked(tool == HIGHLIGHTER)

    def eventFilter(self, obj, event):
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.FontChange):
            self.adjustSize()
            self.move(max(0, obj.width() - self.width() - 12), 8)
        return False

    def sizeHint(self) -> QSize:
        return self.row.sizeHint()

    def paintEvent(self, event):
        # framed in the selection colour: a floating bar, not part of the panel below it
        # (a style sheet would pin the font and miss presentation mode's larger one)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(self.palette().highlight().color(), 2))
        p.setBrush(self.palette().window())
        p.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 6, 6)


class Annotations(QObject):
    """The window's annotation page, its View-menu actions and its place over the window."""
    message = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.overlay = AnnotationOverlay(window)
        self.overlay.leave.connect(self.stop)
        self.overlay.changed.connect(self._changed)
        self.return_focus = None
        self.actions = {tool: self._action(text, key, lambda t=tool: self.toggle(t))
                        for tool, text, key in ((PEN, "&Pen", "Ctrl+Shift+P"),
                                                (HIGHLIGHTER, "&Highlighter", "Ctrl+Shift+H"))}
        for action in self.actions.values():
            action.setCheckable(True)
        self.clear_action = self._action("&Clear Annotations", "C", self.overlay.clear)
        self.clear_action.setEnabled(False)      # C is free for others while nothing is drawn
        window.installEventFilter(self)
        focus = getattr(window, "focus", None)
        if focus is not None:
            focus.view.installEventFilter(self)
        self._place()

    def _action(self, text, key, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def add_view_actions(self, menu) -> None:
        for action in (*self.actions.values(), self.clear_action):
            menu.addAction(action)
            self.window.addAction(action)

    @property
    def strokes(self) -> list:
        return self.overlay.strokes

    def toggle(self, tool: str) -> None:
        """The tool's key starts drawing with it, or stops when it is already in hand."""
        if self.overlay.drawing and self.overlay.tool == tool:
            self.stop()
        else:
            self.start(tool)

    def start(self, tool: str = PEN) -> None:
        if not self.overlay.drawing:          # the keys go back there when drawing stops
            self.return_focus = QApplication.focusWidget()
        self._place()
        self.overlay.set_tool(tool)
        self.overlay.set_drawing(True)
        self._check_actions()
        self.message.emit("Drawing: C clears, Backspace takes back a stroke, Esc stops "
                          "(the strokes stay until cleared)")

    def stop(self) -> None:
        was_drawing = self.overlay.drawing
        self.overlay.set_drawing(False)
        self._check_actions()
        back = self.return_focus
        if was_drawing and back is not None and shiboken6.isValid(back) and back.isVisible():
            back.setFocus()
        self.return_focus = None

    def clear(self) -> None:
        self.overlay.clear()

    def _check_actions(self) -> None:
        for tool, action in self.actions.items():
            action.setChecked(self.overlay.drawing and self.overlay.tool == tool)

    def _changed(self) -> None:
        self.clear_action.setEnabled(bool(self.overlay.strokes))

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Resize and obj is self.window:
            if self.overlay.strokes:
                self.overlay.clear()
                self.message.emit("Annotations cleared: the window changed size")
            self._place()
        elif event.type() == QEvent.Type.Show and obj is not self.window:
            # a page opened over the window (enlarged view) raises itself after showing
            QTimer.singleShot(0, self.overlay, self.overlay.raise_)
        return False

    def _place(self) -> None:
        """Cover the docks and tabs, above every panel (the enlarged view included)."""
        self.overlay.setGeometry(between_bars(self.window))
        self.overlay.raise_()
