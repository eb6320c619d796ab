"""Engine forward+backward time against torch CPU autograd, same architectures.

    .venv/bin/python benchmarks/engine.py [--repeats 40] [--rounds 3] [--engine-dtype float32]

One mini-batch step (forward, loss, backward) of each model, float32, each library with its
default thread count, in two settings:

- apart: each library in its own process, as a user runs either one (the setting of the
  outside benchmark in issue 11); the processes alternate for ``--rounds`` rounds.
- together: both in this process, steps interleaved so that machine noise hits both alike.
  Each library's idle worker threads keep spinning for a while after its step, stealing
  cores from the other library's step: both read slower than they run apart.

Prints each setting's median step times and the ratio engine / torch (goal: MLP <= 1.5,
CNN <= 1.5). ``--engine-dtype float64`` gives the engine a float64 graph (what an Input left
at its default dtype makes of float32 data) while torch stays float32. To compare one core
each, run it with ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` in the environment.

``--baseline REV`` adds a third process to each "apart" round: the engine as it was at git
revision REV (``git archive`` of bpviz/ into a temporary folder, removed afterwards, imported
by this same script), so that a change to the ops is measured against its baseline and torch
in one run; the printout then gives baseline ÷ engine as well.

``--clock cpu`` times each step by the CPU time of the process (``time.process_time``), not
the wall clock: on a machine loaded by other work it counts only this step's own work. It is
meaningful with one thread each (``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``); with more, it
would add up every thread's CPU time, spinning included.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# the engine under test: this checkout's, or an older tree's (--baseline)
ENGINE_ROOT = "BPVIZ_ENGINE_ROOT"
sys.path.insert(0, os.environ.get(ENGINE_ROOT, str(Path(__file__).resolve().parents[1])))

from bpviz.core import Graph  # noqa: E402

try:
    from bpviz.core.network.export import param_arrays, to_pytorch_source
except ImportError:            # --baseline: a tree from before the rooms
    from bpviz.core.export import param_arrays, to_pytorch_source  # type: ignore[no-redef]

MODELS = {"mlp": ("MLP 784-256-256-10", 128), "cnn": ("CNN conv16-pool-conv32-pool-fc10", 64)}


def node(id, op, inputs=(), **attrs):
    return {"id": id, "op": op, "attrs": attrs, "inputs": list(inputs)}


def graph(nodes) -> Graph:
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes})


def mlp(dtype="float32") -> Graph:
    return graph([node("x", "Input", shape=[784], dtype=dtype),
                  node("t", "Input", shape=[], dtype="int64"),
                  node("fc1", "Linear", ["x"], in_features=784, out_features=256),
                  node("relu1", "ReLU", ["fc1"]),
                  node("fc2", "Linear", ["relu1"], in_features=256, out_features=256),
                  node("relu2", "ReLU", ["fc2"]),
                  node("fc3", "Linear", ["relu2"], in_features=256, out_features=10),
                  node("loss", "CrossEntropyLoss", ["fc3", "t"])])


def cnn(dtype="float32") -> Graph:
    return graph([node("x", "Input", shape=[1, 28, 28], dtype=dtype),
                  node("t", "Input", shape=[], dtype="int64"),
                  node("conv1", "Conv2d", ["x"], in_channels=1, out_channels=16, kernel_size=3),
                  node("relu1", "ReLU", ["conv1"]),
                  node("pool1", "MaxPool2d", ["relu1"], kernel_size=2),
                  node("conv2", "Conv2d", ["pool1"], in_channels=16, out_channels=32,
                       kernel_size=3),
                  node("relu2", "ReLU", ["conv2"]),
                  node("pool2", "MaxPool2d", ["relu2"], kernel_size=2),
                  node("flat", "Flatten", ["pool2"]),
                  node("fc", "Linear", ["flat"], in_features=800, out_features=10),
                  node("loss", "CrossEntropyLoss", ["fc", "t"])])


def batch_for(g: Graph, batch: int):
    """float32 images (or features) and class labels, the same in every process."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch,) + g.shape("x")[1:]).astype(np.float32)
    return x, rng.integers(0, 10, batch)


def torch_net(g: Graph):
    """torch's twin of ``g`` (exported module, same parameters), in float32."""
    namespace: dict = {}
    exec(compile(to_pytorch_source(g), "<export>", "exec"), namespace)
    net = namespace["build"]()
    net.load_params(param_arrays(g))
    return net.float()


def engine_step_fn(g: Graph, x, t):
    feeds = {"x": x, "t": t}

    def step():
        g.forward(feeds, train=True)
        g.backward()
    return step, lambda: float(g.forward(feeds))


