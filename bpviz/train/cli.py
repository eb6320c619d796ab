"""bpviz-train: train AlexNet from a terminal, or as a torchrun rank.

    bpviz-train --data synthetic --arch alexnet --image-size 64 --max-steps 300 --out runs/a
    bpviz-train --ranks 2 --data /data/imagenet --out runs/b       (launch.py)
    torchrun --nproc_per_node=2 -m bpviz.train --data /data/imagenet --out runs/b

Bad flags, missing data, CUDA asked for but absent, out of GPU memory: one line on stderr
and exit code 2. SIGINT / SIGTERM stop cleanly with a checkpoint.
"""
from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time

from .launch import inside_a_rank, launch

EXIT_BAD = 2


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_BAD, f"bpviz-train: {message}\n")


def bounded(kind, low, strict: bool):
    """An argparse type: a finite number of ``kind`` above ``low`` (``strict``) or at least
    it; anything else is one "must be" line and exit 2."""
    what = "a positive number" if strict else f"a number >= {low}"

    def parse(text):
        value = kind(text)                   # ValueError: "invalid int/float value: 'x'"
        try:
            finite = math.isfinite(value)    # a 400-digit int has no float: OverflowError
        except OverflowError:
            finite = False
        if not finite or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"must be {what} (and not huge), got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def positive(kind):
    return bounded(kind, 0, strict=True)


def not_negative(kind):
    return bounded(kind, 0, strict=False)


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="bpviz-train", description="Train AlexNet (the 2012 recipe).",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", default="synthetic", help="synthetic, or an ImageNet-style folder")
    p.add_argument("--arch", default="alexnet", choices=("alexnet", "alexnet-paper"))
    p.add_argument("--epochs", type=positive(int), default=90)
    p.add_argument("--max-steps", type=positive(int), default=None)
    p.add_argument("--batch-size", type=positive(int), default=128)
    p.add_argument("--lr", type=positive(float), default=0.01)
    p.add_argument("--momentum", type=not_negative(float), default=0.9)
    p.add_argument("--weight-decay", type=not_negative(float), default=5e-4)
    p.add_argument("--schedule", choices=("plateau", "step"), default="plateau")
    p.add_argument("--image-size", type=positive(int), default=224)
    p.add_argument("--classes", type=positive(int), default=10, help="synthetic data only")
    p.add_argument("--workers", type=not_negative(int), default=min(8, os.cpu_count() or 1))
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--threads", type=positive(int), default=None,
                   help="torch CPU threads (default: torch's, one per core)")
    p.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16"), default="auto")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--out", default="runs/alexnet")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=positive(int), default=10)
    p.add_argument("--checkpoint-every", type=not_negative(int), default=0)
    p.add_argument("--ten-crop", action="store_true", help="10-crop validation")
    p.add_argument("--tensorboard", action="store_true", help="also log to OUT/tensorboard")
    p.add_argument("--ranks", type=positive(int), default=None,
                   help="start this many ranks on this machine (torch's elastic launcher, "
                        "as torchrun --standalone --nproc_per_node; GPUs or CPU processes)")
    return p


def parse_args(argv):
    p = build_parser()
    args = p.parse_args(argv)
    if args.image_size < 63:
        p.error(f"--image-size {args.image_size} is too small for AlexNet's pooling "
                f"(63 at least)")
    return args


def config_from(args):
    from .train_config import TrainConfig
    keys = TrainConfig.__dataclass_fields__
    return TrainConfig(**{k: v for k, v in vars(args).items() if k in keys})


def argv_from(cfg) -> list[str]:
    """The command-line flags that give ``cfg`` back (the Training tab launches torchrun
    with them); settings the command line does not have keep their defaults."""
    argv = []
    for action in build_parser()._actions:
        if not action.option_strings or action.dest not in cfg.__dataclass_fields__:
            continue
        value = getattr(cfg, action.dest)
        if action.nargs == 0:                       # a switch
            if value:
                argv.append(action.option_strings[0])
        elif value is not None:                     # one word: a value may start with -
            argv.append(f"{action.option_strings[0]}={value}")
    return argv


def dist_from_env(device: str = "auto"):
    """Rank and world from torchrun's environment; init the process group if > 1 (NCCL
    for GPU ranks, gloo for CPU ones)."""
    from .devices import Dist
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    import torch
    import torch.distributed as dist
    backend = "nccl" if torch.cuda.is_available() and device != "cpu" else "gloo"
    dist.init_process_group(backend)
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if backend == "nccl":
        torch.cuda.set_device(local)
    return Dist(dist.get_rank(), dist.get_world_size(), local)


