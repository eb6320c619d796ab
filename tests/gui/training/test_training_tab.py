"""The Training tab with qtbot, offscreen, on the CPU with tiny settings."""
import json

import pytest
import torch


@pytest.fixture
def tab(window, tmp_path):
    window.tabs.setCurrentIndex(3)
    t = window.training_tab.panel
    assert t.engine_ready()                    # the GPUs listed: the form as a user sees it
    t.form.image_size.setValue(64)
    t.form.batch.setValue(8)
    t.form.epochs.setValue(1)
    t.form.max_steps.setValue(10)
    t.form.workers.setValue(0)
    t.form.out.setText(str(tmp_path / "run"))
    yield t
    if t.running():
        t.stop()
        t.wait()


def test_a_run_in_the_background_fills_the_views(qtbot, tab, tmp_path):
    assert tab.start()
    assert tab.running() and not tab.start_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "reached its max steps at step 10" in tab.status.text()
    steps, losses = tab.view.curves[("train", "loss")].getData()
    assert len(steps) >= 1 and steps[-1] == 10
    assert tab.view.filters_image.image is not None and tab.view.filters_image.image.shape[2] == 3
    assert tab.view.batch_image.image is not None
    flow = tab.view.flow.curves["weight"].yData             # mean |dL/dW| (getData: log10)
    assert len(flow) == 8 and (flow > 0).all()                     # 5 conv + 3 fc layers
    labels = [label for _, label in tab.view.flow.batch_plot.getAxis("bottom")._tickLevels[0]]
    assert labels[0] == "conv1" and labels[-1] == "fc8"
    assert tab.view.progress.value() == 10
    assert (tmp_path / "run" / "checkpoint.pt").is_file()


def test_stop_leaves_a_checkpoint_and_resume_continues(qtbot, tab, tmp_path):
    tab.form.max_steps.setValue(0)
    tab.start()
    assert tab.status.text().startswith("Starting alexnet on CPU")
    qtbot.waitUntil(lambda: tab.view.record_count >= 1, timeout=180_000)
    assert tab.status.text().startswith("Training alexnet on CPU: step ")   # not "Starting"
    tab.stop()
    assert tab.status.text().startswith("Stopping")
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "stopped" in tab.status.text()
    step = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"]
    assert step >= 5
    tab.form.resume.setChecked(True)
    tab.form.max_steps.setValue(step + 5)
    tab.start()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert f"at step {step + 5}" in tab.status.text()
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"] == step + 5


def test_pause_and_resume(qtbot, tab):
    tab.form.max_steps.setValue(0)
    tab.start()
    qtbot.waitUntil(lambda: tab.worker is not None and tab.worker.training is not None,
                    timeout=60_000)
    tab.toggle_pause()
    assert tab.pause_button.text() == "Resume"
    qtbot.wait(300)
    assert not tab.worker.training.resume_event.is_set()
    tab.toggle_pause()
    assert tab.worker.training.resume_event.is_set()


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
    steps, losses = tab.view.curves[("train", "loss")].getData()
    assert list(steps) == [1, 2, 3]
    assert list(tab.view.curves[("val", "top1")].getData()[1]) == [0.4]
    assert "alexnet on /imagenet" in tab.status.text()
    (folder / "config.json").write_text("[")
    assert tab.open_run(folder)
    assert "(its config.json could not be read); 1 unreadable lines skipped" in \
        tab.status.text()
    assert not tab.open_run(tmp_path)
    assert "not a bpviz run folder" in tab.status.text()


def test_bad_data_folder_and_bad_settings_are_shown(tab, tmp_path):
    tab.form.data.setCurrentText(str(tmp_path / "nowhere"))
    assert "does not exist" in tab.form.data_info.text()
    assert not tab.start() and "does not exist" in tab.status.text()
    (tmp_path / "d" / "train").mkdir(parents=True)
    tab.form.data.setCurrentText(str(tmp_path / "d"))
    assert "no val/ folder" in tab.form.data_info.text()
    tab.form.data.setCurrentText("synthetic")
    tab.form.lr.setText("fast")
    assert not tab.start() and "not a number" in tab.status.text()


