"""bpviz --self-test covers what a frozen or installed app can lose: every example stepped
through, a formula (ziamath's font), a PNG export (Qt's image plugins), a lesson, the icon."""
import json

from bpviz.gui.shell import self_test
from bpviz.paths import example_path, lessons_dir
from tests.stderr_lines import own_lines

from ..test_command_line import run


def test_self_test_reports_each_check(tmp_path):
    result = run(["--self-test"], tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    examples = list(example_path("alexnet").parent.glob("*.bpviz.json"))
    assert status["examples"] == len(examples) >= 10
    assert status["lessons"] == len(list(lessons_dir().glob("*.lesson.json")))
    assert status["lesson"] == "01_one_layer"
    assert min(status["formula"]) > 10 and min(status["png"]) > 100
    assert status["icon"] == 256 and status["frozen"] is False
    assert "errors" not in status


def test_a_failing_check_is_named_and_the_others_still_run(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    def broken(window, app):
        raise FileNotFoundError("no such font")
    monkeypatch.setattr(self_test, "CHECKS", (self_test.engine_pass, broken,
                                              self_test.formula))
    result = self_test.self_test(window, QApplication.instance())
    assert result["status"] == "error"
    assert result["errors"] == {"broken": "FileNotFoundError: no such font"}
    assert result["nodes"] == 8 and "formula" in result


def test_an_example_that_cannot_be_stepped_fails_by_name(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QApplication

    folder = tmp_path / "resources"
    (folder / "examples").mkdir(parents=True)
    spec = json.loads(example_path("spirals_mlp").read_text())
    spec["nodes"][2]["attrs"]["in_features"] = 3      # x has 2 features: no forward pass
    (folder / "examples" / "broken.bpviz.json").write_text(json.dumps(spec))
    monkeypatch.setattr("bpviz.paths.resources_dir", lambda: folder)
    try:
        self_test.every_example(window, QApplication.instance())
    except AssertionError as err:
        assert "broken.bpviz.json" in str(err)
    else:
        raise AssertionError("a graph without a loss passed")


def test_without_a_display_it_says_so_in_one_line(tmp_path):
    """No DISPLAY, no WAYLAND_DISPLAY, no QT_QPA_PLATFORM (an ssh session, a CI job): Qt
    would abort with rc 134 blaming a plugin that is there."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(HOME=str(tmp_path), BPVIZ_CONFIG_DIR=str(tmp_path / "config"))
    for args in (["--self-test"], []):
        result = subprocess.run([sys.executable, "-m", "bpviz", *args], capture_output=True,
                                text=True, env=env, timeout=300)
        assert result.returncode == 2 and result.stdout == ""
        assert len(own_lines(result.stderr)) == 1
        assert "DISPLAY" in result.stderr and "QT_QPA_PLATFORM=offscreen" in result.stderr
    env["QT_QPA_PLATFORM"] = "offscreen"                  # as the line says
    assert run(["--self-test"], tmp_path).returncode == 0
