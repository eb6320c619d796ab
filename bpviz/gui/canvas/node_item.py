"""NodeItem: one node of the graph on the canvas (op, key attributes, output shape, ports),
or in the compact style of presentation mode and overviews its name and output shape only.

The item shows what the model says; it never changes the model itself (moves and
connections go back to the scene as requests that become undo commands).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsPixmapItem

from ...core.ops import REGISTRY, shape_label
from ..theme import LIGHT, Theme, error_color

WIDTH = 196.0
HEADER = 26.0
LINE = 18.0
PORT_RADIUS = 5.5
READABLE = 0.35     # text drawn smaller than this (zoom × presentation scale) is not drawn
# Point sizes of the canvas's texts at zoom 1 (times the presentation scale). The smallest
# one decides the zoom at which a class can read the graph (GraphView.readable_zoom).
TITLE_POINTS, OP_POINTS, BODY_POINTS, SLOT_POINTS = 10.0, 9.0, 9.5, 8.5
SMALLEST_POINTS = min(TITLE_POINTS, OP_POINTS, BODY_POINTS, SLOT_POINTS)
THUMB_HEIGHT = 46.0
# The compact style: two lines (name, output shape) in larger type on a small box; its
# thumbnail is a strip in the gap below (the overview layout leaves room for it).
COMPACT_WIDTH, COMPACT_HEIGHT, COMPACT_THUMB = (72.0, 150.0), 38.0, 8.0   # width: least, most
COMPACT_NAME_POINTS, COMPACT_SHAPE_POINTS = 9.5, 9.0
PHASE_COLORS = {"forward": "#1f883d", "backward": "#d4530c"}


class NodeItem(QGraphicsObject):
    """Shows node ``nid``: header (id, op), summary line, output shape or its problem."""

    moved = Signal(object)                   # this item, once its position has changed

    def __init__(self, nid: str, op: str, scale: float = 1.0, compact: bool = False,
                 theme: Theme = LIGHT):
        super().__init__()
        self.compact = compact
        self.compact_width = COMPACT_WIDTH[1]    # the scene makes it what the texts need
        self.nid = nid
        self.op = op
        self.slots: tuple = REGISTRY[op].inputs if op in REGISTRY else ()
        self.op_group = REGISTRY[op].group if op in REGISTRY else "math"
        self.summary = ""
        self.out_shape = None
        self.problems: tuple[str, ...] = ()
        self.theme = theme
        self.scale_ = scale
        self.highlight: str | None = None        # "forward" / "backward": the current step
        self.thumbnail = QGraphicsPixmapItem(self)
        self.thumbnail.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.thumbnail.setVisible(False)
        self.thumbnail.setToolTip(f"{nid}'s value for the chosen sample: double-click it "
                                  "(or point at it and press F) to enlarge it")
        # compact nodes stand where the overview layout puts them: not moved by hand
        movable = QGraphicsItem.GraphicsItemFlag.ItemIsMovable if not compact else \
            QGraphicsItem.GraphicsItemFlag(0)
        self.setFlags(movable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)

    # --- geometry -----------------------------------------------------------------------
    def _lines(self) -> int:
        return max(2, len(self.slots))

    def width(self) -> float:
        return (self.compact_width if self.compact else WIDTH) * self.scale_

    def needed_width(self) -> float:
        """The compact box's width (at scale 1) that shows its name and shape whole."""
        widths = [QFontMetricsF(self._font(points, bold)).horizontalAdvance(text)
                  for text, points, bold in ((self.nid, COMPACT_NAME_POINTS, True),
                                             (self.shape_text(), COMPACT_SHAPE_POINTS, False))]
        return max(widths) / self.scale_ + 20 + 4       # the band, the padding, a margin

    def set_compact_width(self, width: float) -> None:
        if width != self.compact_width:
            self.prepareGeometryChange()
            self.compact_width = width

    def header(self) -> float:
        """Where the ports' column starts: below the header band (none in compact)."""
        return 0.0 if self.compact else HEADER * self.scale_

    def boundingRect(self) -> QRectF:
        s = self.scale_
        pad = PORT_RADIUS * s + 2
        named = len(self.slots) > 1 and not self.compact
        left = 86 * s if named else pad          # room for slot names
        return QRectF(-left, -2, self.width() + left + pad, self.height() + 4)

    def shape(self) -> QPainterPath:
        """What takes clicks: the body and the ports (not the slot names beside them)."""
        path = QPainterPath()
        path.addRect(self.body_rect())
        r = (PORT_RADIUS + 3) * self.scale_
        for p in [self.output_port()] + [self.input_port(i) for i in range(len(self.slots))]:
            path.addEllipse(p, r, r)
        return path

    def height(self) -> float:
        if self.compact:
            return COMPACT_HEIGHT * self.scale_
        return (HEADER + LINE * self._lines() + 10) * self.scale_

    def body_rect(self) -> QRectF:
        return QRectF(0, 0, self.width(), self.height())

    def input_port(self, slot: int) -> QPointF:
        n = max(1, len(self.slots))
        top = self.header()
        step = (self.height() - top) / (n + 1)
        return QPointF(0, top + step * (slot + 1))

    def output_port(self) -> QPointF:
        top = self.header()
        return QPointF(self.width(), top + (self.height() - top) / 2)

    def port_at(self, pos: QPointF):
        """("in", slot) or ("out", 0) if ``pos`` (item coordinates) is on a port."""
        grab = (PORT_RADIUS + 6) * self.scale_
        if (pos - self.output_port()).manhattanLength() <= grab:
            return ("out", 0)
        for slot in range(len(self.slots)):
            if (pos - self.input_port(slot)).manhattanLength() <= grab:
                return ("in", slot)
        return None

    # --- stepping overlays ------------------------------------------------------------------
    def set_highlight(self, phase: str | None) -> None:
        if phase != self.highlight:
            self.highlight = phase
            self.update()

    def set_thumbnail(self, image) -> None:
        """A small picture of the node's value for the chosen sample (None hides it)."""
        if image is None:
            self.thumbnail.setVisible(False)
            return
        s = self.scale_
        pixmap = QPixmap.fromImage(image)
        width, height = self.width(), (COMPACT_THUMB if self.compact else THUMB_HEIGHT) * s
        sx = sy = min(width / pixmap.width(), height / pixmap.height())
        if self.compact:                                    # a strip as wide as the node
            sx = width / pixmap.width()
        sy = max(sy, min(14 * s / pixmap.height(), height / pixmap.height()))  # vectors: a bar
        self.thumbnail.setPixmap(pixmap)
        self.thumbnail.setTransform(QTransform.fromScale(sx, sy))
        self.thumbnail.setPos((width - pixmap.width() * sx) / 2,
                              self.height() + (2 if self.compact else 4) * s)
        self.thumbnail.setVisible(True)

    # --- state from the model ---------------------------------------------------------------
    @property
    def problem(self) -> str | None:
        """The line the node shows for its problems (None: it has none)."""
        if not self.problems:
            return None
        more = len(self.problems) - 1
        return self.problems[0] + (f" (+{more} more)" if more else "")

    def set_state(self, summary: str, shape, problems=()) -> bool:
        """Update what the node shows; returns whether anything changed."""
        problems = tuple(problems)
        if (summary, shape, problems) == (self.summary, self.out_shape, self.problems):
            return False
        self.summary, self.out_shape, self.problems = summary, shape, problems
        tip = f"<b>{self.nid}</b> ({self.op})"
        if problems:
            tip += "".join(f"<br><span style='color:{error_color()}'>⚠ {escape(p)}</span>"
                           for p in problems)
        elif self.op in REGISTRY:
            tip += f"<br>{REGISTRY[self.op].doc}"
        self.setToolTip(tip)
        self.update()
        return True

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.moved.emit(self)           # the scene re-routes its edges
        return super().itemChange(change, value)

    # --- painting ---------------------------------------------------------------------------
    def _font(self, size: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPointSizeF(size * self.scale_)
        font.setBold(bold)
        return font

    def paint(self, painter, option, widget=None):
        rect = self.body_rect()
        radius = 7 * self.scale_
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        self._paint_box(painter, rect, radius)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        readable = lod * self.scale_ >= READABLE - 1e-6
        if self.compact or not readable:
            # the compact style; zoomed out, the full style's text would be specks: name
            # and shape in type large enough to fill its box instead
            grow = 1.0 if self.compact else 2.2
            self._paint_band(painter, QRectF(0, 0, 6 * self.scale_, rect.height()), radius)
            if readable or lod * self.scale_ * grow >= READABLE - 1e-6:
                self._paint_name_and_shape(painter, rect.adjusted(8 * self.scale_, 0, 0, 0),
                                           COMPACT_NAME_POINTS * grow,
                                           COMPACT_SHAPE_POINTS * grow)
            if self.compact and readable:
                self._paint_ports(painter)
            return
        self._paint_band(painter, QRectF(0, 0, rect.width(), HEADER * self.scale_), radius)
        self._paint_full_text(painter, rect)
        self._paint_ports(painter)

    def _paint_box(self, painter, rect: QRectF, radius: float) -> None:
        """The node's box: its border says selected, or wrong; a halo says stepped now."""
        t, s = self.theme, self.scale_
        border = t.color("error") if self.problem else t.color("node_border")
        width = 2.4 * s if self.problem else 1.2 * s
        if self.isSelected():
            border, width = t.color("selection"), 2.8 * s
        if self.highlight:                               # the node being stepped: a halo
            glow = QColor(PHASE_COLORS[self.highlight])
            glow.setAlpha(90)
            painter.setPen(QPen(glow, 9 * s))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-2 * s, -2 * s, 2 * s, 2 * s), radius, radius)
        painter.setPen(QPen(border, width))
        painter.setBrush(QBrush(t.color("error_fill") if self.problem else t.color("node")))
        painter.drawRoundedRect(rect, radius, radius)

    def _paint_band(self, painter, band: QRectF, radius: float) -> None:
        """The op group's colour: the header band (its lower corners square), or in compact
        style a strip down the left side."""
        path = QPainterPath()
        path.addRoundedRect(band, radius, radius)
        square = QPainterPath()
        if band.width() < band.height():
            square.addRect(band.adjusted(band.width() / 2, 0, 0, 0))
        else:
            square.addRect(band.adjusted(0, band.height() / 2, 0, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.theme.group_color(self.op_group))
        painter.drawPath(path.united(square))

    def shape_text(self) -> str:
        return "⚠ " + self.problem if self.problem else shape_label(self.out_shape)

    def _paint_name_and_shape(self, painter, area: QRectF, name_points: float,
                              shape_points: float) -> None:
        """The compact style's two lines: the node's name (bold) over its output shape."""
        t = self.theme
        pad = 4 * self.scale_
        area = area.adjusted(pad, pad, -pad, -pad)
        align = Qt.AlignmentFlag.AlignLeft
        half = area.height() / 2
        for k, (text, points, bold) in enumerate(((self.nid, name_points, True),
                                                  (self.shape_text(), shape_points, False))):
            painter.setFont(self._font(points, bold))
            painter.setPen(t.color("text") if k == 0 else
                           t.color("error") if self.problem else t.color("muted"))
            line = QRectF(area.left(), area.top() + k * half, area.width(), half)
            metrics = QFontMetricsF(painter.font())
            painter.drawText(line, align | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, line.width()))

    def _paint_full_text(self, painter, rect: QRectF) -> None:
        """Header (id, op), the op's key attributes, then the output shape or the problem."""
        t, s = self.theme, self.scale_
        pad = 9 * s
        painter.setPen(QColor("#ffffff"))
        painter.setFont(self._font(TITLE_POINTS, bold=True))
        title = QRectF(pad, 0, rect.width() - 2 * pad, HEADER * s)
        metrics = QFontMetricsF(painter.font())
        painter.drawText(title, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(self.nid, Qt.TextElideMode.ElideRight, rect.width() * 0.55))
        painter.setFont(self._font(OP_POINTS))
        painter.drawText(title, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.op)
        painter.setFont(self._font(BODY_POINTS))
        metrics = QFontMetricsF(painter.font())
        line = QRectF(pad, HEADER * s + 5 * s, rect.width() - 2 * pad, LINE * s)
        painter.setPen(t.color("text"))
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(self.summary, Qt.TextElideMode.ElideRight, line.width()))
        line.translate(0, LINE * s)
        painter.setPen(t.color("error") if self.problem else t.color("muted"))
        text = self.shape_text() if self.problem else "out " + self.shape_text()
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, line.width()))

    def _paint_ports(self, painter) -> None:
        t = self.theme
        s = self.scale_
        r = PORT_RADIUS * s
        painter.setPen(QPen(t.color("node_border"), 1.2 * s))
        painter.setBrush(t.color("base"))
        for slot in range(len(self.slots)):
            painter.drawEllipse(self.input_port(slot), r, r)
        painter.setBrush(t.group_color(self.op_group))
        painter.drawEllipse(self.output_port(), r, r)
        if len(self.slots) > 1 and not self.compact:     # name the slots just outside
            painter.setFont(self._font(SLOT_POINTS))
            painter.setPen(t.color("muted"))
            for slot, name in enumerate(self.slots):
                p = self.input_port(slot)
                painter.drawText(QRectF(p.x() - 84 * s, p.y() - 17 * s, 80 * s, 14 * s),
                                 Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight, name)

