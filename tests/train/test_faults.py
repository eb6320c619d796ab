"""Faults and bad input around a training run: a full disk while a checkpoint is written, a
kill mid-write, damaged checkpoints on --resume, a cut-off metrics line, unreadable and
oversized images, empty class folders, Ctrl+C before training begins. Each ends in one line
and exit code 2 (bpviz-train) or a message (the GUI), never a traceback."""
import errno
import json
import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
import torch

from bpviz.core.errors import DataError
from bpviz.train import cli, data
from bpviz.train.loop import TrainingRun
from bpviz.train.make_dataset import write_tree
from bpviz.train.run_folder import OutputError, RunFolder, temporary
from bpviz.train.train_config import ConfigError, TrainConfig

FLAGS = ["--image-size", "64", "--batch-size", "8", "--classes", "4", "--workers", "0",
         "--device", "cpu", "--log-every", "2", "--threads", "1"]
SMALL = dict(image_size=64, batch_size=8, classes=4, synthetic_train=64, synthetic_val=16,
             log_every=2, workers=0, device="cpu", threads=1)


def train_cli(monkeypatch, capsys, *args, handlers=None) -> tuple[int, list[str]]:
    """bpviz-train in this process (seconds, not a new torch import): exit code and the
    lines it wrote on stderr. Its signal handlers would replace pytest's: they are only
    noted in ``handlers``."""
    handlers = {} if handlers is None else handlers
    monkeypatch.setattr(cli, "signal", types.SimpleNamespace(
        signal=handlers.__setitem__, SIGINT=signal.SIGINT, SIGTERM=signal.SIGTERM))
    code = cli.main([*FLAGS, *args])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory) -> Path:
    """A run folder with a checkpoint at step 2 (4 classes)."""
    out = tmp_path_factory.mktemp("good") / "run"
    TrainingRun(TrainConfig(**SMALL, out=str(out), max_steps=2)).run()
    return out


def copy_run(good_run: Path, to: Path) -> Path:
    to.mkdir()
    for name in ("checkpoint.pt", "metrics.jsonl", "config.json"):
        (to / name).write_bytes((good_run / name).read_bytes())
    return to


# --- a full disk, a kill during a write ---------------------------------------------------

def fill_the_disk(monkeypatch):
    """torch.save as on a full disk: part of the file, then torch's own error (see NOTES)."""
    def save(obj, path):
        Path(path).write_bytes(b"PK\x03\x04" + bytes(4096))
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 576 "
                           "vs 534")
    monkeypatch.setattr(torch, "save", save)
    monkeypatch.setattr("bpviz.train.run_folder.shutil.disk_usage",
                        lambda _: types.SimpleNamespace(free=0))


def test_a_full_disk_keeps_the_last_checkpoint_and_is_one_line(monkeypatch, capsys,
                                                              good_run, tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    fill_the_disk(monkeypatch)
    code, lines = train_cli(monkeypatch, capsys, "--out", str(run), "--resume",
                            "--max-steps", "4")
    assert code == 2 and len(lines) == 1, lines
    assert lines[0] == (f"bpviz-train: cannot write '{run / 'checkpoint.pt'}': the disk is "
                        f"full; the previous checkpoint.pt is kept")
    assert not temporary(run / "checkpoint.pt").exists()
    assert RunFolder(run).read_checkpoint()["step"] == 2


def test_a_failed_first_checkpoint_says_none_was_written(monkeypatch, tmp_path):
    fill_the_disk(monkeypatch)
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=2))
    with pytest.raises(OutputError, match="the disk is full; no checkpoint.pt was written"):
        run.run()
    assert sorted(os.listdir(tmp_path)) == ["config.json", "metrics.jsonl"]


def test_a_config_that_cannot_be_written_leaves_the_old_one(monkeypatch, good_run, tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    before = (run / "config.json").read_text()

    def full_disk(path, text, **_):
        path.write_bytes(text[:10].encode())
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OutputError, match="config.json': No space left on device; the "
                                          "previous config.json is kept"):
        TrainingRun(TrainConfig(**SMALL, out=str(run), max_steps=8, resume=True))
    assert (run / "config.json").read_text() == before
    assert not temporary(run / "config.json").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_under_metrics_is_one_error(tmp_path):
    (tmp_path / "metrics.jsonl").symlink_to("/dev/full")
    with pytest.raises(OutputError, match="metrics.jsonl': No space left on device"):
        RunFolder(tmp_path).append_record({"step": 1})


