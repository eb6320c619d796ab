"""A training run's output folder, the one owner of its files: the loop writes them, the
CLI and the Training tab read them.

    config.json     the run's settings (TrainConfig's fields)
    metrics.jsonl   one JSON record per logged step, appended as the run goes
    checkpoint.pt   everything a resume needs (torch.save, loaded with weights_only)
    STOP            made by whoever wants the run to stop (the Training tab under torchrun,
                    ``touch OUT/STOP`` on a cluster); the run stops at its next logged step

No torch at import: run folders open where torch is not installed; only a checkpoint loads it.

A disk that fills up or a kill during a write leaves the last good checkpoint and config in
place: the new one goes to a temporary file, renamed over the old only once complete; a
failed write removes it, and a run starting in the folder removes one left by a killed
process. A metrics line cut short the same way is ended before the next record is appended,
and readers skip it.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import zipfile
from pathlib import Path
from typing import TypeGuard

from .train_config import ConfigError

CONFIG, METRICS, CHECKPOINT, STOP = "config.json", "metrics.jsonl", "checkpoint.pt", "STOP"
# what TrainingRun.checkpoint_state writes and read_checkpoint checks for
CHECKPOINT_KEYS = ("model", "optimizer", "scheduler", "scaler", "rng_torch", "rng_cuda",
                   "rng_python", "epoch", "step", "batch_in_epoch", "arch")
FULL_DISK = 1 << 20                  # bytes free after a failed write that mean "disk full"
OUTCOMES = {"done": "finished all its epochs", "max_steps": "reached its max steps",
            "stopped": "stopped"}    # and "diverged", said at more length


class OutputError(Exception):
    """A run's file that cannot be written or read; the message names it and says why."""


def is_number(value) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_record(record) -> bool:
    """A metrics record that can be shown: a finite step number and a split."""
    step = record.get("step") if isinstance(record, dict) else None
    return is_number(step) and math.isfinite(step) and record.get("split") in ("train", "val")


class MetricsReader:
    """Reads a growing metrics.jsonl from where it left off, so following a long run costs
    only its new lines; lines that are not a record are skipped and counted."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.skipped = 0

    def read(self, final: bool = False) -> list[dict]:
        """The records written since the last call; a line still being written waits for
        its newline unless ``final`` (the writer has finished)."""
        try:
            with open(self.path, "rb") as f:
                if f.seek(0, os.SEEK_END) < self.offset:     # rewritten from the start
                    self.offset = 0
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return []
        end = len(chunk) if final else chunk.rfind(b"\n") + 1
        self.offset += end
        records = []
        for line in chunk[:end].decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if is_record(record):
                records.append(record)
            elif line.strip():
                self.skipped += 1
        return records


# --- writing whole files ---------------------------------------------------------------------
def temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass                         # not ours to remove: the next write says why it fails


def write_failure(err: Exception, folder: Path) -> str:
    """Why a write failed, in words: torch's own message on a full disk is
    "[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534"."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if free is not None and free < FULL_DISK:
        return "the disk is full"
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}"


