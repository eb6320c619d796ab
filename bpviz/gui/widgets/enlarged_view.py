"""Enlarged view: a heat map, formula, plot or inspector section enlarged to fill the window.
Double-click it, or point at it and press F. Esc or "← Back (Esc)" returns.

What is enlarged, and how:
- a HeatMap becomes a MatrixView (pans, zooms, numbers in the cells, row and column names);
  a matrix view (a MatrixView, a JacobianView) too large to fit with a pixel per row and
  column opens on its top-left corner with the numbers written (0 or Fit shows it whole);
- a Formula is drawn again, scaled to the window;
- any widget with a ``focus_copy()`` method shows the widget that method returns (None: there
  is nothing to enlarge yet);
- a pyqtgraph plot is borrowed: it moves into the enlarged view, so its curves keep updating,
  and returns to its place in its layout (or splitter) afterwards.

The page covers the window instead of changing its layout, so what was behind it (docks,
scroll positions, splitter sizes) is exactly as it was on return. Double-clicks are caught
where they end: no widget on the way accepts them, so Qt passes them up to the window,
which is the only widget watched (an application-wide filter would cost every event).
"""
from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QFont, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .formula import Formula
from .heatmap import HeatMap

HINT = "Double-click a heat map, formula or plot (or point at it and press F) to enlarge it."


class LargeFormula(Formula):
    """A formula scaled to fill its space, centred (SVG stays sharp at any size)."""

    def _scale(self) -> float:
        """Large, with a margin around it like a slide's."""
        size = self.renderer.defaultSize()
        return min(0.85 * self.width() / max(size.width(), 1),
                   0.6 * self.height() / max(size.height(), 1))

    def paintEvent(self, event):
        if self.error or not self.renderer.isValid():
            super().paintEvent(event)
            return
        size, scale = self.renderer.defaultSize(), self._scale()
        w, h = size.width() * scale, size.height() * scale
        self.renderer.render(QPainter(self), QRectF((self.width() - w) / 2,
                                                    (self.height() - h) / 2, w, h))


def heatmap_copy(hm: HeatMap):
    from .matrix_view import MatrixView  # loaded with the first enlarged matrix
    if hm.matrix is None:
        return None
    return MatrixView(hm.matrix, getattr(hm, "row_labels", None), getattr(hm, "col_labels", None))


def formula_copy(formula: Formula):
    if not formula.latex:
        return None
    large = LargeFormula()
    large.set_latex(formula.latex, size=formula.size_pt * 2)
    large.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return large


COPIED = (HeatMap, Formula)              # the widgets copy_of enlarges itself


def is_plot(widget) -> bool:
    pg = sys.modules.get("pyqtgraph")       # no plot exists before pyqtgraph is loaded
    return pg is not None and isinstance(widget, pg.PlotWidget)


def can_focus(widget) -> bool:
    return (is_plot(widget) or hasattr(widget, "focus_copy")
            or isinstance(widget, COPIED))


def focus_target(widget, window):
    """The innermost widget at or above ``widget`` (inside ``window``) that can be enlarged."""
    while widget is not None and widget is not window:
        if can_focus(widget):
            return widget
        widget = widget.parentWidget()
    return None


def copy_of(widget):
    """The enlarged copy of ``widget``, or None when it shows nothing yet."""
    if hasattr(widget, "focus_copy"):
        return widget.focus_copy()
    if isinstance(widget, HeatMap):
        return heatmap_copy(widget)
    if isinstance(widget, Formula):
        return formula_copy(widget)
    return None


def title_of(widget) -> str:
    if is_plot(widget):
        return getattr(widget, "focus_title", "") or widget.getPlotItem().titleLabel.text
    # the Inspector names whose values a view shows ("fc (Linear): its output · sample 2"),
    # which its own short title ("output") leaves to the section around it
    title = getattr(widget, "focus_title", "") or getattr(widget, "title", "")
    return title if isinstance(title, str) else ""


class Borrowed:
    """A widget lent to the enlarged view: a placeholder holds its place in its layout or
    splitter (same size policy and minimum size) until it goes back."""

    def __init__(self, widget):
        self.widget, self.holder = widget, widget.parentWidget()
        self.placeholder = QWidget()
        self.placeholder.setSizePolicy(widget.sizePolicy())
        self.placeholder.setMinimumSize(widget.minimumSize())
        self.ok = self._swap(widget, self.placeholder)

    def _swap(self, old, new) -> bool:
        holder = self.holder
        if isinstance(holder, QSplitter):
            return holder.replaceWidget(holder.indexOf(old), new) is not None
        layout = holder.layout() if holder is not None else None
        return layout is not None and layout.replaceWidget(old, new) is not None

    def give_back(self) -> None:
        if shiboken6.isValid(self.holder) and shiboken6.isValid(self.widget):
            self._swap(self.placeholder, self.widget)
            self.widget.show()
        elif shiboken6.isValid(self.widget):         # its panel is gone: so is it
            self.widget.deleteLater()
        self.placeholder.deleteLater()