def test_closing_the_window_during_a_run_asks_then_stops_cleanly(qtbot, tab, window,
                                                                 tmp_path):
    tab.form.max_steps.setValue(0)
    tab.start()
    qtbot.waitUntil(lambda: tab.view.record_count >= 1, timeout=180_000)
    window.ask_stop_training = lambda: False
    assert not window.close() and tab.running()
    window.ask_stop_training = lambda: True
    assert window.close()
    assert not tab.running()
    assert (tmp_path / "run" / "checkpoint.pt").is_file()


def test_history_grows_in_place_and_reads_as_columns():
    from bpviz.gui.training.run_history import History
    h = History()
    for s in range(1, 201):
        h.add({"split": "train", "step": s, "loss": 1.0 / s, "ok": True, "name": "x"})
    h.add({"split": "val", "step": 200, "loss": 0.5})
    h.add({"loss": 3.0})                                   # no split or step: ignored
    steps, loss = h.series("train", "loss")
    assert list(steps[:3]) == [1, 2, 3] and len(steps) == 200 and loss[-1] == 1 / 200
    assert list(h.series("val", "loss")[1]) == [0.5]
    assert len(h.series("train", "ok")[0]) == 0            # booleans are not plotted
    assert len(h.series("train", "top1")[0]) == 0


def fake_record(step, rng):
    return {"split": "train", "step": step, "epoch": 0, "loss": 2.0, "top1": 0.1,
            "top5": 0.5, "lr": 0.01, "images_per_s": 100.0, "data_wait": 0.1,
            "gpu_memory_mb": 0.0, "grad_norms": {"conv1": 0.5},
            "conv1": rng.standard_normal((64, 3, 11, 11)).astype("float32"),
            "batch": rng.random((16, 3, 64, 64)).astype("float32"), "steps_per_epoch": 40}


def test_views_are_drawn_one_per_turn_and_only_numbers_are_kept(qtbot, tab):
    import numpy as np
    rng = np.random.default_rng(0)
    tab.view.plan = {"max_steps": None, "epochs": 1}            # progress: 1 epoch of 40 steps
    for step in (5, 10, 15):
        tab.view.on_record(fake_record(step, rng))
    assert tab.view.record_count == 3 and tab.view.latest["step"] == 15
    assert not hasattr(tab, "records")      # 20 records/s for hours: numbers only, as columns
    assert all(isinstance(c, np.ndarray) for c in tab.view.history.columns.values())
    assert len(tab.view.dirty) == len(tab.view.draw)                 # queued once, not three times
    tab.view._draw_next()
    assert len(tab.view.dirty) == len(tab.view.draw) - 1             # one view per event-loop turn
    qtbot.waitUntil(lambda: not tab.view.dirty and not tab.view.draw_timer.isActive(),
                    timeout=60_000)                  # an upper bound, not a speed
    assert list(tab.view.curves[("train", "loss")].getData()[0]) == [5, 10, 15]
    assert tab.view.filters_image.image is not None
    assert (tab.view.progress.value(), tab.view.progress.maximum()) == (15, 40)


def test_the_form_is_remembered(tab, window, tmp_path):
    from bpviz.gui.training.training_tab import TrainingTab
    tab.form.batch.setValue(24)
    tab.form.lr.setText("0.003")
    tab.form.arch.setCurrentText("alexnet-paper")
    tab.form.schedule.setCurrentText("step")
    tab.form.save()
    again = TrainingTab()
    assert (again.form.batch.value(), again.form.lr.text(), again.form.arch.currentText(),
            again.form.schedule.currentText()) == (24, "0.003", "alexnet-paper", "step")
    assert again.form.out.text().startswith(str(tmp_path))      # a new folder beside the last
    assert again.form.out.text() != tab.form.out.text()
    from bpviz.gui.config.settings import settings
    store = settings()
    store.setValue("training/batch", "lots")               # damaged values: the defaults
    store.setValue("training/arch", "vgg")
    store.setValue("training/threads", 10_000)
    again = TrainingTab()
    from bpviz.gui.training.training_form import TrainingForm
    settings().clear()
    defaults = TrainingForm()
    assert again.form.batch.value() == defaults.batch.value()
    assert again.form.arch.currentText() == "alexnet"
    from bpviz.gui.training.train_worker import gui_threads
    assert again.form.threads.value() == gui_threads()


