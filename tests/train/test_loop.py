"""The training loop on the CPU with tiny settings: resume equals an uninterrupted run,
SIGINT leaves a checkpoint, torchrun with two gloo ranks, CLI errors."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from bpviz.train.loop import TrainingRun
from bpviz.train.run_folder import STOP, RunFolder
from bpviz.train.train_config import ConfigError, TrainConfig
from tests.stderr_lines import own_lines

SMALL = dict(image_size=64, batch_size=8, classes=4, synthetic_train=64, synthetic_val=16,
             log_every=5, workers=0, device="cpu", epochs=5)


def weights(run):
    return {k: v.clone() for k, v in run.unwrapped().state_dict().items()}


def test_twenty_steps_equal_ten_then_resume_then_ten(tmp_path):
    a = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path / "a"), max_steps=20))
    assert a.run() == "max_steps" and a.step == 20
    b = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path / "b"), max_steps=10))
    assert b.run() == "max_steps"
    c = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path / "b"), max_steps=20, resume=True))
    assert (c.step, c.epoch, c.batch_in_epoch) == (10, 1, 2)
    assert c.run() == "max_steps"
    wa, wc = weights(a), weights(c)
    for k in wa:
        assert torch.equal(wa[k], wc[k]), k
    records = [json.loads(l) for l in (tmp_path / "b" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r["split"] == "train"] == [5, 10, 15, 20]
    assert {"loss", "top1", "top5", "lr", "images_per_s", "epoch", "split"} <= set(records[0])
    assert any(r["split"] == "val" for r in records)


def test_checkpoints_load_with_weights_only_and_hold_everything(tmp_path):
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=3))
    run.run()
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert {"model", "optimizer", "scheduler", "scaler", "rng_torch", "epoch", "step",
            "batch_in_epoch"} <= set(state)
    assert state["step"] == 3
    assert not list(tmp_path.glob(".*tmp"))                    # atomic: no temp left


def test_stop_and_pause_requests_from_another_thread(tmp_path):
    import threading
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path)))
    seen = []

    def callback(record):
        if record["split"] == "train":
            seen.append(record["step"])
        if record["step"] == 5:
            run.resume_event.clear()                    # as the Training tab's Pause does
            threading.Timer(0.3, run.resume_event.set).start()
        if record["step"] == 10:
            run.request_stop()

    start = time.perf_counter()
    assert run.run(callback) == "stopped"
    assert run.step == 10 and seen[:2] == [5, 10] and time.perf_counter() - start > 0.3
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["step"] == 10


def test_a_stop_file_in_the_output_folder_stops_the_run(tmp_path):
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path)))

    def callback(record):
        if record["step"] == 5:
            (tmp_path / STOP).touch()

    assert run.run(callback) == "stopped" and run.step == 5
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["step"] == 5
    assert not (tmp_path / STOP).exists()           # consumed: a resume runs on


def test_a_stop_file_older_than_the_run_is_ignored(tmp_path):
    (tmp_path / STOP).touch()
    old = time.time() - 3600
    os.utime(tmp_path / STOP, (old, old))            # left by a run that crashed
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=3))
    assert run.run() == "max_steps" and run.step == 3


def test_snapshots_for_the_gui(tmp_path):
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=5, arch="alexnet-paper"))
    records = []
    run.run(records.append)
    snap = run.snapshots()
    assert snap["conv1"].shape == (96, 3, 11, 11)
    assert snap["batch"].shape == (8, 3, 64, 64) and 0 <= snap["batch"].min() <= snap["batch"].max() <= 1
    assert list(records[0]["grad_norms"]) == ["conv1", "conv2", "conv3", "conv4", "conv5",
                                              "fc6", "fc7", "fc8"]
    assert all(v > 0 for v in records[0]["grad_norms"].values())


class FakeClock:
    """Time that moves only when the test moves it: rates checked exactly, at any speed."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def timed_run(run, step_s: float = 1.0, evaluation_s: float = 0.0) -> FakeClock:
    """Every training step of ``run`` takes ``step_s`` seconds, an evaluation
    ``evaluation_s``, on the clock returned."""
    clock = run.clock = FakeClock()
    train_step, evaluate = run.train_step, run.evaluate

    def step(*args, **kwargs):
        clock.now += step_s
        return train_step(*args, **kwargs)

    def evaluation():
        clock.now += evaluation_s
        return evaluate()

    run.train_step, run.evaluate = step, evaluation
    return clock


