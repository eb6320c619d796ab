"""The files a run keeps in its output folder: checkpoint.pt, written atomically and read
with checks that say what is wrong with it, and metrics.jsonl, one JSON record per line.

A disk that fills up or a kill during a write leaves the last good checkpoint in place: the
new one goes to a temporary file, renamed over the old only once complete; a failed write
removes it, and a run starting in the folder removes one left by a killed process."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import torch

CHECKPOINT = "checkpoint.pt"
METRICS = "metrics.jsonl"
CONFIG = "config.json"
# what TrainingRun.checkpoint_state writes and load_checkpoint reads
CHECKPOINT_KEYS = ("model", "optimizer", "scheduler", "scaler", "rng_torch", "rng_cuda",
                   "rng_python", "epoch", "step", "batch_in_epoch", "arch")
FULL_DISK = 1 << 20                  # bytes free after a failed write that mean "disk full"


class OutputError(Exception):
    """A run's file that cannot be written or read; the message names it and says why."""


def temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass                         # not ours to remove: the next write says why it fails


def remove_temporaries(folder: Path) -> None:
    """Files half-written by a process that was killed (a checkpoint: hundreds of MB)."""
    for name in (CHECKPOINT, CONFIG):
        discard(temporary(folder / name))


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
    full disk) or a kill leaves the old file whole. OutputError saying why and what is
    kept."""
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


def write_checkpoint(state: dict, path: Path) -> None:
    write_whole(path, lambda tmp: torch.save(state, tmp))


def write_config(config: dict, path: Path) -> None:
    text = json.dumps(config, indent=1)
    write_whole(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


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


def read_checkpoint(path, map_location="cpu", mmap: bool = False) -> dict:
    """A checkpoint's state; OutputError naming the file and what is wrong with it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise OutputError(f"cannot read '{path}': {err.strerror or err}") from None
    if size == 0:
        raise OutputError(f"'{path}' is empty (0 bytes): its write never finished")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True, mmap=mmap)
    except Exception as err:         # the file's bytes decide which exception torch raises
        raise OutputError(f"'{path}' {load_failure(path, err)}") from None
    if not isinstance(state, dict):
        raise OutputError(f"'{path}' is not a bpviz-train checkpoint: it holds a "
                          f"{type(state).__name__}, not a dict")
    missing = [key for key in CHECKPOINT_KEYS if key not in state]
    if missing:
        raise OutputError(f"'{path}' is not a bpviz-train checkpoint: it has no "
                          f"{', '.join(missing)}")
    return state


def checkpoint_glance(path) -> dict:
    """A checkpoint's step and epoch and conv1's filters (n, 3, k, k), reading only those:
    the file is memory-mapped (a 10-class AlexNet checkpoint is ~450 MB; this takes ~30 ms).
    OutputError when it cannot be read."""
    state = read_checkpoint(path, mmap=True)
    try:
        conv1 = next(v for v in state["model"].values() if v.dim() == 4).float().clone()
        return {"step": int(state["step"]), "epoch": int(state["epoch"]), "conv1": conv1}
    except (AttributeError, StopIteration, TypeError, ValueError):
        raise OutputError(f"'{path}' holds no convolution weights and step") from None


def append_record(path: Path, record: dict) -> None:
    """One JSON line. A line cut short by a kill or a full disk is ended first, so it
    cannot swallow the record appended after it."""
    line = json.dumps(record).encode() + b"\n"
    try:
        with open(path, "a+b") as f:
            end = f.seek(0, os.SEEK_END)
            if end:
                f.seek(end - 1)
                if f.read(1) != b"\n":
                    line = b"\n" + line
            f.write(line)
    except OSError as err:
        raise OutputError(f"cannot write '{path}': {err.strerror or err}") from None
