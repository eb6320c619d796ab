"""One config folder: ~/.config/bpviz ($XDG_CONFIG_HOME/bpviz), the 0.1.0 folder three deep
carried over once, and Help ▸ About says where it is."""
import os
import subprocess
import sys
from pathlib import Path


def start(tmp_path, xdg: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BPVIZ_CONFIG_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(xdg))
    return subprocess.run([sys.executable, "-m", "bpviz", "--example", "tiny_cnn",
                           "--screenshot", str(tmp_path / "shot.png")],
                          capture_output=True, text=True, env=env, timeout=120)


def test_the_folder_is_config_bpviz_and_old_settings_come_over_once(tmp_path):
    xdg = tmp_path / "xdg"
    old = xdg / "bpviz" / "bpviz" / "bpviz"
    old.mkdir(parents=True)
    (old / "bpviz.ini").write_text("[General]\ntheme=dark\n")
    (old / "errors.log").write_text("an old fault\n")
    result = start(tmp_path, xdg)
    assert result.returncode == 0, result.stderr
    new = xdg / "bpviz"
    assert "theme=dark" in (new / "bpviz.ini").read_text()
    assert (new / "errors.log").read_text() == "an old fault\n"
    assert not (xdg / "bpviz" / "bpviz").exists()          # the empty old folders went
    # an old folder that turns up again (an old bpviz ran) is not carried over a second time
    old.mkdir(parents=True)
    (old / "bpviz.ini").write_text("[General]\ntheme=light\n")
    assert start(tmp_path, xdg).returncode == 0
    assert "theme=dark" in (new / "bpviz.ini").read_text()
    assert (old / "bpviz.ini").exists()


def test_a_first_start_makes_only_the_one_folder(tmp_path):
    xdg = tmp_path / "xdg"
    assert start(tmp_path, xdg).returncode == 0
    assert (xdg / "bpviz").is_dir()
    assert not (xdg / "bpviz" / "bpviz").exists()


def test_about_names_the_config_folder(window, monkeypatch, config_dir):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.about()
    assert str(config_dir) in shown[0]
