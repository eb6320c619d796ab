"""One training loop for every caller: the bpviz-train CLI, the GUI's worker thread and
torchrun ranks (DistributedDataParallel).

The paper's recipe by default (SGD, momentum 0.9, weight decay 5e-4, lr 0.01 divided by 10
when the validation loss plateaus, batch 128). Mixed precision on GPUs (bf16 where
supported, else fp16 with a grad scaler), optional channels_last and torch.compile, cudnn
autotuning; running sums stay on the device and are read only every ``log_every`` steps, so
there is no host sync per step. Checkpoints are atomic and resume at the next step.
"""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from .data import DataError, all_unreadable, build_datasets, collate_skipping, denormalize
from .models import ARCHS, build_model, weight_layers
from .outputs import (CHECKPOINT, CONFIG, METRICS, OutputError, append_record,
                      checkpoint_glance, read_checkpoint, remove_temporaries,
                      write_checkpoint, write_config)


STOP_FILE = "STOP"    # in the output folder: the run stops at its next logged step


def outcome_text(outcome: str, step: int, out) -> str:
    """How a run ended, in words, for the CLI's last line and the Training tab."""
    checkpoint = Path(out) / CHECKPOINT
    if outcome == "diverged":
        return (f"diverged at step {step}: the loss is not a number (try a lower learning "
                f"rate); the last good checkpoint is kept in {checkpoint}")
    ended = {"done": "finished all its epochs", "max_steps": "reached its max steps",
             "stopped": "stopped"}.get(outcome, outcome)
    return f"{ended} at step {step}; checkpoint in {checkpoint}"


class ConfigError(ValueError):
    """A setting that cannot work here (no CUDA, unknown architecture...)."""


# what a caller tells its user in one line (no traceback): the message says it all
USER_ERRORS = (ConfigError, DataError, OutputError)


@dataclass
class TrainConfig:
    data: str = "synthetic"
    arch: str = "alexnet"
    epochs: int = 90
    max_steps: int | None = None
    batch_size: int = 128
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "plateau"            # plateau (the paper) | step (every step_epochs)
    step_epochs: int = 30
    image_size: int = 224
    classes: int = 10                    # synthetic data only
    synthetic_train: int = 2560
    synthetic_val: int = 512
    workers: int = 0
    device: str = "auto"
    precision: str = "auto"              # auto | fp32 | bf16 | fp16
    channels_last: bool = False
    compile: bool = False
    out: str = "runs/alexnet"
    resume: bool = False
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 0            # steps; 0: at epoch ends and when stopped only
    ten_crop: bool = False
    threads: int | None = None           # torch CPU threads (the GUI leaves itself a core)


class ResumableSampler(DistributedSampler):
    """DistributedSampler (set_epoch, one shard per rank) that can start part-way through
    an epoch, so that a resumed run sees exactly the batches it had not seen."""

    def __init__(self, dataset, num_replicas=1, rank=0, shuffle=True, seed=0):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=shuffle,
                         seed=seed)
        self.start = 0

    def __iter__(self):
        return iter(list(super().__iter__())[self.start:])

    def __len__(self):
        return self.num_samples - self.start


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"--device {name} asked for CUDA, but no CUDA GPU is available "
                              f"here (use --device cpu)")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"--device {name}: there are only {torch.cuda.device_count()} "
                              f"CUDA devices")
        return torch.device(name)
    if name == "cpu":
        return torch.device("cpu")
    raise ConfigError(f"unknown device '{name}' (auto, cpu, cuda or cuda:N)")


