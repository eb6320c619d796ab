"""Export what a lab shows: the figure as PNG or SVG, the numbers as CSV.

pyqtgraph 0.14's SVG exporter fails even on a plain curve (pyqtgraph issue #3485), so SVG is made by
painting the widget into a QSvgGenerator.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator


def export_png(widget, path) -> None:
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"cannot write '{path}'")


def export_svg(widget, path, title: str = "bpviz figure") -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    size = widget.size()
    generator.setSize(QSize(size.width(), size.height()))
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"cannot write '{path}'")
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise OSError(f"cannot write '{path}'")


def export_csv(path, columns: dict) -> None:
    """Columns {name: 1-D array} side by side; shorter columns are padded with blanks."""
    arrays = {k: np.asarray(v).ravel() for k, v in columns.items()}
    rows = max((len(a) for a in arrays.values()), default=0)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(list(arrays))
        for i in range(rows):
            writer.writerow([repr(float(a[i])) if i < len(a) else "" for a in arrays.values()])


def export_figure(widget, path) -> None:
    """PNG or SVG by the file's suffix."""
    if str(path).lower().endswith(".svg"):
        export_svg(widget, path)
    else:
        export_png(widget, path)
