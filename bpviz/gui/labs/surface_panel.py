"""Loss surfaces: a heat map (SurfacePlot), a 3-D view where OpenGL exists, and the
Loss-surface panel that computes them — over the two weights of a linear model on a 2-D
dataset, or through a slice of the graph open in the Backprop tab (in a worker thread, with
progress and cancel)."""
from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import GraphError
from ...core.data import datasets as ds
from ...core.errors import DataError
from ...core.labs import landscapes
from ..widgets.plot_style import add_values_actions
from ..widgets.threads import wait_for
from .surface_plot import CMAP, SurfacePlot


def gl_available() -> bool:
    """Whether a 3-D view can be made here (OpenGL context and PyOpenGL)."""
    from PySide6.QtGui import QGuiApplication, QOpenGLContext

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return False
    try:
        import pyqtgraph.opengl  # noqa: F401  (needs PyOpenGL)
    except Exception:                   # any failure to load GL means: no 3-D here
        return False
    context = QOpenGLContext()
    return bool(context.create())


class SliceWorker(QObject):
    """Computes a graph slice off the GUI thread."""

    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, graph, feeds, d1, d2, alphas, betas):
        super().__init__()
        self.args = (graph, feeds, d1, d2, alphas, betas)
        self.cancel = threading.Event()

    def run(self) -> None:
        graph, feeds, d1, d2, alphas, betas = self.args
        try:
            z = landscapes.graph_slice(graph, feeds, d1, d2, alphas, betas,
                                     progress=lambda d, t: self.progress.emit(d, t),
                                     cancelled=self.cancel.is_set)
        except GraphError as err:
            self.failed.emit(str(err))
            return
        self.done.emit(z)


