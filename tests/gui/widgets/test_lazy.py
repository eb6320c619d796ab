"""LazyPanel: a tab built the first time it can be seen, saying so meanwhile."""
from PySide6.QtWidgets import QApplication, QLabel

from bpviz.gui.widgets.lazy import LazyPanel


def test_a_lazy_panel_says_loading_then_builds_once(qtbot):
    built = []

    def factory():
        built.append(QApplication.overrideCursor() is not None)   # busy while building
        return QLabel("the panel")

    lazy = LazyPanel(factory)
    qtbot.addWidget(lazy)
    assert lazy.loading.text() == "Loading…" and not lazy.built
    lazy.show()
    qtbot.waitUntil(lambda: lazy.built, timeout=60_000)
    assert built == [True] and QApplication.overrideCursor() is None
    assert lazy.loading.isHidden() and lazy.panel.text() == "the panel"
    assert lazy.panel is lazy.panel and len(built) == 1         # built once


def test_a_screenshot_of_a_lazy_tab_shows_the_tab_not_its_loading_label(window, tmp_path):
    from bpviz.gui.app import screenshot
    window.show_tab("losses")
    assert screenshot(window, QApplication.instance(), tmp_path / "shot.png", (1440, 900)) == 0
    assert window.losses.built and window.losses.loading.isHidden()
    assert (tmp_path / "shot.png").stat().st_size > 0
