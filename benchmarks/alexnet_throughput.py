"""AlexNet training throughput: bpviz's training step against a reference loop written like
the pytorch/examples ImageNet script (fp32, NCHW, a standard DataLoader, loss.item() every
step), on the same device in the same run.

    .venv/bin/python benchmarks/alexnet_throughput.py [--device auto] [--size 224]
        [--batch 128] [--steps 20] [--jpeg]

Two data paths: device-resident synthetic tensors (the model's speed), and with --jpeg the
JPEG ImageFolder pipeline (decoding and augmentation included). Prints images/s for both
loops and the ratio. Goals: GPU >= 2.5x the reference and >= 15,000 img/s for `alexnet` at
224 px on an H100-class card; CPU not slower than the reference.
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from scratch import scratch_dir


def reference_loop(model, batches, device, steps):
    """The pytorch/examples ImageNet step: fp32, NCHW, .item() every step."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    model.train()
    n, start = 0, None
    for i, (x, y) in enumerate(batches(steps + 3)):
        if i == 3:                                          # warm-up done
            if device.type == "cuda":
                torch.cuda.synchronize()
            start, n = time.perf_counter(), 0
        x, y = x.to(device), y.to(device)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        n += y.shape[0]
    if device.type == "cuda":
        torch.cuda.synchronize()
    return n / (time.perf_counter() - start)


def bpviz_loop(run, batches, steps):
    """bpviz.train's own step (AMP, channels_last as configured, no per-step sync)."""
    from bpviz.train.metrics import Sums
    sums = Sums(run.device)
    n, start = 0, None
    for i, (x, y) in enumerate(batches(steps + 3)):
        if i == 3:
            if run.device.type == "cuda":
                torch.cuda.synchronize()
            start, n = time.perf_counter(), 0
        run.train_step(x, y, sums, want_norms=False)
        n += y.shape[0]
    sums.read()                                             # one sync at the end
    return n / (time.perf_counter() - start)


def compare(ours, reference, rounds: int = 3):
    """Alternate the two loops (ours, ref, ours, ref...) and take each one's median, so
    that warm-up and machine noise hit both."""
    a, b = [], []
    for _ in range(rounds):
        a.append(ours())
        b.append(reference())
    return sorted(a)[rounds // 2], sorted(b)[rounds // 2]


def main() -> None:
    from bpviz.train.devices import pick_device
    from bpviz.train.loop import TrainingRun
    from bpviz.train.models import build_model
    from bpviz.train.train_config import TrainConfig

    p = argparse.ArgumentParser()
    p.add_argument("--device", default="auto")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--arch", default="alexnet")
    p.add_argument("--jpeg", action="store_true", help="also time the JPEG pipeline")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    device = pick_device(args.device)
    gpu = device.type == "cuda"
    x = torch.randn(args.batch, 3, args.size, args.size, device=device)
    y = torch.randint(0, 1000, (args.batch,), device=device)

    def resident(count):
        for _ in range(count):
            yield x, y

    cfg = TrainConfig(arch=args.arch, image_size=args.size, batch_size=args.batch,
                      device=args.device, channels_last=gpu, classes=1000,
                      synthetic_train=args.batch, synthetic_val=args.batch,
                      out=scratch_dir("bpviz-bench-"), workers=0)
    run = TrainingRun(cfg)
    torch.manual_seed(0)
    ref_model = build_model(args.arch, 1000).to(device)
    ours, ref = compare(lambda: bpviz_loop(run, resident, args.steps),
                        lambda: reference_loop(ref_model, resident, device, args.steps))
    name = torch.cuda.get_device_name(device) if gpu else "CPU"
    print(f"device: {name}; {args.arch} {args.size}px batch {args.batch}; torch "
          f"{torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"resident data: bpviz {ours:8.0f} img/s   reference {ref:8.0f} img/s   ratio "
          f"{ours / ref:.2f}")
    if args.jpeg:
        from torch.utils.data import DataLoader

        from bpviz.train.data import build_datasets, collate_skipping
        from bpviz.train.make_dataset import write_tree
        root = write_tree(scratch_dir("bpviz-jpeg-"), classes=10,
                          train_per_class=max(8, args.batch * (args.steps + 3) // 10 + 1),
                          val_per_class=1, size=max(256, args.size + 32))
        train, _, _ = build_datasets(str(root), args.size)

        def files(count):
            loader = DataLoader(train, batch_size=args.batch, shuffle=True,
                                num_workers=args.workers, collate_fn=collate_skipping,
                                multiprocessing_context="forkserver" if args.workers else None)
            for i, (xb, yb, _) in enumerate(loader):
                if i >= count:
                    break
                yield xb, yb

        ours, ref = compare(lambda: bpviz_loop(run, files, args.steps),
                            lambda: reference_loop(ref_model, files, device, args.steps))
        print(f"JPEG pipeline: bpviz {ours:8.0f} img/s   reference {ref:8.0f} img/s   ratio "
              f"{ours / ref:.2f}")


if __name__ == "__main__":
    main()
