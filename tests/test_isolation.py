"""The suite also runs in several worker processes at once (`pytest -n auto`): a test may use
no folder, lock or setting that another test, another worker or the user also uses, and
leaves no window behind for the tests after it."""
import subprocess
import sys
from pathlib import Path


def test_a_test_outside_the_gui_room_has_a_config_folder_of_its_own(tmp_path):
    """tests/train opens the Training tab, which reads and writes settings: without the
    suite-wide fixture it read the user's ~/.config/bpviz, shared by every worker."""
    from bpviz.gui.config.config_folder import config_dir
    assert config_dir() == tmp_path / "config"


INNER = '''
import shiboken6
from PySide6.QtWidgets import QWidget

made = []


def test_a_window(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    made.append(widget)


def test_the_window_of_the_test_before_is_gone():
    assert made and not shiboken6.isValid(made[0])
'''


def test_a_tests_widgets_are_deleted_when_it_ends(tmp_path):
    """Without the suite's fixture the window lived on (pytest-qt's deleteLater waits for an
    event loop): one process ran out of memory at 81 % of the suite (6 GB, OOM-killed)."""
    (tmp_path / "conftest.py").write_text(Path(__file__).with_name("conftest.py").read_text())
    (tmp_path / "test_inner.py").write_text(INNER)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(tmp_path / "test_inner.py")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