def torch_step_fn(g: Graph, x, t):
    import torch

    net = torch_net(g)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        net.zero_grad(set_to_none=True)
        net(tx, tt).backward()

    def loss():
        with torch.no_grad():
            return net(tx, tt).item()
    return step, loss


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def time_steps(steps: dict, repeats: int, warmup: int = 5, clock: str = "wall") -> dict:
    """Median seconds of each step function; steps interleaved, after a warm-up."""
    for _ in range(warmup):
        for step in steps.values():
            step()
    times: dict = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = CLOCKS[clock]()
            step()
            times[name].append(CLOCKS[clock]() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def build(model: str, engine_dtype: str):
    """The model's graph (engine in ``engine_dtype``) and its float32 batch."""
    g = (mlp if model == "mlp" else cnn)(engine_dtype)
    return g, batch_for(g, MODELS[model][1])


@dataclass(frozen=True)
class Settings:
    engine_dtype: str = "float32"
    repeats: int = 40
    rounds: int = 3
    clock: str = "wall"


def worker(lib: str, model: str, settings: Settings) -> None:
    """One library alone in this process: print its median step time and its loss."""
    g, (x, t) = build(model, settings.engine_dtype)
    step, loss = (engine_step_fn if lib == "engine" else torch_step_fn)(g, x, t)
    median = time_steps({lib: step}, settings.repeats, clock=settings.clock)[lib]
    print(json.dumps({"seconds": median, "loss": loss()}))


def run_worker(lib: str, model: str, settings: Settings, engine_root: Path | None) -> dict:
    env = dict(os.environ)
    if engine_root is not None:
        env[ENGINE_ROOT] = str(engine_root)
    out = subprocess.run(
        [sys.executable, __file__, "--worker", lib, "--model", model, "--clock", settings.clock,
         "--engine-dtype", settings.engine_dtype, "--repeats", str(settings.repeats)],
        check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.splitlines()[-1])


def apart(model: str, settings: Settings, baseline: Path | None = None) -> dict:
    """Each library in its own fresh process, alternating; medians over the rounds.
    With ``baseline`` (a folder holding an older bpviz/) its engine runs as a third process
    of each round."""
    runs = {"engine": ("engine", None), "torch": ("torch", None)}
    if baseline is not None:
        runs = {"baseline": ("engine", baseline), **runs}
    times: dict = {name: [] for name in runs}
    losses = {}
    for _ in range(settings.rounds):
        for name, (lib, root) in runs.items():
            result = run_worker(lib, model, settings, root)
            times[name].append(result["seconds"])
            losses[name] = result["loss"]
    for name in losses:
        assert abs(losses[name] - losses["torch"]) < 1e-4, (model, losses)
    result = summary(model, "apart", {lib: statistics.median(ts) for lib, ts in times.items()},
                     [e / t for e, t in zip(times["engine"], times["torch"], strict=True)])
    if baseline is not None:
        result["baseline_ms"] = round(statistics.median(times["baseline"]) * 1e3, 3)
        result["speedup"] = round(result["baseline_ms"] / result["engine_ms"], 2)
    return result


def baseline_tree(rev: str, folder: Path) -> Path:
    """bpviz/ as it was at git revision ``rev``, unpacked in ``folder``."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev, "bpviz"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def together(model: str, settings: Settings) -> dict:
    g, (x, t) = build(model, settings.engine_dtype)
    engine, engine_loss = engine_step_fn(g, x, t)
    torch_, torch_loss = torch_step_fn(g, x, t)
    assert abs(engine_loss() - torch_loss()) < 1e-4, model
    medians = time_steps({"engine": engine, "torch": torch_}, settings.repeats,
                         clock=settings.clock)
    return summary(model, "together", medians, [medians["engine"] / medians["torch"]])


def summary(model: str, setting: str, medians: dict, ratios: list) -> dict:
    name, batch = MODELS[model]
    return {"model": name, "batch": batch, "setting": setting,
            "engine_ms": round(medians["engine"] * 1e3, 3),
            "torch_ms": round(medians["torch"] * 1e3, 3),
            "ratio": round(medians["engine"] / medians["torch"], 2),
            "ratios": [round(r, 2) for r in ratios]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40, help="timed steps per run")
    parser.add_argument("--rounds", type=int, default=3, help="process pairs (apart)")
    parser.add_argument("--engine-dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    parser.add_argument("--baseline", metavar="REV",
                        help="also time the engine as it was at this git revision (apart)")
    parser.add_argument("--worker", choices=("engine", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=tuple(MODELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = Settings(args.engine_dtype, args.repeats, args.rounds, args.clock)
    if args.worker:
        worker(args.worker, args.model, settings)
        return
    # a stop by SIGTERM unwinds like Ctrl-C: the baseline's temporary folder goes too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bpviz-baseline-") as folder:
        tree = baseline_tree(args.baseline, Path(folder)) if args.baseline else None
        results = [apart(m, settings, tree) for m in MODELS]
    results += [together(m, settings) for m in MODELS]
    report(results, settings, load)


def report(results: list, settings: Settings, load: float) -> None:
    import torch

    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"threads={torch.get_num_threads()}, numpy {np.__version__} OpenBLAS threads="
          f"{blas_threads}, engine {settings.engine_dtype}, {settings.clock} clock; load "
          f"average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    for r in results:
        print(f"{r['model']:<34} {r['setting']:<8} batch {r['batch']:>3}  engine "
              f"{r['engine_ms']:7.2f} ms  torch {r['torch_ms']:7.2f} ms  ratio {r['ratio']:.2f}"
              f"  (per round {', '.join(map(str, r['ratios']))})"
              + (f"  baseline {r['baseline_ms']:.2f} ms, {r['speedup']:.2f}x faster now"
                 if "baseline_ms" in r else ""))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
