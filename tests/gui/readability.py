"""Measure the text a class must read, as drawn on screen: the pixel height of every
visible widget's font, of the text that custom widgets paint themselves (their ``text_px``),
of pyqtgraph's axes and titles, and of the canvas's nodes at the view's zoom.

``too_small(window, px)`` lists what falls below ``px``; ``thin_curves(window, px)`` the
plot lines drawn narrower; ``cut_lesson_text(panel)`` the lesson strip's text that lies
below its fold. A test asserts each is empty."""
from __future__ import annotations

from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

TEXT_WIDGETS = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTabBar,
                QGroupBox, QAbstractItemView)


def font_px(font) -> float:
    return float(QFontInfo(font).pixelSize())


def shown(widget: QWidget) -> bool:
    """Visible with some area (text scrolled out of a scroll area counts: it is read once
    scrolled to)."""
    return widget.isVisible() and widget.width() > 1 and widget.height() > 1


def _has_text(widget) -> bool:
    if isinstance(widget, (QLabel, QAbstractButton)):
        return bool(widget.text().strip())
    return True


def css_px(size, default: float, dpi: float = 96.0) -> float:
    """A CSS font size as pyqtgraph writes it into a label's HTML ("9pt", "16px")."""
    text = str(size or "").strip()
    try:
        if text.endswith("pt"):
            return float(text[:-2]) * dpi / 72
        if text.endswith("px"):
            return float(text[:-2])
    except ValueError:
        pass
    return default


def label_px(label) -> float:
    """A pyqtgraph LabelItem's text height: the size in its HTML wins over its font."""
    return css_px(label.opts.get("size"), font_px(label.item.font()))


def _plot_texts(plot) -> list[tuple[str, float]]:
    """pyqtgraph draws its axis numbers, labels and titles in fonts of its own (the axis
    numbers in the plot's font unless a tick font is set)."""
    item = plot.getPlotItem()
    found = []
    if not item.isVisible():
        return found
    for name, axis in item.axes.items():
        axis = axis["item"]
        if not axis.isVisible() or not axis.style.get("showValues", True):
            continue
        font = axis.style.get("tickFont") or plot.font()
        found.append((f"axis {name} numbers", font_px(font)))
        if axis.label.isVisible() and axis.labelText:
            found.append((f"axis {name} label", css_px(axis.labelStyle.get("font-size"),
                                                       font_px(axis.label.font()))))
    if item.titleLabel.isVisible() and item.titleLabel.text:
        found.append(("title", label_px(item.titleLabel)))
    legend = item.legend
    if legend is not None and legend.isVisible():
        for _sample, label in legend.items:
            found.append((f"legend {label.text}", label_px(label)))
    return found


def measured(root: QWidget) -> list[tuple[str, float]]:
    """(what, pixel height) of every text shown under ``root``."""
    import sys
    pg = sys.modules.get("pyqtgraph")
    found = []
    for widget in [root] + root.findChildren(QWidget):
        if not shown(widget):
            continue
        name = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        custom = getattr(type(widget), "text_px", None)
        if callable(custom):
            px = widget.text_px()
            if px is not None:
                found.append((name, px))
        elif isinstance(widget, TEXT_WIDGETS) and _has_text(widget):
            label = widget.text()[:40] if hasattr(widget, "text") else ""
            found.append((f"{name} {label!r}", font_px(widget.font())))
        if pg is not None and isinstance(widget, pg.PlotWidget):
            found += [(f"{name} {what}", px) for what, px in _plot_texts(widget)]
    return found


def too_small(root: QWidget, px: float) -> list[tuple[str, float]]:
    return [(what, size) for what, size in measured(root) if size < px - 0.5]


def thin_curves(root: QWidget, px: float) -> list[tuple[str, object, float]]:
    """(plot, curve, pen width) of every visible plot line under ``root`` narrower than
    ``px`` (the back row loses 1-2 px lines)."""
    import sys
    pg = sys.modules.get("pyqtgraph")
    if pg is None:
        return []
    from .plot_checks import curve_widths
    return [(f"{type(plot).__name__} {plot.objectName()}", name, width)
            for plot in root.findChildren(pg.PlotWidget) if shown(plot)
            for name, width in curve_widths(plot).items() if width < px]


def cut_lesson_text(panel) -> list[str]:
    """The lesson strip's texts (the step's text, the question, the answer, its card and
    why) that reach below what the strip shows without scrolling, or past its right edge,
    or that their layout gave less height than their wrapped lines need (the label then
    ends mid-sentence, inside the strip: lesson 1 step 1's text stopped at "softmax,")."""
    from PySide6.QtCore import QPoint
    viewport = panel.viewport()
    cut = []
    wider = panel.widget().width() - viewport.width()
    if wider > 1:
        cut.append(f"every text of the strip is cut {wider} px at its right edge")
    for name in ("text", "ask", "feedback", "card", "explain"):
        label = getattr(panel, name)
        if not shown(label) or not label.text():
            continue
        needs = label.heightForWidth(label.width()) if label.wordWrap() else -1
        if label.height() < needs:     # squeezed by its layout: its last lines are not drawn
            cut.append(f"{name}: {label.text()[:40]!r} is {needs - label.height()} px "
                       "shorter than its wrapped text")
        bottom = label.mapTo(viewport, QPoint(0, label.height())).y()
        if bottom > viewport.height() + 1:
            cut.append(f"{name}: {label.text()[:40]!r} ends {bottom - viewport.height()} px "
                       "below the fold")
    return cut