def finish_distributed(code: int) -> None:
    """Leave torchrun cleanly: gloo threads meeting interpreter shutdown abort about one run
    in eight otherwise (seen on a 2-core VM; pytorch PR #179291 describes the cause)."""
    import torch.distributed as dist
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Progress:
    """One line on a terminal, rewritten in place; silent when not a terminal."""

    def __init__(self, total: int | None):
        self.total, self.start = total, time.perf_counter()
        self.tty = sys.stderr.isatty()

    def __call__(self, record: dict) -> None:
        if record["split"] == "val":
            line = (f"epoch {record['epoch']} val: loss {record['loss']:.4f} top-1 "
                    f"{record['top1']:.1%} top-5 {record['top5']:.1%}")
            print(("\r" if self.tty else "") + line, file=sys.stderr, flush=True)
            return
        done = record["step"]
        eta = ""
        if self.total:
            rate = done / max(time.perf_counter() - self.start, 1e-9)
            eta = f" ETA {max(self.total - done, 0) / max(rate, 1e-9):.0f}s"
        line = (f"step {done}{'/' + str(self.total) if self.total else ''} loss "
                f"{record['loss']:.4f} top-1 {record['top1']:.1%} "
                f"{record['images_per_s']:.0f} img/s{eta}")
        if self.tty:
            print("\r" + line.ljust(100), end="", file=sys.stderr, flush=True)


def tensorboard_writer(out):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        print("bpviz-train: TensorBoard is not installed; logging to metrics.jsonl only",
              file=sys.stderr)
        return None
    return SummaryWriter(str(out / "tensorboard"))


def start(args):
    """Import torch and build the run of the parsed flags: (args, run, dist), the run None
    after a one-line error."""
    from .loop import USER_ERRORS, TrainingRun
    dist = dist_from_env(args.device)
    try:
        return args, TrainingRun(config_from(args), dist), dist
    except USER_ERRORS as err:
        print(f"bpviz-train: {err}", file=sys.stderr)
        return args, None, dist


def quit_before_training(signum, _frame) -> None:
    """Ctrl+C or SIGTERM while torch loads and the run is built (seconds): nothing to keep
    yet, so leave at once. A KeyboardInterrupt instead can be swallowed inside torch's
    import: the run then trained on as if no Ctrl+C had come (and once diverged)."""
    print("bpviz-train: interrupted before training began", file=sys.stderr, flush=True)
    os._exit(128 + signum)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for sig in (signal.SIGINT, signal.SIGTERM):     # before anything slow: no traceback
        signal.signal(sig, quit_before_training)
    args = parse_args(argv)
    if args.ranks and args.ranks > 1 and not inside_a_rank():
        return launch(args.ranks, argv)       # the ranks run this main, and train
    args, run, dist = start(args)
    if run is None:
        return EXIT_BAD
    for sig in (signal.SIGINT, signal.SIGTERM):          # from here on a stop, with a checkpoint
        signal.signal(sig, lambda *_: run.request_stop())
    import torch

    from .loop import USER_ERRORS
    progress = Progress(args.max_steps or run.steps_per_epoch() * args.epochs)
    board = tensorboard_writer(run.folder.path) if args.tensorboard and dist.main else None

    def report(record):
        progress(record)
        if board is not None:
            for key in ("loss", "top1", "top5", "lr", "images_per_s"):
                board.add_scalar(f"{record['split']}/{key}", record[key], record["step"])

    try:
        outcome = run.run(report)
    except torch.cuda.OutOfMemoryError:
        print(f"bpviz-train: out of GPU memory at batch size {args.batch_size}: lower "
              f"--batch-size (or use --precision bf16)", file=sys.stderr)
        return EXIT_BAD
    except USER_ERRORS as err:         # a full disk, images damaged since the start
        if progress.tty:
            print(file=sys.stderr)
        print(f"bpviz-train: {err}", file=sys.stderr)
        return EXIT_BAD
    if progress.tty:
        print(file=sys.stderr)
    code = EXIT_BAD if outcome == "diverged" else 0
    if dist.main:
        print(f"bpviz-train: {run.folder.outcome_text(outcome, run.step)}", file=sys.stderr)
    finish_distributed(code)
    return code