def test_the_worker_frees_the_model_in_its_own_thread(qtbot, tab):
    import threading
    import weakref
    assert tab.start()
    worker = tab.worker
    worker.pause()                               # asked before the run exists: kept
    assert worker.training is None
    qtbot.waitUntil(lambda: worker.training is not None, timeout=60_000)
    freed_in = []
    weakref.finalize(worker.training.model, lambda: freed_in.append(threading.get_ident()))
    qtbot.wait(200)
    assert not worker.training.resume_event.is_set() and worker.training.step == 0
    worker.resume()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "reached its max steps at step 10" in tab.status.text()
    assert freed_in and freed_in[0] != threading.get_ident()   # not in the GUI thread


def test_several_processes_through_torchrun_are_followed(qtbot, tab, tmp_path):
    """The multi-GPU path, run here with two CPU processes (gloo): the tab launches
    torchrun, follows metrics.jsonl, and Stop (an OUT/STOP file the ranks agree on) leaves
    a checkpoint and a clean exit."""
    tab.form.gpus.setMaximum(2)
    tab.form.gpus.setValue(2)
    tab.form.max_steps.setValue(0)
    tab.form.batch.setValue(4)
    assert tab.start() and tab.process is not None
    assert not tab.pause_button.isEnabled()
    qtbot.waitUntil(lambda: tab.view.record_count >= 2, timeout=240_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running(), timeout=120_000)
    assert "exit code 0" in tab.status.text(), tab.view.log.toPlainText()[-2000:]
    assert "stopped at step" in tab.status.text()
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    steps = tab.view.curves[("train", "loss")].getData()[0]
    assert state["step"] >= steps[-1] >= 10
    assert not (tmp_path / "run" / "STOP").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_failing_torchrun_run_shows_the_engines_message(qtbot, tab, tmp_path):
    tab.form.gpus.setMaximum(2)
    tab.form.gpus.setValue(2)
    tab.form.arch.setCurrentText("alexnet-paper")
    tab.form.device.addItem("cuda:0 (absent)", "cuda:0")      # as if a GPU had been listed
    tab.form.device.setCurrentIndex(tab.form.device.count() - 1)
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "torchrun failed" in tab.status.text()
    assert "no CUDA GPU" in tab.status.text(), tab.view.log.toPlainText()[-2000:]
    assert tab.start_button.isEnabled()