def pick_precision(name: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for fp32."""
    if name == "fp32" or (name == "auto" and device.type != "cuda"):
        return None
    if device.type != "cuda":
        raise ConfigError(f"--precision {name} needs a CUDA device")
    if name == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return {"bf16": torch.bfloat16, "fp16": torch.float16}[name]


@dataclass
class Sums:
    """Running sums kept on the device (no host sync until they are read)."""

    device: torch.device
    loss: torch.Tensor = None
    top1: torch.Tensor = None
    top5: torch.Tensor = None
    count: torch.Tensor = None
    skipped: int = 0

    def __post_init__(self):
        self.reset()

    def reset(self) -> None:
        z = lambda: torch.zeros((), dtype=torch.float64, device=self.device)  # noqa: E731
        self.loss, self.top1, self.top5, self.count = z(), z(), z(), z()
        self.skipped = 0

    def add(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        n = labels.shape[0]
        k = min(5, logits.shape[1])
        top = logits.detach().topk(k, dim=1).indices
        hit = top == labels[:, None]
        self.loss += loss.detach().double() * n
        self.top1 += hit[:, 0].sum()
        self.top5 += hit.any(dim=1).sum()
        self.count += n

    def read(self, world: int = 1) -> dict:
        """Mean loss, top-1 and top-5 (summed over ranks when distributed)."""
        packed = torch.stack([self.loss, self.top1, self.top5, self.count])
        if world > 1:
            torch.distributed.all_reduce(packed)
        loss, top1, top5, count = packed.tolist()
        count = max(count, 1.0)
        return {"loss": loss / count, "top1": top1 / count, "top5": top5 / count}


class TrainingRun:
    """Holds a model, its optimizer and data; ``run`` trains until the step or epoch limit,
    a stop request, or a signal. ``callback(metrics)`` gets every logged record."""

    def __init__(self, cfg: TrainConfig, dist: Dist | None = None,
                 stop_event: threading.Event | None = None,
                 resume_event: threading.Event | None = None):
        """``stop_event`` / ``resume_event``: the caller's own (the GUI's worker keeps them,
        so a pause or stop asked while this is being built is not lost)."""
        if cfg.arch not in ARCHS:
            raise ConfigError(f"unknown architecture '{cfg.arch}' (choose from "
                              f"{', '.join(ARCHS)})")
        self.cfg, self.dist = cfg, dist or Dist()
        self.out = Path(cfg.out).expanduser()
        if not cfg.resume and (self.out / CHECKPOINT).exists():
            raise ConfigError(f"'{self.out}' already holds a run ({CHECKPOINT}): resume it, "
                              f"or choose another output folder")
        if not cfg.resume and (self.out / METRICS).exists():
            # killed before its first checkpoint: there is nothing to resume
            raise ConfigError(f"'{self.out}' holds the records of a run that wrote no "
                              f"checkpoint ({METRICS}): choose another output folder, or "
                              f"delete that file to start afresh there")
        if self.dist.main:
            remove_temporaries(self.out)
        if cfg.threads and cfg.threads != torch.get_num_threads():
            torch.set_num_threads(cfg.threads)
        self.device = pick_device(cfg.device)
        if self.dist.world > 1 and self.device.type == "cuda":
            self.device = torch.device("cuda", self.dist.local_rank)
        self.amp_dtype = pick_precision(cfg.precision, self.device)
        torch.manual_seed(cfg.seed)
        random.seed(cfg.seed)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        self.train_set, self.val_set, self.classes = build_datasets(
            cfg.data, cfg.image_size, cfg.classes, cfg.synthetic_train, cfg.synthetic_val,
            cfg.seed, cfg.ten_crop)
        model = build_model(cfg.arch, len(self.classes)).to(self.device)
        if cfg.channels_last:
            model = model.to(memory_format=torch.channels_last)
        self.model = model
        self.layers = weight_layers(model)
        if self.dist.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
        self.step_fn = torch.compile(self.model) if cfg.compile else self.model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                                         weight_decay=cfg.weight_decay)
        if cfg.schedule == "step":
            self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, cfg.step_epochs, 0.1)
        else:
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(self.optimizer,
                                                                        factor=0.1, patience=2)
        self.scaler = torch.amp.GradScaler(self.device.type,
                                           enabled=self.amp_dtype == torch.float16)
        self.sampler = ResumableSampler(self.train_set, self.dist.world, self.dist.rank,
                                        shuffle=True, seed=cfg.seed)
        self.epoch, self.step, self.batch_in_epoch = 0, 0, 0
        self.stop_event = stop_event or threading.Event()
        if resume_event is None:
            resume_event = threading.Event()
            resume_event.set()
        self.resume_event = resume_event
        self.started_at = time.time() - 1.0          # file times may be coarse
        self.clock = time.perf_counter               # the tests' own, to time without waiting
        self.skipped_total = 0
        self.last_batch = None
        if cfg.resume:
            self.load_checkpoint()
        if self.dist.main:
            try:
                self.out.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ConfigError(f"cannot write to the output folder '{self.out}': "
                                  f"{err.strerror or err}") from None
            write_config(asdict(cfg), self.out / CONFIG)

    # --- requests from another thread (the GUI) or a signal handler ------------------------
    def request_stop(self) -> None:
        self.stop_event.set()
        self.resume_event.set()

    def stop_requested(self) -> bool:
        """A stop asked by ``request_stop`` (the GUI, a signal) or by an OUT/STOP file made
        since this run started (the Training tab stopping torchrun; ``touch OUT/STOP`` on a
        cluster; an older one is left over and ignored). Distributed, every rank must call
        this at the same points (after each logged step): they decide together, so none is
        left waiting in a collective."""
        local = self.stop_event.is_set() or self._stop_file_is_new()
        if self.dist.world == 1:
            return local
        flag = torch.tensor([float(local)], device=self.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        return flag.item() > 0

    def _stop_file_is_new(self) -> bool:
        try:
            return (self.out / STOP_FILE).stat().st_mtime >= self.started_at
        except OSError:
            return False

    def _stopped(self) -> str:
        self.save_checkpoint()
        if self.dist.main:
            (self.out / STOP_FILE).unlink(missing_ok=True)
        return "stopped"

    def request_pause(self) -> None:
        self.resume_event.clear()

    def request_resume(self) -> None:
        self.resume_event.set()

    # --- data -------------------------------------------------------------------------------
    def loader(self, dataset, sampler=None, shuffle=False) -> DataLoader:
        ctx = "forkserver" if self.cfg.workers > 0 else None   # safe inside the GUI process
        # its own generator: making an iterator must not draw from the global RNG, or a
        # resumed run would get other dropout masks than an uninterrupted one
        generator = torch.Generator().manual_seed(self.cfg.seed + self.epoch)
        return DataLoader(dataset, batch_size=self.cfg.batch_size, sampler=sampler,
                          shuffle=shuffle if sampler is None else False,
                          num_workers=self.cfg.workers, multiprocessing_context=ctx,
                          collate_fn=collate_skipping, pin_memory=self.device.type == "cuda",
                          generator=generator, drop_last=False)

    def steps_per_epoch(self) -> int:
        return math.ceil(self.sampler.num_samples / self.cfg.batch_size)

    # --- checkpoints ------------------------------------------------------------------------
    def unwrapped(self) -> torch.nn.Module:
        return self.model.module if hasattr(self.model, "module") else self.model

    def checkpoint_state(self) -> dict:
        return {"model": self.unwrapped().state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(), "scaler": self.scaler.state_dict(),
                "rng_torch": torch.get_rng_state(),
                "rng_cuda": (torch.cuda.get_rng_state_all() if torch.cuda.is_available()
                             else []),
                "rng_python": list(random.getstate()[1]),
                "epoch": self.epoch, "step": self.step, "batch_in_epoch": self.batch_in_epoch,
                "classes": list(self.classes), "arch": self.cfg.arch,
                "lr_asked": self.cfg.lr}

    def save_checkpoint(self) -> Path | None:
        """OutputError when it cannot be written (a full disk): the last one is kept."""
        if not self.dist.main:
            return None
        path = self.out / CHECKPOINT
        write_checkpoint(self.checkpoint_state(), path)
        return path

    def load_checkpoint(self) -> None:
        """ConfigError or OutputError, naming the file and what is wrong, for a checkpoint
        that is missing, damaged, foreign, or of another network or class count."""
        path = self.out / CHECKPOINT
        if not path.is_file():
            raise ConfigError(f"--resume: no {CHECKPOINT} in '{self.out}'")
        state = read_checkpoint(path, map_location=self.device)
        if state["arch"] != self.cfg.arch:
            raise ConfigError(f"--resume: '{path}' is of {state['arch']}, not "
                              f"{self.cfg.arch}")
        classes = state.get("classes")
        if isinstance(classes, list) and len(classes) != len(self.classes):
            raise ConfigError(f"--resume: '{path}' is for {len(classes)} classes, but this "
                              f"data has {len(self.classes)}")
        try:
            self._restore(state)
        except (KeyError, RuntimeError, TypeError, ValueError, IndexError) as err:
            lines = str(err).strip().splitlines()
            raise OutputError(f"--resume: '{path}' does not fit this run ("
                              f"{lines[0][:160] if lines else type(err).__name__})") from None
        if self.cfg.max_steps and self.cfg.max_steps <= self.step:
            raise ConfigError(f"max steps {self.cfg.max_steps} is not beyond the checkpoint's "
                              f"step {self.step}: raise it to train further")
        if state.get("lr_asked", self.cfg.lr) != self.cfg.lr:
            # a learning rate asked for anew wins over the one the optimizer saved (which
            # the schedule may since have lowered: kept when the same lr is asked again)
            for group in self.optimizer.param_groups:
                group["lr"] = self.cfg.lr

    def _restore(self, state: dict) -> None:
        self.unwrapped().load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        torch.set_rng_state(state["rng_torch"].cpu())
        if state["rng_cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in state["rng_cuda"]])
        random.setstate((3, tuple(state["rng_python"]), None))
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.batch_in_epoch = int(state["batch_in_epoch"])

    # --- metrics ----------------------------------------------------------------------------
    def write_metrics(self, record: dict) -> None:
        if self.dist.main:
            append_record(self.out / METRICS, record)

    def grad_norms(self) -> dict:
        """|∂L/∂W| per layer in network order: conv1 … fc8."""
        return {name: float(m.weight.grad.norm()) for name, m in self.layers
                if m.weight.grad is not None}

    def snapshots(self) -> dict:
        """What the GUI shows: conv1's filters and the current augmented batch."""
        # a copy: on a CPU fp32 run .float().cpu() would hand out the live weight
        conv1 = self.layers[0][1].weight.detach().float().cpu().clone()
        batch = None
        if self.last_batch is not None:
            batch = denormalize(self.last_batch[:16].detach().float()).cpu()
        return {"conv1": conv1, "batch": batch}

    # --- the loop ---------------------------------------------------------------------------
    def train_step(self, x: torch.Tensor, y: torch.Tensor, sums: Sums, want_norms: bool):
        x = x.to(self.device, non_blocking=True)
        y = y.to(self.device, non_blocking=True)
        if self.cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        self.model.train()
        with torch.autocast(self.device.type, dtype=self.amp_dtype or torch.float32,
                            enabled=self.amp_dtype is not None):
            logits = self.step_fn(x)
            loss = F.cross_entropy(logits, y)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        norms = None
        if want_norms:
            self.scaler.unscale_(self.optimizer)
            norms = self.grad_norms()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        sums.add(loss, logits.float(), y)
        self.last_batch = x
        return norms

    def evaluate(self) -> dict:
        sampler = (DistributedSampler(self.val_set, self.dist.world, self.dist.rank,
                                      shuffle=False) if self.dist.world > 1 else None)
        sums = Sums(self.device)
        self.model.eval()
        read = 0
        with torch.no_grad(), torch.autocast(self.device.type,
                                             dtype=self.amp_dtype or torch.float32,
                                             enabled=self.amp_dtype is not None):
            for x, y, skipped in self.loader(self.val_set, sampler):
                sums.skipped += skipped
                if x is None:
                    continue
                read += 1
                x, y = x.to(self.device), y.to(self.device)
                if x.ndim == 5:                                  # ten crops: average them
                    n, crops = x.shape[:2]
                    logits = self.step_fn(x.flatten(0, 1)).float().view(n, crops, -1).mean(1)
                else:
                    logits = self.step_fn(x).float()
                sums.add(F.cross_entropy(logits, y), logits, y)
        if not read and sums.skipped:      # not a validation loss of 0
            raise all_unreadable(self.val_set, sums.skipped)
        return sums.read(self.dist.world) | {"skipped": sums.skipped}

    def run(self, callback=None) -> str:
        """Train; returns "done", "stopped", "max_steps" or "diverged" (a non-finite loss).
        Every logged record goes to metrics.jsonl (rank 0) and to ``callback``."""
        cfg = self.cfg
        sums = Sums(self.device)
        last_log, images, waited = self.clock(), 0, 0.0
        while self.epoch < cfg.epochs:
            self.sampler.set_epoch(self.epoch)
            self.sampler.start = self.batch_in_epoch * cfg.batch_size
            batches = iter(self.loader(self.train_set, self.sampler))
            first_step, first_skipped = self.step, self.skipped_total
            while True:
                if not self.resume_event.is_set():       # paused; a stop also wakes it
                    paused = self.clock()
                    self.resume_event.wait()
                    last_log += self.clock() - paused    # not counted as training time
                if self.dist.world == 1 and self.stop_requested():
                    return self._stopped()
                t0 = self.clock()
                try:
                    x, y, skipped = next(batches)
                except StopIteration:
                    break
                waited += self.clock() - t0
                self.skipped_total += skipped
                self.batch_in_epoch += 1
                if x is None:
                    continue
                self.step += 1
                log_now = self.step % cfg.log_every == 0
                norms = self.train_step(x, y, sums, want_norms=log_now)
                images += y.shape[0]
                if log_now:
                    now = self.clock()
                    record = self._train_record(sums, images, now - last_log, waited, norms)
                    sums.reset()
                    last_log, images, waited = now, 0, 0.0
                    self._emit(record, callback)
                    if not math.isfinite(record["loss"]):
                        return "diverged"                # the last good checkpoint stays
                    if self.dist.world > 1 and self.stop_requested():
                        return self._stopped()
                if cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0:
                    self.save_checkpoint()
                if cfg.max_steps and self.step >= cfg.max_steps:
                    self.save_checkpoint()
                    return "max_steps"
            if self.step == first_step and self.skipped_total > first_skipped:
                raise all_unreadable(self.train_set, self.skipped_total - first_skipped)
            self._end_epoch(callback)
            # the evaluation's time is not training time: the next rate starts here
            last_log, images, waited = self.clock(), 0, 0.0
        return "done"

    def _train_record(self, sums, images, elapsed, waited, norms) -> dict:
        record = {"step": self.step, "epoch": self.epoch, "split": "train",
                  **sums.read(self.dist.world),
                  "lr": self.optimizer.param_groups[0]["lr"],
                  "images_per_s": images * self.dist.world / max(elapsed, 1e-9),
                  "data_wait": waited / max(elapsed, 1e-9),
                  "skipped": self.skipped_total, "grad_norms": norms or {},
                  "steps_per_epoch": self.steps_per_epoch()}
        if self.device.type == "cuda":
            record["gpu_memory_mb"] = torch.cuda.max_memory_allocated(self.device) / 2**20
        return record

    def _end_epoch(self, callback) -> None:
        val = self.evaluate()
        record = {"step": self.step, "epoch": self.epoch, "split": "val", **val,
                  "lr": self.optimizer.param_groups[0]["lr"], "images_per_s": 0.0}
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.step(val["loss"])
        else:
            self.scheduler.step()
        self.epoch += 1
        self.batch_in_epoch = 0
        self._emit(record, callback)
        self.save_checkpoint()

    def _emit(self, record: dict, callback) -> None:
        self.write_metrics(record)
        if callback is not None and self.dist.main:
            callback(record)


__all__ = ["STOP_FILE", "outcome_text", "checkpoint_glance", "ConfigError", "DataError",
           "OutputError", "USER_ERRORS", "Dist", "TrainConfig", "TrainingRun"]