def test_a_temporary_file_left_by_a_kill_is_removed_at_the_next_start(good_run, tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    temporary(run / "checkpoint.pt").write_bytes(b"PK\x03\x04" + bytes(10_000))
    resumed = TrainingRun(TrainConfig(**SMALL, out=str(run), max_steps=4, resume=True))
    assert not temporary(run / "checkpoint.pt").exists() and resumed.step == 2


def test_a_run_killed_before_its_first_checkpoint_is_not_a_dead_end(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"step": 2, "split": "train"}\n')
    with pytest.raises(ConfigError, match="a run that wrote no checkpoint .metrics.jsonl.: "
                                          "choose another output folder, or delete"):
        TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=4))


# --- damaged checkpoints: one reader for --resume and the Training tab ---------------------

def damage(path: Path, how: str) -> None:
    good = path.read_bytes()
    if how == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "random bytes":
        path.write_bytes(os.urandom(20_000))
    elif how == "refused pickle":                  # a class weights_only will not build
        torch.save({"model": types.SimpleNamespace(x=1)}, path)
    elif how == "not a checkpoint":
        torch.save({"weights": torch.zeros(3)}, path)


BAD_CHECKPOINTS = [
    ("truncated", "is not a PyTorch checkpoint, or is damaged"),
    ("empty", "is empty (0 bytes)"),
    ("random bytes", "is not a PyTorch checkpoint, or is damaged"),
    ("refused pickle", "holds Python objects besides tensors and numbers"),
    ("not a checkpoint", "is not a bpviz-train checkpoint: it has no model, optimizer"),
]


@pytest.mark.parametrize("how,message", BAD_CHECKPOINTS)
def test_resume_from_a_bad_checkpoint_is_one_line(monkeypatch, capsys, good_run, tmp_path,
                                                 how, message):
    run = copy_run(good_run, tmp_path / "run")
    damage(run / "checkpoint.pt", how)
    code, lines = train_cli(monkeypatch, capsys, "--out", str(run), "--resume",
                            "--max-steps", "4")
    assert code == 2 and len(lines) == 1, lines
    assert f"'{run / 'checkpoint.pt'}' {message}" in lines[0]
    with pytest.raises(OutputError) as seen:        # what the Training tab shows
        RunFolder(run).glance()
    assert message in str(seen.value)