def test_the_image_count_comes_from_a_background_thread(qtbot, tab, tmp_path):
    """The form reports, before Start, what would stop a run: the engine's own checks."""
    from PIL import Image
    data = tmp_path / "data"
    for name in ("train/a/1.JPEG", "train/b/2.JPEG", "train/b/3.JPEG", "val/a/4.JPEG",
                 "val/b/5.JPEG"):
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(data / name, "JPEG")
    (data / "train" / "b" / "notes.txt").write_text("not an image")
    tab.form.data.setCurrentText(str(data))
    assert tab.form.data_info.text() == "counting images…"
    qtbot.waitUntil(lambda: "training images" in tab.form.data_info.text(), timeout=5000)
    assert tab.form.data_info.text() == "2 classes, 3 training images"
    empty = tmp_path / "empty"
    (empty / "train" / "a").mkdir(parents=True)
    (empty / "val" / "a").mkdir(parents=True)
    tab.form.data.setCurrentText(str(empty))
    qtbot.waitUntil(lambda: "no images" in tab.form.data_info.text(), timeout=5000)
    assert f"⚠ class folder '{empty / 'train' / 'a'}' has no images" in tab.form.data_info.text()
    tab.form._counted(str(data), "2 classes, 3 training images")     # a late answer: ignored
    assert "no images" in tab.form.data_info.text()
    for image in (data / "train").glob("*/*.JPEG"):
        image.write_bytes(b"\xff\xd8\xff damaged")
    tab.form.data.setCurrentText(str(data))
    qtbot.waitUntil(lambda: "can be read" in tab.form.data_info.text(), timeout=5000)
    assert f"⚠ none of the 3 images in '{data / 'train'}' can be read" in tab.form.data_info.text()
    (data / "val" / "b" / "5.JPEG").unlink()
    (data / "val" / "b").rmdir()
    (data / "val" / "c").mkdir()
    tab.form.data.setCurrentText(str(empty))
    tab.form.data.setCurrentText(str(data))
    qtbot.waitUntil(lambda: "different classes" in tab.form.data_info.text(), timeout=5000)
    assert "only in train/: b; only in val/: c" in tab.form.data_info.text()


def test_continue_a_run_fills_the_form_and_resumes(qtbot, tab, tmp_path):
    assert not tab.continue_run(tmp_path)                       # no checkpoint
    assert "no checkpoint.pt" in tab.status.text()
    tab.form.max_steps.setValue(5)
    tab.form.lr.setText("0.004")
    tab.start()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    tab.form.lr.setText("0.1")                                       # the form moves on
    tab.form.out.setText(str(tmp_path / "elsewhere"))
    assert tab.continue_run(tmp_path / "run")
    assert tab.form.lr.text() == "0.004" and tab.form.resume.isChecked()
    assert tab.form.out.text() == str(tmp_path / "run")
    assert "raise Max steps" in tab.status.text()
    assert tab.view.filters_image.image is not None       # read from checkpoint.pt
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "metrics.jsonl").write_text('{"split": "train", "step": 1}\n')
    (tmp_path / "broken" / "checkpoint.pt").write_bytes(b"not a checkpoint")
    assert tab.open_run(tmp_path / "broken")              # the curves still show
    assert "conv1 filters not shown" in tab.view.log.toPlainText()
    assert tab.view.filters_image.image is None
    tab.form.max_steps.setValue(10)
    tab.start()
    qtbot.waitUntil(lambda: not tab.running(), timeout=180_000)
    assert "at step 10" in tab.status.text()
    (tmp_path / "run" / "config.json").write_text("[")
    assert not tab.continue_run(tmp_path / "run")
    assert "config.json" in tab.status.text()


def test_a_resumed_history_replaces_the_steps_it_goes_over():
    from bpviz.gui.training.run_history import History
    h = History()
    for step in (5, 10, 15, 20):
        h.add({"split": "train", "step": step, "loss": 1.0})
    for step in (15, 20, 25):                    # resumed from a checkpoint at step 10
        h.add({"split": "train", "step": step, "loss": 2.0})
    steps, loss = h.series("train", "loss")
    assert list(steps) == [5, 10, 15, 20, 25] and list(loss) == [1, 1, 2, 2, 2]


def test_records_a_tab_cannot_show_are_skipped(tmp_path, tab):
    (tmp_path / "metrics.jsonl").write_text(
        '{"split": "train", "loss": 1}\n{"step": 3, "split": "test"}\n{"step": true, '
        '"split": "val"}\n{"step": 4, "split": "val"}\n')
    assert tab.open_run(tmp_path)                         # no KeyError reaches Qt
    assert tab.view.record_count == 1
    assert "epoch ? validation" in tab.view.log.toPlainText()


def test_messages_are_shown_as_text(tab):
    tab.say("data folder '<b>x</b> & y' does not exist", error=True)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in tab.status.text()
    assert "'<b>x</b> & y'" in tab.view.log.toPlainText()