class SurfacePanel(QWidget):
    """Controls, the surface (2-D, or 3-D where OpenGL exists), progress and cancel."""

    def __init__(self, graph_source, parent=None):
        super().__init__(parent)
        self.graph_source = graph_source        # () -> (graph, feeds), may raise
        self.source = QComboBox()
        self.source.addItems(["linear model on 2-D data", "graph in the Backprop tab"])
        self.loss = QComboBox()
        self.loss.addItems(list(landscapes.MODEL_LOSSES))
        self.dataset = QComboBox()
        self.dataset.addItems(list(ds.TOY_2D))
        self.dataset.setCurrentText("blobs")
        self.directions = QComboBox()
        self.directions.addItems(["two random filter-normalised directions",
                                  "two parameters (first weights of the first layer)"])
        self.resolution = QSpinBox(minimum=11, maximum=401, value=101, singleStep=10)
        self.resolution.setToolTip("Grid points per side")
        self.compute_button = QPushButton("Compute")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel(wordWrap=True)
        self.gl = gl_available()
        self.view_mode = self._view_choice()
        form = QFormLayout()
        for label, w in (("Model", self.source), ("Loss", self.loss), ("Data", self.dataset),
                         ("Directions", self.directions), ("Resolution", self.resolution),
                         ("View", self.view_mode)):
            form.addRow(label, w)
            w.setObjectName(f"surface_{label.lower()}")     # (names: lessons, sessions)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.cancel_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        left.addStretch(1)
        self.plot = SurfacePlot("loss surface")
        self.plot_box = self.plot.titled()
        add_values_actions(self.plot, self.csv_data, "loss surface")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot_box)
        self.gl_view = None
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.stack, 3)
        self.slice_thread: QThread | None = None        # a graph's slice runs in it
        self.worker: SliceWorker | None = None
        self.elapsed = 0.0
        self.shown_title = ""
        self._connect()
        self._source_changed()
        self.compute()
        for combo in (self.source, self.loss, self.dataset, self.directions):
            combo.currentIndexChanged.connect(self._settings_changed)
        self.resolution.valueChanged.connect(self._settings_changed)

    def _view_choice(self) -> QComboBox:
        """2-D or 3-D; 3-D greyed out where the display offers no OpenGL."""
        combo = QComboBox()
        combo.addItems(["2-D", "3-D"])
        if not self.gl:
            model = combo.model()
            assert isinstance(model, QStandardItemModel), "a combo box's own item model"
            model.item(1).setEnabled(False)
            combo.setToolTip("3-D needs OpenGL, which this display does not offer")
        return combo

    def _connect(self) -> None:
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button.clicked.connect(self.cancel)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.view_mode.currentIndexChanged.connect(self._view_changed)

    def _settings_changed(self) -> None:
        """A linear model's surface takes milliseconds: shown at once. A graph's slice
        takes seconds in a thread: until Compute, the title says that it is stale (it kept
        the old title, which named what the settings no longer chose)."""
        running = self.slice_thread is not None and self.slice_thread.isRunning()
        if self.source.currentIndex() == 0 and not running:
            self.compute()
            return
        self.cancel()
        self.plot.setTitle(f"{self.shown_title} — stale: the settings changed, press Compute")

    def _source_changed(self) -> None:
        model = self.source.currentIndex() == 0
        self.loss.setEnabled(model)
        self.dataset.setEnabled(model)
        self.directions.setEnabled(not model)
        self.resolution.setValue(101 if model else 31)

    # --- computing ---------------------------------------------------------------------------
    def compute(self) -> None:
        if self.source.currentIndex() == 0:
            self._linear_model()
        else:
            self._graph_slice()

    def linear_model(self) -> landscapes.LinearModel:
        data = ds.TOY_2D[self.dataset.currentText()](n=1000, seed=0)
        return landscapes.LinearModel.from_dataset(data, self.loss.currentText())

    def _linear_model(self) -> None:
        n = self.resolution.value()
        start = time.perf_counter()
        model = self.linear_model()
        xs = ys = np.linspace(-4, 4, n)
        z = model.surface_values(*np.meshgrid(xs, ys))
        self.elapsed = time.perf_counter() - start
        self._show(xs, ys, z, f"{self.loss.currentText()} loss of w₁x₁ + w₂x₂ on "
                              f"{self.dataset.currentText()}", "w₁", "w₂")
        self.status.setText(f"{n}×{n} grid over {len(model.t)} points in "
                            f"{self.elapsed * 1e3:.0f} ms. Labels of the first two classes "
                            f"as t = ±1.")

    def _graph_slice(self) -> None:
        try:
            graph, feeds = self.graph_source()
            graph = graph.copy()
            graph.forward(feeds)
            if self.directions.currentIndex() == 0:
                rng = np.random.default_rng(0)
                d1 = landscapes.filter_normalized_direction(graph, rng)
                d2 = landscapes.filter_normalized_direction(graph, rng)
                span, self.axes = 1.0, ("α", "β")
            else:
                key = next((nid, p) for nid in graph.order for p in graph.param_names(nid))
                d1 = landscapes.coordinate_direction(graph, key, 0)
                d2 = landscapes.coordinate_direction(graph, key, 1)
                span, self.axes = 2.0, (f"Δ{key[0]}.{key[1]}[0]", f"Δ{key[0]}.{key[1]}[1]")
        except (GraphError, DataError, StopIteration) as err:
            self.status.setText(f"Cannot slice the graph: {err or 'it has no parameters'}")
            return
        n = self.resolution.value()
        self.grid = np.linspace(-span, span, n)
        self.worker = SliceWorker(graph, feeds, d1, d2, self.grid, self.grid)
        self.slice_thread = QThread(self)
        self.worker.moveToThread(self.slice_thread)
        self.slice_thread.started.connect(self.worker.run)
        self.worker.progress.connect(self._progress)
        self.worker.done.connect(self._slice_done)
        self.worker.failed.connect(self._slice_failed)
        self.started = time.perf_counter()
        self.progress.setRange(0, n * n)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.compute_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Evaluating the loss at {n * n} points…")
        self.slice_thread.start()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)

    def _finish_thread(self) -> None:
        if self.slice_thread is not None:
            self.slice_thread.quit()
            self.slice_thread.wait()
        self.progress.setVisible(False)
        self.compute_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _slice_done(self, z) -> None:
        self.elapsed = time.perf_counter() - self.started
        self._finish_thread()
        if z is None:
            self.status.setText("Cancelled.")
            return
        n = len(self.grid)
        self._show(self.grid, self.grid, z, "loss of the graph along two directions",
                   *self.axes)
        self.status.setText(f"{n}×{n} slice in {self.elapsed:.1f} s (centre: the current "
                            f"weights; Li et al. 2018 filter-normalised directions).")

    def _slice_failed(self, message: str) -> None:
        self._finish_thread()
        self.status.setText(f"Cannot slice the graph: {message}")

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def stop(self, timeout_ms: int = 60000) -> bool:
        """Cancel a running slice and wait for its thread to end (before the app quits: a
        QThread destroyed while it runs aborts the process)."""
        self.cancel()
        return self.wait(timeout_ms)

    def wait(self, timeout_ms: int = 60000) -> bool:
        """Block until a running slice finishes (for scripts and tests)."""
        return wait_for(self.slice_thread, timeout_ms)

    # --- showing -----------------------------------------------------------------------------
    def _show(self, xs, ys, z, title, xlabel, ylabel) -> None:
        self.surface = (xs, ys, z)
        self.shown_title = title
        self.plot.show_surface(xs, ys, z, log=False, title=title)
        self.plot.setLabel("bottom", xlabel)
        self.plot.setLabel("left", ylabel)
        if self.gl_view is not None:
            self._update_gl()

    def _view_changed(self, index: int) -> None:
        if index == 1 and self.gl:
            if self.gl_view is None:
                import pyqtgraph.opengl as gl
                self.gl_view = gl.GLViewWidget()
                self.gl_view.setBackgroundColor(self.palette().base().color())
                self.gl_view.setCameraPosition(distance=18, elevation=32, azimuth=-60)
                grid = gl.GLGridItem()
                grid.setSize(10, 10)
                grid.setColor((120, 120, 120, 120))
                self.gl_view.addItem(grid)
                self.gl_surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=True)
                self.gl_view.addItem(self.gl_surface)
                self.stack.addWidget(self.gl_view)
            self._update_gl()
            self.stack.setCurrentWidget(self.gl_view)
        else:
            self.stack.setCurrentWidget(self.plot_box)

    def _update_gl(self) -> None:
        """The surface on a 10 x 10 base, 4 high, coloured like the 2-D map."""
        xs, ys, z = self.surface
        unit = (z - np.nanmin(z)) / max(np.nanmax(z) - np.nanmin(z), 1e-12)
        unit = np.nan_to_num(unit.T)
        gx = (np.asarray(xs) - xs[0]) / (xs[-1] - xs[0]) * 10 - 5
        gy = (np.asarray(ys) - ys[0]) / (ys[-1] - ys[0]) * 10 - 5
        colors = CMAP.map(unit.ravel(), mode="float").reshape(unit.shape + (4,))
        self.gl_surface.setData(x=gx, y=gy, z=unit * 4, colors=colors)

    def csv_data(self) -> dict:
        xs, ys, z = self.surface
        gx, gy = np.meshgrid(xs, ys)
        return {"x": gx.ravel(), "y": gy.ravel(), "loss": z.ravel()}
