import pytest


@pytest.fixture
def window(qtbot):
    from PySide6.QtWidgets import QMessageBox

    from bpviz.gui.shell.main_window import MainWindow
    from bpviz.paths import example_path

    win = MainWindow()
    qtbot.addWidget(win)
    win.document.open_example(example_path("spirals_mlp"))
    win.show()
    qtbot.waitExposed(win)
    # no modal dialog may block a test: record the question and answer "discard"
    win.asked_unsaved = []
    win.ask_unsaved = lambda: win.asked_unsaved.append(True) or QMessageBox.StandardButton.Discard
    win.ask_stop_training = lambda: True       # a run still going when the test ends stops
    yield win
    # the theme and presentation fonts belong to the one QApplication: leave them as found
    from PySide6.QtWidgets import QApplication

    from bpviz.gui.theme import THEMES, apply_theme
    apply_theme(QApplication.instance(), THEMES["light"], False)
