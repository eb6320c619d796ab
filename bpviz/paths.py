"""Where bpviz's resources (examples, lessons, icons, themes) are, however it was installed.

- a source checkout or an editable install: ``resources/`` beside the ``bpviz`` package;
- an installed wheel: the same tree shipped as ``bpviz/_resources``;
- a frozen (PyInstaller) app: ``resources/`` inside the bundle.
"""
from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates += [_PACKAGE / "_resources", _PACKAGE.parent / "resources"]
    for path in candidates:
        if (path / "examples").is_dir():
            return path
    raise FileNotFoundError("bpviz's resources folder is missing (looked in: "
                            + ", ".join(str(p) for p in candidates) + ")")


def example_path(name: str) -> Path:
    """``resources/examples/<name>.bpviz.json``; FileNotFoundError listing the examples."""
    folder = resources_dir() / "examples"
    path = folder / f"{name}.bpviz.json"
    if not path.is_file():
        known = sorted(p.name.removesuffix(".bpviz.json") for p in folder.glob("*.bpviz.json"))
        raise FileNotFoundError(f"no example named '{name}' (examples: {', '.join(known)})")
    return path


def lessons_dir() -> Path:
    """``resources/lessons``: the lessons that ship with bpviz."""
    return resources_dir() / "lessons"


def icons_dir() -> Path:
    """``resources/icons``: bpviz.svg and its PNG sizes (hicolor/NxN/apps/bpviz.png)."""
    return resources_dir() / "icons"
