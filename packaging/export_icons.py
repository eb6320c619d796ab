"""Render resources/icons/bpviz.svg to the PNG sizes desktop entries and window managers
look up (the freedesktop hicolor theme's apps sizes), next to the SVG:

    .venv/bin/python packaging/export_icons.py

The PNGs are committed, so a build needs no renderer; run this again after editing the SVG.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)         # Windows: the executable and installer


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "bpviz.png"


def render(renderer, size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write_ico(path: Path, sizes=ICO_SIZES) -> None:
    """A Windows .ico of the committed PNGs: a directory of entries, each a whole PNG
    (Windows Vista and later read PNG entries; a width of 256 is written as 0)."""
    pngs = [png_path(size).read_bytes() for size in sizes]
    offset = 6 + 16 * len(pngs)
    header = b"\0\0\1\0" + len(pngs).to_bytes(2, "little")
    entries = b""
    for size, png in zip(sizes, pngs, strict=False):
        entries += (bytes([size % 256, size % 256, 0, 0]) + (1).to_bytes(2, "little")
                    + (32).to_bytes(2, "little") + len(png).to_bytes(4, "little")
                    + offset.to_bytes(4, "little"))
        offset += len(png)
    path.write_bytes(header + entries + b"".join(pngs))


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])   # noqa: F841  (QImage text and SVG need one)
    renderer = QSvgRenderer(str(ICONS / "bpviz.svg"))
    if not renderer.isValid():
        print(f"cannot read {ICONS / 'bpviz.svg'}", file=sys.stderr)
        return 1
    for size in SIZES:
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(path)):
            print(f"cannot write {path}", file=sys.stderr)
            return 1
        print(path.relative_to(ICONS.parents[1]))
    write_ico(ICONS / "bpviz.ico")
    print((ICONS / "bpviz.ico").relative_to(ICONS.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
