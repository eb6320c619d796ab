"""The README's quick-run claim: AlexNet learns the procedural data set on a CPU, >= 90 %
running training top-1 within 400 steps at 64 px, batch 64, lr 0.005 (bpviz.train).

    .venv/bin/python benchmarks/alexnet_learnability.py [--steps 400] [--threads 2]

Not a test: the trajectory depends on the float summation order of the machine's kernels
(the same code reached 0.82 at step 400 on an Intel Xeon VM and >= 0.9 on the AMD EPYC one
before it), so the figure is measured and recorded in BENCHMARKS.md with its machine.
Exits 1 when training has not moved from chance by step 150 (top-1 under 0.3 at step 25 and
the loss at step 150 under 0.9 of step 25's), the check the test suite ran until issue 22.
"""
from __future__ import annotations

import argparse
import platform
import tempfile
import time

import torch

from bpviz.train.loop import TrainingRun
from bpviz.train.train_config import TrainConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="bpviz-learn-") as out:
        run = TrainingRun(TrainConfig(image_size=64, batch_size=64, lr=0.005,
                                      max_steps=args.steps, log_every=25, workers=0,
                                      device="cpu", out=out))
        records: list = []
        start = time.perf_counter()
        run.run(records.append)
        seconds = time.perf_counter() - start
    train = [r for r in records if r["split"] == "train"]
    best = max(train, key=lambda r: r["top1"])
    print(f"machine: {platform.processor() or platform.machine()}, torch "
          f"{torch.__version__}, {args.threads} threads")
    print("step  top1   loss")
    for r in train:
        print(f"{r['step']:4d}  {r['top1']:.3f}  {r['loss']:.3f}")
    print(f"best running training top-1 {best['top1']:.3f} at step {best['step']} "
          f"(goal >= 0.9 within {args.steps}); {seconds:.0f} s")
    # the suite's test until issue 22 (about 10 CPU-minutes there): training moves from
    # chance, the loss of steps 126-150 below 0.9 of that of steps 1-25
    early = next((r for r in train if r["step"] == 25), None)
    late = next((r for r in train if r["step"] == 150), None)
    if early is None or late is None:
        return 0
    moved = early["top1"] < 0.3 and late["loss"] < 0.9 * early["loss"]
    print(f"moves from chance by step 150: {'yes' if moved else 'NO'} "
          f"(loss {early['loss']:.3f} -> {late['loss']:.3f})")
    return 0 if moved else 1


if __name__ == "__main__":
    raise SystemExit(main())