def test_eta_counts_from_the_runs_own_first_record(tab):
    from bpviz.gui.training.run_view import eta_text
    assert [eta_text(s) for s in (12, 200, 18_420, 183_600)] == \
        ["12 s", "3 min 20 s", "5 h 07 min", "2 d 3 h"]
    tab.view.clear()
    tab.view.plan = {"max_steps": 2000, "epochs": 90}
    now = [500.0]
    tab.view.clock = lambda: now[0]
    tab.view.live = True
    tab.view.on_record({"split": "train", "step": 1000})      # resumed at 1000
    now[0] += 10.0
    tab.view.latest = {"split": "train", "step": 1100}       # 10 s later
    tab.view._draw_progress()
    # 100 steps in 10 s, 900 to go: about 90 s (a whole-run pace would say ~8 s)
    assert "step 1100/2000" in tab.view.progress.format()
    assert "ETA 1 min 30 s" in tab.view.progress.format()


def test_the_status_line_follows_the_run(tab):
    """Not "Starting…" while the progress bar moves; a pause or a stop is not overwritten."""
    tab.run_name = "alexnet on CPU"
    tab._on_record({"split": "train", "step": 40, "loss": 2.25})
    assert tab.status.text() == "Training alexnet on CPU: step 40, loss 2.25"
    assert tab.view.record_count == 1                          # drawn as well
    tab._on_record({"split": "val", "step": 40, "loss": 2.5})  # the log says validation
    assert "step 40, loss 2.25" in tab.status.text()
    tab.paused = True
    tab.say("Paused")
    tab._on_record({"split": "train", "step": 45, "loss": 2.0})   # one already on its way
    assert tab.status.text() == "Paused"
    tab.paused, tab.stopping = False, True
    tab._on_record({"split": "train", "step": 50})
    assert tab.status.text() == "Paused"


def painted(widget, color: str) -> int:
    """How many pixels of ``color`` a widget paints."""
    from PySide6.QtGui import QColor
    image = widget.grab().toImage()
    rgb = QColor(color).rgb()
    return sum(image.pixel(x, y) == rgb for x in range(image.width())
               for y in range(image.height()))


def test_a_single_record_is_visible_in_every_plot(tab):
    """A line needs two points: a lone one is drawn as a marker."""
    view = tab.view
    view.on_record({"split": "train", "step": 5, "loss": 2.3, "top1": 0.1, "top5": 0.5,
                    "lr": 0.01, "images_per_s": 100.0, "data_wait": 0.1})
    view.flush()
    for plot, color in (("loss", "#2f6fb0"), ("acc", "#2e8b57"), ("lr", "#7b4fb0"),
                        ("speed", "#2f6fb0"), ("wait", "#c2571a")):
        assert painted(view.plots[plot], color) > 0, plot
    view.on_record({"split": "train", "step": 10, "loss": 2.2})
    view.flush()
    assert view.curves[("train", "loss")].opts["symbol"] is None     # a line from two points
    assert view.curves[("val", "loss")].opts["symbol"] == "o"        # validation: always


def test_the_last_record_of_a_run_is_not_lost_to_the_throttle():
    """Records go to the window at most MAX_RATE times a second; however fast a run ends,
    its last one is sent."""
    from types import SimpleNamespace

    from bpviz.gui.training.train_worker import TrainWorker
    worker = TrainWorker(config=None)
    worker.clock = lambda: 100.0                              # every record in one instant
    worker.training = SimpleNamespace(snapshots=lambda: {
        "conv1": torch.zeros(2, 3, 3, 3), "batch": None})
    sent = []
    worker.record.connect(lambda r: sent.append((r["split"], r["step"])))
    for step in (5, 10, 15):
        worker._report({"split": "train", "step": step})
    worker._report({"split": "val", "step": 15})               # does not replace step 15
    assert sent == [("train", 5), ("val", 15)]
    worker._send_held()
    assert sent == [("train", 5), ("val", 15), ("train", 15)]
    worker._send_held()                                       # sent once
    assert len(sent) == 3