def write_whole(path: Path, write) -> None:
    """``write(temporary)``, then the temporary renamed over ``path``: a failed write (a
    full disk) or a kill leaves the old file whole. OutputError saying why and what is kept.

    Not bpviz.core's write_atomic, which writes text: ``write`` may be torch.save, which
    streams hundreds of MB; and the temporary's fixed name lets the next run remove what a
    killed one left."""
    tmp = temporary(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as err:       # torch.save: RuntimeError on a full disk
        reason = write_failure(err, path.parent)    # before the space is given back
        discard(tmp)
        kept = (f"the previous {path.name} is kept" if path.exists()
                else f"no {path.name} was written")
        raise OutputError(f"cannot write '{path}': {reason}; {kept}") from None
    except BaseException:
        discard(tmp)
        raise


def load_failure(path: Path, err: Exception) -> str:
    """What is wrong with a file torch.load refused. torch's messages depend on the damage
    and run to paragraphs; the first line still comes along."""
    lines = str(err).strip().splitlines()
    detail = f" ({lines[0][:120]})" if lines else ""
    if not zipfile.is_zipfile(path):
        return ("is not a PyTorch checkpoint, or is damaged: cut short by a full disk or a "
                f"kill, or another kind of file{detail}")
    if isinstance(err, pickle.UnpicklingError):
        return ("holds Python objects besides tensors and numbers: not loaded, since "
                "loading those could run any code (torch.load weights_only)")
    return f"is damaged{detail}"


class RunFolder:
    """One run's folder. The loop (rank 0) calls ``check_start``, ``remove_temporaries``,
    ``write_config``, ``append_record`` and ``write_checkpoint``; whoever shows a run
    ``read_config``, ``metrics_reader`` and ``glance``; ``ask_to_stop`` and
    ``stop_asked_since`` pass a stop between them."""

    def __init__(self, path):
        self.path = Path(path).expanduser()
        self.config = self.path / CONFIG
        self.metrics = self.path / METRICS
        self.checkpoint = self.path / CHECKPOINT
        self.stop_file = self.path / STOP

    @property
    def name(self) -> str:
        return self.path.name

    # --- a run starting here -----------------------------------------------------------------
    def check_start(self, resume: bool) -> None:
        """ConfigError where a new run would write over an old one, or a resume has nothing
        to resume."""
        if resume:
            if not self.checkpoint.is_file():
                raise ConfigError(f"--resume: no {CHECKPOINT} in '{self.path}'")
        elif self.checkpoint.exists():
            raise ConfigError(f"'{self.path}' already holds a run ({CHECKPOINT}): resume it, "
                              f"or choose another output folder")
        elif self.metrics.exists():      # killed before its first checkpoint: nothing to resume
            raise ConfigError(f"'{self.path}' holds the records of a run that wrote no "
                              f"checkpoint ({METRICS}): choose another output folder, or "
                              f"delete that file to start afresh there")

    def remove_temporaries(self) -> None:
        """Files half-written by a process that was killed (a checkpoint: hundreds of MB)."""
        for path in (self.checkpoint, self.config):
            discard(temporary(path))

    # --- config.json -------------------------------------------------------------------------
    def write_config(self, config: dict) -> None:
        """config.json, written whole, the folder made first: ConfigError when it cannot be
        made, OutputError when the file cannot be written (an old one is kept)."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(f"cannot write to the output folder '{self.path}': "
                              f"{err.strerror or err}") from None
        text = json.dumps(config, indent=1)
        write_whole(self.config, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def read_config(self) -> dict:
        """The run's settings as written; OutputError naming config.json and what is wrong
        with it (missing, unreadable, not a JSON object)."""
        try:
            config = json.loads(self.config.read_text(encoding="utf-8"))
        except OSError as err:
            raise OutputError(f"cannot read '{self.config}': {err.strerror or err}") from None
        except ValueError as err:                        # UnicodeDecodeError included
            raise OutputError(f"'{self.config}' is not JSON ({err})") from None
        if not isinstance(config, dict):
            raise OutputError(f"'{self.config}' holds a JSON {type(config).__name__}, not "
                              f"the run's settings")
        return config

    # --- metrics.jsonl -----------------------------------------------------------------------
    def append_record(self, record: dict) -> None:
        """One JSON line. A line cut short by a kill or a full disk is ended first, so it
        cannot swallow the record appended after it."""
        line = json.dumps(record).encode() + b"\n"
        try:
            with open(self.metrics, "a+b") as f:
                end = f.seek(0, os.SEEK_END)
                if end:
                    f.seek(end - 1)
                    if f.read(1) != b"\n":
                        line = b"\n" + line
                f.write(line)
        except OSError as err:
            raise OutputError(f"cannot write '{self.metrics}': {err.strerror or err}") from None

    def metrics_reader(self) -> MetricsReader:
        return MetricsReader(self.metrics)

    def read_metrics(self) -> list[dict]:
        """Every record written so far, a line being written included."""
        return self.metrics_reader().read(final=True)

    # --- checkpoint.pt -----------------------------------------------------------------------
    def has_checkpoint(self) -> bool:
        return self.checkpoint.is_file()

    def write_checkpoint(self, state: dict) -> None:
        """OutputError when it cannot be written (a full disk): the last one is kept."""
        import torch
        write_whole(self.checkpoint, lambda tmp: torch.save(state, tmp))

    def read_checkpoint(self, map_location="cpu", mmap: bool = False) -> dict:
        """The checkpoint's state; OutputError naming the file and what is wrong with it."""
        import torch
        path = self.checkpoint
        try:
            size = path.stat().st_size
        except OSError as err:
            raise OutputError(f"cannot read '{path}': {err.strerror or err}") from None
        if size == 0:
            raise OutputError(f"'{path}' is empty (0 bytes): its write never finished")
        try:
            state = torch.load(path, map_location=map_location, weights_only=True, mmap=mmap)
        except Exception as err:     # the file's bytes decide which exception torch raises
            raise OutputError(f"'{path}' {load_failure(path, err)}") from None
        if not isinstance(state, dict):
            raise OutputError(f"'{path}' is not a bpviz-train checkpoint: it holds a "
                              f"{type(state).__name__}, not a dict")
        missing = [key for key in CHECKPOINT_KEYS if key not in state]
        if missing:
            raise OutputError(f"'{path}' is not a bpviz-train checkpoint: it has no "
                              f"{', '.join(missing)}")
        return state

    def glance(self) -> dict:
        """The checkpoint's step and epoch and conv1's filters (n, 3, k, k), reading only
        those: the file is memory-mapped (a 10-class AlexNet checkpoint is ~450 MB; this
        takes ~30 ms). OutputError when it cannot be read."""
        state = self.read_checkpoint(mmap=True)
        try:
            conv1 = next(v for v in state["model"].values() if v.dim() == 4).float().clone()
            return {"step": int(state["step"]), "epoch": int(state["epoch"]), "conv1": conv1}
        except (AttributeError, StopIteration, TypeError, ValueError, OverflowError):
            raise OutputError(f"'{self.checkpoint}' holds no convolution weights and "
                              f"step") from None

    # --- STOP ----------------------------------------------------------------------------------
    def ask_to_stop(self) -> None:
        """Make STOP: the run here stops after its next logged step, every torchrun rank at
        the same one, with a checkpoint. OutputError when it cannot be made."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.stop_file.touch()
        except OSError as err:
            raise OutputError(f"cannot make '{self.stop_file}': {err.strerror or err}") from None

    def stop_asked_since(self, started: float) -> bool:
        """A STOP made since ``started`` (time.time()); an older one was left by a run that
        ended otherwise, and does not stop this one."""
        try:
            return self.stop_file.stat().st_mtime >= started
        except OSError:
            return False

    def clear_stop(self) -> None:
        """No STOP, so that the next run here goes on; OutputError when it cannot be
        removed."""
        try:
            self.stop_file.unlink(missing_ok=True)
        except OSError as err:
            reason = err.strerror or err
            raise OutputError(f"cannot remove '{self.stop_file}': {reason}") from None

    # --- how a run ended -----------------------------------------------------------------------
    def outcome_text(self, outcome: str, step: int) -> str:
        """How a run ended (TrainingRun.run's outcome), in words, for the CLI's last line
        and the Training tab."""
        if outcome == "diverged":
            return (f"diverged at step {step}: the loss is not a number (try a lower learning "
                    f"rate); the last good checkpoint is kept in {self.checkpoint}")
        ended = OUTCOMES.get(outcome, outcome)
        return f"{ended} at step {step}; checkpoint in {self.checkpoint}"