def test_resume_with_another_class_count_is_one_line(monkeypatch, capsys, good_run,
                                                     tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    code, lines = train_cli(monkeypatch, capsys, "--out", str(run), "--resume",
                            "--max-steps", "4", "--classes", "5")
    assert code == 2 and len(lines) == 1, lines
    assert "is for 4 classes, but this data has 5" in lines[0]


def test_a_checkpoint_that_does_not_fit_the_model_is_named(good_run, tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    state["model"].pop(next(iter(state["model"])))
    torch.save(state, run / "checkpoint.pt")
    with pytest.raises(OutputError, match="checkpoint.pt' does not fit this run"):
        TrainingRun(TrainConfig(**SMALL, out=str(run), max_steps=4, resume=True))


# --- metrics.jsonl -------------------------------------------------------------------------

def test_a_line_cut_off_by_a_kill_does_not_swallow_the_next_record(good_run, tmp_path):
    run = copy_run(good_run, tmp_path / "run")
    with open(run / "metrics.jsonl", "a") as f:
        f.write('{"step": 3, "split": "tr')                 # killed mid-write
    resumed = TrainingRun(TrainConfig(**SMALL, out=str(run), max_steps=4, resume=True))
    resumed.run()
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert lines[-2] == '{"step": 3, "split": "tr'
    assert json.loads(lines[-1])["step"] == 4


# --- images --------------------------------------------------------------------------------

def oversized_jpeg(path: Path) -> None:
    """A small JPEG whose header says 20000 x 20000 (400 Mpx: PIL's decompression-bomb
    limit is ~179 Mpx), as a real one would, in a few hundred bytes."""
    from PIL import Image
    Image.new("RGB", (8, 8)).save(path, "JPEG")
    raw = bytearray(path.read_bytes())
    sof = raw.index(b"\xff\xc0")                     # baseline frame: length, depth, h, w
    raw[sof + 5: sof + 9] = (20000).to_bytes(2, "big") * 2
    path.write_bytes(bytes(raw))


def test_an_oversized_image_is_skipped_and_counted(tmp_path):
    root = write_tree(tmp_path / "d", classes=2, train_per_class=2, val_per_class=1, size=40)
    oversized_jpeg(next((root / "train").iterdir()) / "huge.JPEG")
    train, _, _ = data.build_datasets(str(root), 64)
    items = [train[i] for i in range(len(train))]
    assert len(items) == 5 and sum(item is None for item in items) == 1


def garble(folder: Path) -> int:
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        path.write_bytes(b"\xff\xd8\xff not a JPEG")
    return len(files)


def test_a_folder_of_unreadable_images_is_refused_before_training(monkeypatch, capsys,
                                                                  tmp_path):
    root = write_tree(tmp_path / "d", classes=2, train_per_class=3, val_per_class=1, size=40)
    garble(root / "train")
    code, lines = train_cli(monkeypatch, capsys, "--data", str(root), "--out",
                            str(tmp_path / "run"))
    assert code == 2 and len(lines) == 1, lines
    assert f"none of the 6 images in '{root / 'train'}' can be read" in lines[0]


def test_images_that_become_unreadable_during_a_run_end_it_with_an_error(tmp_path):
    root = write_tree(tmp_path / "d", classes=2, train_per_class=3, val_per_class=1, size=40)
    run = TrainingRun(TrainConfig(**dict(SMALL, data=str(root), out=str(tmp_path / "run"),
                                         epochs=2)))
    garble(root / "train")                           # e.g. a network share gone bad
    with pytest.raises(DataError, match="none of the 6 images read from .* could be decoded"):
        run.run()
    assert run.step == 0


def test_a_validation_set_that_cannot_be_read_is_not_a_loss_of_zero(tmp_path):
    root = write_tree(tmp_path / "d", classes=2, train_per_class=3, val_per_class=1, size=40)
    run = TrainingRun(TrainConfig(**dict(SMALL, data=str(root), out=str(tmp_path / "run"),
                                         epochs=1)))
    garble(root / "val")
    with pytest.raises(DataError, match=f"read from '{root / 'val'}' could be decoded"):
        run.run()


def test_an_empty_class_folder_is_named(tmp_path):
    root = write_tree(tmp_path / "d", classes=2, train_per_class=1, val_per_class=1, size=40)
    (root / "train" / "zebra").mkdir()
    (root / "val" / "zebra").mkdir()
    (root / "val" / "zebra" / "1.JPEG").write_bytes((next(root.glob("val/*/*.JPEG")))
                                                    .read_bytes())
    with pytest.raises(DataError, match=f"class folder '{root / 'train' / 'zebra'}' has no "
                                        f"images: every class needs at least one"):
        data.build_datasets(str(root), 64)


# --- Ctrl+C --------------------------------------------------------------------------------

def test_ctrl_c_is_handled_before_torch_loads(monkeypatch, capsys, tmp_path):
    handlers, seen = {}, []
    parse_args = cli.parse_args

    def parse(argv):                              # the first thing, before torch is imported
        seen.append(dict(handlers))
        return parse_args(argv)
    monkeypatch.setattr(cli, "parse_args", parse)
    code, _ = train_cli(monkeypatch, capsys, "--out", str(tmp_path / "run"), "--max-steps",
                        "2", handlers=handlers)
    assert code == 0
    assert seen == [{signal.SIGINT: cli.quit_before_training,
                     signal.SIGTERM: cli.quit_before_training}]
    assert handlers[signal.SIGINT] is not cli.quit_before_training   # then: stop, checkpoint


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_ctrl_c_while_torch_loads_leaves_no_traceback(tmp_path):
    """The old window: SIGINT in the first seconds (torch loading, the run being built)
    gave a KeyboardInterrupt traceback. Sent once libtorch is mapped: well inside it."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "bpviz.train", *FLAGS, "--out", "run"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.time() + 60
    while time.time() < deadline and "libtorch" not in maps.read_text():
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (130, "bpviz-train: interrupted before training began\n")
