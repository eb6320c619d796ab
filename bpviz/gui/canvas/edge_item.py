"""EdgeItem: a connection from a node's output to an input slot, labelled with its shape
(not in the compact style: its nodes name their shapes). After a backward pass its colour
and its width both tell the gradient's magnitude, wide enough to see on a projector; the
edge being stepped is dashed, in the gradient's colour once it carries one (the phase's
orange would read as ~1e-2 on the gradient legend)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ..theme import LIGHT, Theme, contrast_ratio
from ..widgets.colormap import (
    GRADIENT_LUT,
    OUTLINE_CONTRAST,
    gradient_level,
    lut_color,
    outline_for,
)
from .node_item import PHASE_COLORS, READABLE, SLOT_POINTS


def bezier(a: QPointF, b: QPointF, via: float | None = None) -> QPainterPath:
    """A left-to-right S curve from ``a`` to ``b`` with horizontal tangents; when ``b`` lies
    to the left (the layout wrapped onto a new band), it leaves right, runs back between the
    bands (at height ``via`` if given, else half-way) and enters ``b`` from the left."""
    path = QPainterPath(a)
    if b.x() >= a.x() - 20 or abs(b.y() - a.y()) < 40:
        dx = max(40.0, abs(b.x() - a.x()) / 2)
        path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        return path
    mid = (a.y() + b.y()) / 2 if via is None else via
    turn = 36.0           # a tight turn: the graph's bounds (what a fit must show) stay close
    path.cubicTo(QPointF(a.x() + turn, a.y()), QPointF(a.x() + turn, mid), QPointF(a.x(), mid))
    path.lineTo(QPointF(b.x(), mid))
    path.cubicTo(QPointF(b.x() - turn, mid), QPointF(b.x() - turn, b.y()), b)
    return path


# On-screen width of an edge carrying a gradient of level 0 (vanishing) .. 1 (largest), in
# pixels, whatever the zoom: at an overview's zoom the width would otherwise fall below a
# pixel and the colour with it; the width alone tells large from small (not only colour).
GRADIENT_PX = (2.0, 12.0)


def gradient_pen(gradient: float, scale: float, lod: float) -> QPen:
    """The pen of an edge carrying RMS ``gradient`` at level of detail ``lod`` (screen
    pixels per scene unit): the gradient scale's colour, and a width growing with the
    magnitude, at least ``GRADIENT_PX`` on screen."""
    level = gradient_level(gradient)
    low, high = GRADIENT_PX
    width = max((1.2 + 6 * level) * scale, (low + (high - low) * level) / max(lod, 1e-6))
    pen = QPen(lut_color(GRADIENT_LUT, level), width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def shade_for(colour: QColor, canvas: QColor, fallback: QColor) -> QColor:
    """``colour`` darkened (on a light canvas; lightened on a dark one) until it stands out
    3:1 from ``canvas``, else ``fallback``: a line that reads as its own colour, where the
    theme's grey rim made a pale edge look like two grey lines (issue 20)."""
    shade, light = QColor(colour), QColor(canvas).lightnessF() > 0.5
    for _ in range(30):
        if contrast_ratio(shade, canvas) >= OUTLINE_CONTRAST * 1.5:     # antialiased, half a pixel
            return shade
        shade = shade.darker(110) if light else shade.lighter(110)
    return QColor(fallback)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, src: str, dst: str, slot: int, scale: float = 1.0,
                 compact: bool = False, theme: Theme = LIGHT):
        super().__init__()
        self.compact = compact
        self.src, self.dst, self.slot = src, dst, slot
        self.label = ""
        self.theme = theme
        self.scale_ = scale
        self.gradient: float | None = None      # RMS of the gradient sent back along it
        self.active: str | None = None          # "forward" / "backward" on the current step
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)

    def key(self) -> tuple:
        return (self.dst, self.slot)

    def set_ends(self, a: QPointF, b: QPointF, via: float | None = None) -> None:
        self.prepareGeometryChange()
        self.setPath(bezier(a, b, via))

    def set_label(self, text: str) -> None:
        if text != self.label:
            self.label = text
            self.update()

    def set_overlay(self, gradient: float | None, active: str | None) -> None:
        if (gradient, active) != (self.gradient, self.active):
            self.gradient, self.active = gradient, active
            self.update()

    def boundingRect(self) -> QRectF:
        extra = 60 * self.scale_
        return self.path().boundingRect().adjusted(-extra, -extra, extra, extra)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(8 * self.scale_)
        return stroker.createStroke(self.path())

    def _readable(self, colour: QColor) -> QColor:
        """A gradient's colour, or where it has less than 3:1 against the canvas (WCAG
        1.4.11: the scale's pale end) a shade of it that has: the whole line in one tone,
        so the fade along a chain reads as one fade (03.9's rim around a pale fill read as
        two lines)."""
        canvas, edge = self.theme.color("base"), self.theme.color("edge")
        if outline_for(colour, canvas, edge) is None:
            return colour
        return shade_for(colour, canvas, edge)

    def paint(self, painter, option, widget=None):
        t = self.theme
        s = self.scale_
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        pen = QPen(t.color("edge"), max(1.6 * s, 1.5 / max(lod, 1e-6)))
        if self.gradient is not None:           # log scale: vanishing thin and pale
            pen = gradient_pen(self.gradient, s, lod)
            pen.setColor(self._readable(pen.color()))
        if self.active:
            pen.setStyle(Qt.PenStyle.DashLine)
            if self.gradient is None:           # else its colour and width tell its size
                pen.setColor(QColor(PHASE_COLORS[self.active]))
                pen.setWidthF(max(pen.widthF(), 3 * s))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if not self.label or self.compact or lod * s < READABLE - 1e-6:
            return
        font = QFont()
        font.setPointSizeF(SLOT_POINTS * s)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        mid = self.path().pointAtPercent(0.5)
        w, h = metrics.horizontalAdvance(self.label) + 8 * s, metrics.height() + 2 * s
        box = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
        painter.setPen(QPen(t.color("grid"), 1))
        painter.setBrush(t.color("window"))
        painter.drawRoundedRect(box, 3 * s, 3 * s)
        painter.setPen(t.color("muted"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.label)