def train_rates(records) -> dict:
    return {r["step"]: r["images_per_s"] for r in records if r["split"] == "train"}


def test_the_training_rate_leaves_out_the_evaluation_time(tmp_path):
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=15))  # epoch: 8 steps
    timed_run(run, step_s=1.0, evaluation_s=1000.0)
    records = []
    run.run(records.append)
    # 8 images a second; step 10's interval spans the end of epoch 0: counted from the
    # evaluation's end it holds steps 9 and 10 (16 images in 2 s); with the evaluation
    # counted it would be ~0.04 images/s
    assert train_rates(records) == {5: 8.0, 10: 8.0, 15: 8.0}
    assert all(r["steps_per_epoch"] == 8 for r in records if r["split"] == "train")


def test_an_existing_run_is_not_overwritten_and_resume_checks_its_settings(tmp_path):
    first = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=4, lr=0.005))
    first.run()
    with pytest.raises(ConfigError, match="already holds a run .checkpoint.pt.: resume it"):
        TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=8))
    with pytest.raises(ConfigError, match="max steps 3 is not beyond the checkpoint's step 4"):
        TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=3, resume=True))
    again = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=8, lr=0.002,
                                    resume=True))
    assert again.optimizer.param_groups[0]["lr"] == 0.002     # asked anew: applied
    same = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path / ".." / tmp_path.name),
                                   max_steps=8, lr=0.002, resume=True))
    assert same.optimizer.param_groups[0]["lr"] == 0.002


def test_a_diverging_run_stops_and_keeps_its_last_good_checkpoint(tmp_path):
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=3))
    run.run()
    good = torch.load(tmp_path / "checkpoint.pt", weights_only=True)["model"]
    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=40, lr=1e6,
                                  resume=True))
    assert run.run() == "diverged" and run.step == 5
    kept = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert kept["step"] == 3 and all(torch.equal(good[k], kept["model"][k]) for k in good)
    assert "lower learning rate" in RunFolder(tmp_path).outcome_text("diverged", 5)


def test_paused_time_is_not_training_time(tmp_path):
    import threading

    class LongPause(threading.Event):
        """A pause that lasts 1000 s on the run's clock (and none on the wall's)."""

        def wait(self, timeout=None):
            clock.now += 1000.0
            self.set()
            return True

    run = TrainingRun(TrainConfig(**SMALL, out=str(tmp_path), max_steps=10),
                      resume_event=LongPause())
    run.resume_event.set()
    clock = timed_run(run, step_s=1.0)
    records = []

    def callback(record):
        records.append(record)
        if record["step"] == 5:
            run.resume_event.clear()

    run.run(callback)
    assert clock.now > 1000                     # it did pause
    assert train_rates(records) == {5: 8.0, 10: 8.0}    # 40 / 1005 with the pause counted


def test_config_errors():
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        TrainingRun(TrainConfig(**dict(SMALL, device="cuda")))
    with pytest.raises(ConfigError, match="unknown architecture"):
        TrainingRun(TrainConfig(**dict(SMALL, arch="vgg")))


def cli(args, tmp_path, **kw):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "bpviz.train", *args], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300, **kw)


