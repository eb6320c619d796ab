"""``bpviz --self-test``: does this installation (a checkout, a wheel, a frozen bundle or the
.deb) find and use everything it ships? One JSON line; exit 0 when every check passed.

The checks exercise what a frozen app can lose: the examples (each one stepped through a
whole forward and backward pass in the window), ziamath's math font (a formula rendered),
Qt's image-format plugins (a PNG exported and read back, SVG and JPEG readable), the
lessons and the window icon. A failing check is named with its error; the others still run.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

SELF_TEST_EXAMPLE = "spirals_mlp"
SELF_TEST_FORMULA = r"\frac{\partial L}{\partial W} = \delta\, x^{\top}"
# what a frozen bundle must carry among Qt's image plugins: SVG (icons, formulas) and JPEG
# (image folders for training)
IMAGE_FORMATS = ("png", "svg", "jpg")


def engine_pass(window, app) -> dict:
    """One forward/backward pass of an example through the engine; its graph on the canvas."""
    import numpy as np

    from ...core import load_graph
    from ...core.data.datasets import spirals
    from ...paths import example_path

    window.document.open_example(example_path(SELF_TEST_EXAMPLE))
    app.processEvents()
    graph = load_graph(example_path(SELF_TEST_EXAMPLE))
    data = spirals(n=32, seed=0)
    loss = float(graph.forward({"x": data.x, "t": data.y}))
    graph.backward()
    grad = graph.param_grad("fc1", "weight")
    if not (np.isfinite(loss) and np.isfinite(grad).all() and grad.any()):
        raise AssertionError(f"loss {loss} or fc1's gradient is not finite and non-zero")
    if len(window.scene.nodes) != len(graph.nodes):
        raise AssertionError(f"{len(window.scene.nodes)} nodes drawn of {len(graph.nodes)}")
    return {"example": SELF_TEST_EXAMPLE, "loss": round(loss, 6),
            "nodes": len(window.scene.nodes)}


def every_example(window, app) -> dict:
    """Each shipped example opened in the window and stepped to the end of its backward
    pass with the data the window picks for it."""
    from ...paths import resources_dir

    paths = sorted((resources_dir() / "examples").glob("*.bpviz.json"))
    for path in paths:
        try:
            step_through(window, app, path)
        except Exception as err:
            raise AssertionError(f"{path.name}: {err}") from err
    if not paths:
        raise AssertionError("no examples found")
    return {"examples": len(paths)}


def step_through(window, app, path) -> None:
    window.document.open_example(path)
    app.processEvents()
    classroom = window.classroom
    classroom.run_phase()                  # forward
    classroom.run_phase()                  # backward
    if not classroom.gradients_ready:
        raise AssertionError(classroom.reason or "it stopped before the end")


def formula(window, app) -> dict:
    """A formula through ziamath (its bundled math font) and Qt's SVG renderer."""
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from ..widgets.formula import render_svg

    renderer = QSvgRenderer(QByteArray(render_svg(SELF_TEST_FORMULA, 32.0, "#000000")))
    if not renderer.isValid():
        raise AssertionError("Qt cannot read ziamath's SVG")
    size = renderer.defaultSize()
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if image.isNull() or image == _blank(image):
        raise AssertionError("the formula rendered blank")
    return {"formula": [size.width(), size.height()]}


def _blank(image):
    from PySide6.QtCore import Qt

    blank = image.copy()
    blank.fill(Qt.GlobalColor.transparent)
    return blank


def png_export(window, app) -> dict:
    """The canvas exported as PNG (as File ▸ Export Figure does) and read back; the image
    formats the app reads."""
    from PySide6.QtGui import QImage, QImageReader

    from ..widgets.figure_export import export_png

    formats = {f.toStdString() for f in QImageReader.supportedImageFormats()}
    missing = [f for f in IMAGE_FORMATS if f not in formats]
    if missing:
        raise AssertionError(f"Qt cannot read {', '.join(missing)} (image plugins missing)")
    with tempfile.TemporaryDirectory(prefix="bpviz-self-test-png-") as folder:
        path = Path(folder) / "canvas.png"
        window.resize(800, 600)
        export_png(window.view, path)
        image = QImage(str(path))
    if image.isNull() or image.width() < 100:
        raise AssertionError("the exported PNG cannot be read back")
    return {"png": [image.width(), image.height()]}


def first_lesson(window, app) -> dict:
    """The first shipped lesson started at its first step, then left."""
    from ...core.teaching.lessons import lessons_in
    from ...paths import lessons_dir

    lessons, problems = lessons_in(lessons_dir())
    if problems or not lessons:
        raise AssertionError("; ".join(problems) or "no lessons found")
    problem = window.lessons.open(lessons[0].name, ask=False)
    app.processEvents()
    if problem:
        raise AssertionError(problem)
    window.lessons.leave()
    return {"lesson": lessons[0].name, "lessons": len(lessons)}


def window_icon(window, app) -> dict:
    if app.windowIcon().isNull():
        raise AssertionError("the window has no icon")
    return {"icon": max(s.width() for s in app.windowIcon().availableSizes())}


CHECKS = (engine_pass, every_example, formula, png_export, first_lesson, window_icon)


def self_test(window, app) -> dict:
    """Every check, in order; their facts in one dict, and the errors by check name."""
    from ... import __version__
    from ...paths import resources_dir

    result = {"status": "ok", "version": __version__, "platform": app.platformName(),
              "frozen": bool(getattr(sys, "frozen", False)), "resources": str(resources_dir())}
    errors = {}
    for check in CHECKS:
        try:
            result.update(check(window, app))
        except Exception as err:           # a packaged build must report, not crash
            errors[check.__name__] = f"{type(err).__name__}: {err}"
    if errors:
        result.update(status="error", errors=errors)
    return result


def run_self_test(window, app, scratch) -> int:
    """Print the self-test's JSON line; exit 0 when it passed."""
    try:
        result = self_test(window, app)
    except Exception as err:           # e.g. the resources folder itself is missing
        result = {"status": "error", "error": f"{type(err).__name__}: {err}"}
    print(json.dumps(result), flush=True)
    window.document.autosave.stop()
    scratch.cleanup()
    return 0 if result["status"] == "ok" else 1
