"""One training loop for every caller: the bpviz-train CLI, the GUI's worker thread and
torchrun ranks (DistributedDataParallel).

The paper's recipe by default (SGD, momentum 0.9, weight decay 5e-4, lr 0.01 divided by 10
when the validation loss plateaus, batch 128). Mixed precision on GPUs (bf16 where
supported, else fp16 with a grad scaler), optional channels_last and torch.compile, cudnn
autotuning; running sums stay on the device and are read only every ``log_every`` steps, so
there is no host sync per step. Checkpoints are atomic and resume at the next step; the run's
files are its RunFolder's.
"""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from bpviz.core.errors import DataError

from .data import ResumableSampler, all_unreadable, build_datasets, collate_skipping, denormalize
from .devices import Dist, pick_device, pick_precision
from .flow_hooks import FlowHooks
from .metrics import Sums
from .models import ARCHS, build_model, weight_layers
from .run_folder import OutputError, RunFolder
from .train_config import ConfigError, TrainConfig

# what a caller tells its user in one line (no traceback): the message says it all
USER_ERRORS = (ConfigError, DataError, OutputError)


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
        self.folder = RunFolder(cfg.out)
        self.folder.check_start(cfg.resume)
        if self.dist.main:
            self.folder.remove_temporaries()
        self._place()
        self.train_set, self.val_set, self.classes = build_datasets(
            cfg.data, cfg.image_size, cfg.classes, cfg.synthetic_train, cfg.synthetic_val,
            cfg.seed, cfg.ten_crop)
        self._build_model()
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
        self.last_batch: torch.Tensor | None = None
        if cfg.resume:
            self.load_checkpoint()
        if self.dist.main:
            self.folder.write_config(asdict(cfg))

    def _place(self) -> None:
        """Threads, device, precision and seeds, before anything is built."""
        cfg = self.cfg
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

    def _build_model(self) -> None:
        """The model (wrapped for DDP and compiled if asked), its optimizer, schedule and
        grad scaler."""
        cfg = self.cfg
        model = build_model(cfg.arch, len(self.classes)).to(self.device)
        if cfg.channels_last:
            model = model.to(memory_format=torch.channels_last)
        self.model = model
        self.layers = weight_layers(model)
        self.flow = FlowHooks(self.layers, inputs=not cfg.compile)
        if self.dist.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
        self.step_fn = torch.compile(self.model) if cfg.compile else self.model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                                         weight_decay=cfg.weight_decay)
        self.scheduler: torch.optim.lr_scheduler.LRScheduler
        if cfg.schedule == "step":
            self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, cfg.step_epochs, 0.1)
        else:
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(self.optimizer,
                                                                        factor=0.1, patience=2)
        self.scaler = torch.amp.GradScaler(self.device.type,
                                           enabled=self.amp_dtype == torch.float16)

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
        local = self.stop_event.is_set() or self.folder.stop_asked_since(self.started_at)
        if self.dist.world == 1:
            return local
        flag = torch.tensor([float(local)], device=self.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        return flag.item() > 0

    def _stopped(self) -> str:
        self.save_checkpoint()
        if self.dist.main:
            self.folder.clear_stop()                   # consumed: a resume runs on
        return "stopped"

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
        ddp = torch.nn.parallel.DistributedDataParallel
        return self.model.module if isinstance(self.model, ddp) else self.model

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

    def save_checkpoint(self) -> None:
        """OutputError when it cannot be written (a full disk): the last one is kept."""
        if self.dist.main:
            self.folder.write_checkpoint(self.checkpoint_state())

    def load_checkpoint(self) -> None:
        """ConfigError or OutputError, naming the file and what is wrong, for a checkpoint
        that is damaged, foreign, or of another network or class count."""
        path = self.folder.checkpoint
        state = self.folder.read_checkpoint(map_location=self.device)
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
            self.folder.append_record(record)

    def grad_norms(self) -> dict:
        """|∂L/∂W| per layer in network order: conv1 … fc8."""
        return {name: float(m.weight.grad.norm()) for name, m in self.layers
                if m.weight.grad is not None}

    def snapshots(self) -> dict:
        """What the GUI shows: conv1's filters and the current augmented batch."""
        # a copy: on a CPU fp32 run .float().cpu() would hand out the live weight
        conv1 = self.layers[0][1].weight.detach().float().cpu().clone()
        batch: torch.Tensor | None = None
        if self.last_batch is not None:
            batch = denormalize(self.last_batch[:16].detach().float()).cpu()
        return {"conv1": conv1, "batch": batch}

    # --- the loop ---------------------------------------------------------------------------
    def train_step(self, x: torch.Tensor, y: torch.Tensor, sums: Sums, want_norms: bool):
        """One optimizer step; with ``want_norms`` (a logged step) it returns each layer's
        gradient figures for the record: grad_norms (‖dL/dW‖), grad_mean_w and grad_mean_x
        (FlowHooks); else None."""
        x = x.to(self.device, non_blocking=True)
        y = y.to(self.device, non_blocking=True)
        if self.cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        if want_norms:                   # a logged step: measure the gradient flow
            self.flow.arm()
            if self.flow.measures_inputs:    # conv1's |dL/dx| too (a copy: the caller's
                x = x.detach().requires_grad_()   # batch is left as it was)
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
            norms = {"grad_norms": self.grad_norms(),
                     **self.flow.read(self.scaler.get_scale() if self.scaler.is_enabled()
                                      else 1.0)}
        self.scaler.step(self.optimizer)
        self.scaler.update()
        sums.add(loss, logits.float(), y)
        self.last_batch = x
        return norms

    def evaluate(self) -> dict:
        sampler: DistributedSampler | None = None
        if self.dist.world > 1:
            sampler = DistributedSampler(self.val_set, self.dist.world, self.dist.rank,
                                         shuffle=False)
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
                  "skipped": self.skipped_total, **(norms or {"grad_norms": {}}),
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