class EnlargedView(QWidget):
    """The page over the window while something is enlarged: a bar with the way back and the
    title, and the enlarged widget below."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("focus_view")
        self.setAutoFillBackground(True)
        self.back = QPushButton("← Back (Esc)")
        self.back.setObjectName("focus_back")
        self.back.setFocusPolicy(Qt.FocusPolicy.NoFocus)        # Esc and keys go to the content
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        # a long title (3.10's summary of the gradient flow) wraps rather than run off
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(10)
        bar = QHBoxLayout()
        bar.addWidget(self.back)
        bar.addWidget(self.title, 1)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(bar)
        self.content = None
        self.hide()

    def show_content(self, content: QWidget, title: str) -> None:
        self.content = content
        self.title.setText(title)
        bold = QFont(self.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.layout_.addWidget(content, 1)
        content.show()

    def take_content(self):
        content, self.content = self.content, None
        if content is not None and shiboken6.isValid(content):
            self.layout_.removeWidget(content)
            return content
        return None


class Enlarger(QObject):
    """Opens and closes the enlarged view of one main window."""
    message = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = EnlargedView(window)
        self.view.back.clicked.connect(self.close)
        self.borrowed: Borrowed | None = None
        self.origin = None              # the widget enlarged
        self.return_focus = None
        self.keep_clear: list[QWidget] = []    # left uncovered below the view when shown
        window.installEventFilter(self)
        self.enlarge_action = QAction("&Enlarge View Under Mouse", window)
        self.enlarge_action.setShortcut(QKeySequence(Qt.Key.Key_F))
        self.enlarge_action.triggered.connect(lambda _checked=False: self.enlarge_under_cursor())
        self.back_action = QAction("&Back from Enlarged View", window)
        self.back_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.back_action.triggered.connect(lambda _checked=False: self.close())
        self.back_action.setEnabled(False)         # Esc belongs to others until then

    def add_view_actions(self, menu) -> None:
        for action in (self.enlarge_action, self.back_action):
            menu.addAction(action)
            self.window.addAction(action)

    @property
    def is_open(self) -> bool:
        # not isVisible(): before the window is first shown (a lesson step on the command
        # line) an opened view is not visible yet, and must still be closed
        return not self.view.isHidden()

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Type.MouseButtonDblClick and obj is self.window and not self.is_open:
            hit = self.window.childAt(event.position().toPoint())
            target = focus_target(hit, self.window)
            if target is not None:
                self.open(target)
                return True
        elif kind in (QEvent.Type.Resize, QEvent.Type.Move) and shiboken6.isValid(self.view) and \
                self.is_open and (obj is self.window or obj in self.keep_clear):
            self._place()                # the window, or the strip it keeps clear of, moved
        return False

    def keep_clear_of(self, widget) -> None:
        """Never cover ``widget`` where it sits below the view (the lesson strip)."""
        self.keep_clear.append(widget)
        widget.installEventFilter(self)

    def enlarge_under_cursor(self) -> None:
        if self.is_open:
            return
        hit = self.window.childAt(self.window.mapFromGlobal(QCursor.pos()))
        target = focus_target(hit, self.window)
        if target is None or not self.open(target):
            self.message.emit(HINT)

    def open(self, widget) -> bool:
        """Enlarge ``widget``; False when it has nothing to show (or cannot be moved)."""
        if self.is_open:
            self.close()
        if is_plot(widget):
            borrowed = Borrowed(widget)
            if not borrowed.ok:
                borrowed.placeholder.deleteLater()
                return False
            self.borrowed, content = borrowed, widget
        else:
            content = copy_of(widget)
            if content is None:
                return False
            if hasattr(content, "corner_if_dense"):    # a MatrixViewport
                content.corner_if_dense = True
        self.origin, self.return_focus = widget, QApplication.focusWidget()
        self.view.show_content(content, title_of(widget))
        self._place()
        self.view.show()
        self.view.raise_()
        content.setFocus()
        self.back_action.setEnabled(True)
        return True

    def close(self) -> None:
        if not self.is_open:
            return
        content = self.view.take_content()
        self.view.hide()
        self.back_action.setEnabled(False)
        if self.borrowed is not None:
            self.borrowed.give_back()
            self.borrowed = None
        elif content is not None:
            content.hide()                 # now: deleteLater waits for the event loop
            content.deleteLater()
        if self.return_focus is not None and shiboken6.isValid(self.return_focus):
            self.return_focus.setFocus()
        self.origin = self.return_focus = None

    def _place(self) -> None:
        """Between the bars, above or left of any visible ``keep_clear`` widget (the
        lesson strip, under the canvas or, in presentation mode, a column on the right:
        its text and question stay in sight while its Jacobian is enlarged)."""
        area = between_bars(self.window)
        for widget in self.keep_clear:
            if widget.isVisible():
                corner = widget.mapTo(self.window, widget.rect().topLeft())
                if area.top() < corner.y() < area.bottom():
                    area.setBottom(corner.y() - 1)
                elif area.left() < corner.x() < area.right():
                    area.setRight(corner.x() - 1)
        self.view.setGeometry(area)


def between_bars(window) -> QRect:
    """The window's area between its menu bar and its status bar: docks and tabs."""
    top = window.menuWidget().geometry().bottom() + 1 if window.menuWidget() else 0
    bottom = (window.statusBar().geometry().top() if window.statusBar().isVisible()
              else window.height())
    return QRect(0, top, window.width(), bottom - top)