@pytest.mark.parametrize("args,message", [
    (["--data", "missing-folder"], "data folder 'missing-folder' does not exist"),
    (["--device", "cuda"], "no CUDA GPU is available"),
    (["--batch-size", "0"], "must be a positive number (and not huge), got 0"),
    (["--lr", "nan"], "must be a positive number (and not huge), got nan"),
    (["--lr", "abc"], "invalid float value: 'abc'"),
    (["--out", "/proc/bpviz"], "cannot write to the output folder '/proc/bpviz'"),
    (["--arch", "vgg"], "invalid choice"),
    (["--image-size", "32"], "too small"),
    (["--resume", "--out", "empty"], "no checkpoint.pt"),
])
def test_cli_errors_are_one_line_and_exit_2(tmp_path, args, message):
    result = cli(args + ["--image-size", "64", "--workers", "0"][0 if "--image-size" not in args else 2:], tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(own_lines(result.stderr)) == 1


def test_sigint_stops_with_a_checkpoint(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "bpviz.train", "--image-size", "64",
                             "--batch-size", "8", "--classes", "4", "--workers", "0",
                             "--device", "cpu", "--log-every", "2", "--out", "run"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    metrics = tmp_path / "run" / "metrics.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and not (metrics.exists() and metrics.read_text().strip()):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "stopped" in err
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert state["step"] >= 2


def test_torchrun_two_gloo_ranks_write_one_metrics_file(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
         "--standalone", "-m", "bpviz.train",
         "--image-size", "64", "--batch-size", "4", "--classes", "4", "--workers", "0",
         "--device", "cpu", "--log-every", "2", "--max-steps", "6", "--out", "ddp"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(l) for l in (tmp_path / "ddp" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 4, 6]          # one writer: rank 0
    assert torch.load(tmp_path / "ddp" / "checkpoint.pt", weights_only=True)["step"] == 6


def test_torchrun_ranks_stop_together_on_a_stop_file(tmp_path):
    """Both ranks see the stop at the same logged step (they agree through an all-reduce),
    so neither waits forever in a collective, and torchrun exits cleanly."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
         "--standalone", "-m", "bpviz.train", "--image-size", "64", "--batch-size", "4",
         "--classes", "4", "--workers", "0", "--device", "cpu", "--threads", "1",
         "--log-every", "2", "--out", "ddp"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    metrics = tmp_path / "ddp" / "metrics.jsonl"
    try:
        deadline = time.time() + 240
        while time.time() < deadline and not (metrics.exists() and metrics.read_text().strip()):
            time.sleep(0.2)
        assert metrics.exists(), "no record within 4 minutes"
        (tmp_path / "ddp" / STOP).touch()
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[:6000]
    assert "stopped at step" in err and "Traceback" not in err
    step = torch.load(tmp_path / "ddp" / "checkpoint.pt", weights_only=True)["step"]
    assert step >= 2 and step % 2 == 0
    assert not (tmp_path / "ddp" / STOP).exists()


def test_argv_from_gives_the_config_back():
    """The Training tab launches torchrun with these flags: every setting the command line
    has must survive the trip."""
    from bpviz.train.cli import argv_from, config_from, parse_args
    cfg = TrainConfig(data="/data/a b", arch="alexnet-paper", max_steps=7, batch_size=32,
                      lr=0.02, schedule="step", image_size=96, workers=3, device="cpu",
                      threads=3, precision="bf16", compile=True, out="/tmp/x", resume=True,
                      log_every=5, checkpoint_every=100, ten_crop=True)
    argv = argv_from(cfg)
    assert "--schedule=step" in argv and "--threads=3" in argv and "--resume" in argv
    dashed = TrainConfig(data="-odd folder", out="--also odd")    # values that look like flags
    assert config_from(parse_args(argv_from(dashed))) == dashed
    assert config_from(parse_args(argv)) == cfg
    assert "--max-steps" not in argv_from(TrainConfig())       # None: left out


@pytest.mark.parametrize("args,message", [
    (["--momentum", "-1"], "--momentum: must be a number >= 0"),
    (["--weight-decay", "nan"], "--weight-decay: must be a number >= 0"),
    (["--workers", "-1"], "--workers: must be a number >= 0"),
    (["--checkpoint-every", "-5"], "--checkpoint-every: must be a number >= 0"),
    (["--epochs", "1" + "0" * 400], "--epochs: must be a positive number (and not huge)"),
    (["--lr", "inf"], "--lr: must be a positive number"),
])
def test_bad_numbers_are_refused_by_the_parser(capsys, args, message):
    from bpviz.train.cli import build_parser
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and len(own_lines(err)) == 1
