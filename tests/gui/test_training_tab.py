"""The Training tab with qtbot, offscreen, on the CPU with tiny settings."""
import json

import pytest
import torch


@pytest.fixture
def tab(window, tmp_path):
    window.tabs.setCurrentIndex(3)
    t = window.training_tab.panel
    t.image_size.setValue(64)
    t.batch.setValue(8)
    t.epochs.setValue(1)
    t.max_steps.setValue(10)
    t.workers.setValue(0)
    t.out.setText(str(tmp_path / "run"))
    yield t
    if t.running():
        t.stop()
        t.wait()


def test_a_run_in_the_background_fills_the_views(qtbot, tab, tmp_path):
    assert tab.start()
    assert tab.running() and not tab.start_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "max_steps at step 10" in tab.status.text()
    steps, losses = tab.curves[("train", "loss")].getData()
    assert len(steps) >= 1 and steps[-1] == 10
    assert tab.filters_image.image is not None and tab.filters_image.image.shape[2] == 3
    assert tab.batch_image.image is not None
    assert len(tab.norm_bars.opts["height"]) == 8                 # 5 conv + 3 fc layers
    assert tab.progress.value() == 10
    assert (tmp_path / "run" / "checkpoint.pt").is_file()


def test_stop_leaves_a_checkpoint_and_resume_continues(qtbot, tab, tmp_path):
    tab.max_steps.setValue(0)
    tab.start()
    qtbot.waitUntil(lambda: len(tab.records) >= 1, timeout=180_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "stopped" in tab.status.text()
    step = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"]
    assert step >= 5
    tab.resume.setChecked(True)
    tab.max_steps.setValue(step + 5)
    tab.start()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert f"at step {step + 5}" in tab.status.text()
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"] == step + 5


def test_pause_and_resume(qtbot, tab):
    tab.max_steps.setValue(0)
    tab.start()
    qtbot.waitUntil(lambda: tab.worker is not None and tab.worker.run is not None,
                    timeout=60_000)
    tab.toggle_pause()
    assert tab.pause_button.text() == "Resume"
    qtbot.wait(300)
    assert not tab.worker.run.resume_event.is_set()
    tab.toggle_pause()
    assert tab.worker.run.resume_event.is_set()


def test_open_a_run_folder_shows_its_history(tab, tmp_path):
    folder = tmp_path / "cluster-run"
    folder.mkdir()
    records = [{"step": s, "epoch": 0, "split": "train", "loss": 2.0 / s, "top1": 0.1 * s,
                "top5": 0.5, "lr": 0.01, "images_per_s": 1000.0} for s in (1, 2, 3)]
    records.append({"step": 3, "epoch": 0, "split": "val", "loss": 0.9, "top1": 0.4,
                    "top5": 0.9, "lr": 0.01, "images_per_s": 0.0})
    (folder / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in records)
                                          + "\nnot json\n")
    (folder / "config.json").write_text(json.dumps({"arch": "alexnet", "data": "/imagenet"}))
    assert tab.open_run(folder)
    steps, losses = tab.curves[("train", "loss")].getData()
    assert list(steps) == [1, 2, 3]
    assert list(tab.curves[("val", "top1")].getData()[1]) == [0.4]
    assert "alexnet on /imagenet" in tab.status.text()
    assert not tab.open_run(tmp_path)
    assert "not a bpviz run folder" in tab.status.text()


def test_bad_data_folder_and_bad_settings_are_shown(tab, tmp_path):
    tab.data.setCurrentText(str(tmp_path / "nowhere"))
    assert "does not exist" in tab.data_info.text()
    assert not tab.start() and "does not exist" in tab.status.text()
    (tmp_path / "d" / "train").mkdir(parents=True)
    tab.data.setCurrentText(str(tmp_path / "d"))
    assert "no val/ folder" in tab.data_info.text()
    tab.data.setCurrentText("synthetic")
    tab.lr.setText("fast")
    assert not tab.start() and "not a number" in tab.status.text()


def test_closing_the_window_during_a_run_asks_then_stops_cleanly(qtbot, tab, window,
                                                                 tmp_path):
    tab.max_steps.setValue(0)
    tab.start()
    qtbot.waitUntil(lambda: len(tab.records) >= 1, timeout=180_000)
    window.ask_stop_training = lambda: False
    assert not window.close() and tab.running()
    window.ask_stop_training = lambda: True
    assert window.close()
    assert not tab.running()
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
