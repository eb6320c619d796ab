"""What logging the gradient flow (bpviz.train's FlowHooks: mean |dL/dW| and |dL/dx| per
layer) costs a training run: bpviz's training step with no hooks and no figures, against the
same step with the hooks installed and the flow measured every K steps (the run's log
interval) and, as the worst case, every step. Same run, same model, rounds alternated.

    .venv/bin/python benchmarks/flow_hooks_overhead.py [--arch alexnet] [--size 64]
        [--batch 16] [--steps 20] [--every 10] [--rounds 5] [--device cpu]

Prints each variant's median per step and its ratio to the one without hooks, in this
process's CPU time (one torch thread: on a shared machine the other jobs' load moves the
wall clock far more than the hooks do) and in wall time.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch


def timed(run, batches, every: int | None) -> tuple[float, float]:
    """(CPU, wall) seconds per step over ``batches``; the flow measured on every
    ``every``-th step (None: never)."""
    from bpviz.train.metrics import Sums
    sums = Sums(run.device)
    cpu, start = time.process_time(), time.perf_counter()
    for i, (x, y) in enumerate(batches):
        run.train_step(x, y, sums, want_norms=every is not None and (i + 1) % every == 0)
    sums.read()
    if run.device.type == "cuda":
        torch.cuda.synchronize()
    return ((time.process_time() - cpu) / len(batches),
            (time.perf_counter() - start) / len(batches))


def main() -> None:
    from bpviz.train.flow_hooks import FlowHooks
    from bpviz.train.loop import TrainingRun
    from bpviz.train.train_config import TrainConfig

    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="alexnet")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--every", type=int, default=10)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out:
        run = TrainingRun(TrainConfig(arch=a.arch, image_size=a.size, batch_size=a.batch,
                                      device=a.device, out=out, classes=10,
                                      synthetic_train=a.batch, synthetic_val=a.batch,
                                      threads=a.threads))
        g = torch.Generator().manual_seed(0)
        batches = [(torch.randn(a.batch, 3, a.size, a.size, generator=g),
                    torch.randint(0, 10, (a.batch,), generator=g)) for _ in range(a.steps)]
        variants = {"no hooks, no figures": (False, None),
                    f"hooks, figures every {a.every} steps": (True, a.every),
                    "hooks, figures every step": (True, 1)}
        times = {name: [] for name in variants}
        timed(run, batches[:3], a.every)                   # warm-up
        for _ in range(a.rounds):
            for name, (hooked, every) in variants.items():
                run.flow.remove()
                if hooked:
                    run.flow = FlowHooks(run.layers)
                times[name].append(timed(run, batches, every))
    print(f"{a.arch}, {a.size} px, batch {a.batch}, {a.device}, {torch.get_num_threads()} "
          f"thread(s); {a.rounds} rounds of {a.steps} steps, medians")
    for k, clock in enumerate(("CPU time", "wall time")):
        base = statistics.median(t[k] for t in times["no hooks, no figures"])
        for name, values in times.items():
            median = statistics.median(t[k] for t in values)
            rounds = " ".join(f"{t[k] * 1000:.0f}" for t in values)
            print(f"  {clock:9s} {name:36s} {median * 1000:7.1f} ms/step  ratio "
                  f"{median / base:.3f}  (rounds: {rounds})")


if __name__ == "__main__":
    main()
