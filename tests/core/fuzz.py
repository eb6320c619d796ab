"""Graph-file fuzzing: mutants of the shipped examples either load or are refused with a
GraphError, each within a few seconds.

    .venv/bin/python -m tests.core.fuzz [--count 2000] [--seed 0] [--memory-gb 4]

Mutations work on the parsed JSON (delete keys, wrong types, huge integers, NaN and
Infinity, negative or zero sizes, unknown ops, cycles, duplicate ids, dangling inputs,
damaged parameters, deep nesting, huge lists and strings, lone surrogates) and on the
text (truncation, random bytes, byte-order marks). A mutant counts as *loaded* when
``load_graph`` accepts it, *half-built* when only the editor's ``check=False`` accepts it,
and *refused* when both raise GraphError. Whatever loads is also analysed, laid out,
copied, saved, read back and, if small, run forward and backward: none of that may raise
anything but GraphError either. The suite runs a seeded few hundred (tests/core/network/test_fuzz.py).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpviz.core import Graph, GraphError, load_graph, save_graph
from bpviz.core.network.layout import layered_layout
from bpviz.core.ops import REGISTRY
from bpviz.paths import example_path, resources_dir

DEEP = "@@deep@@"                  # placeholders spliced into the text: deep nesting,
DIGITS = "@@digits@@"              # and an integer longer than Python will read (4,300)
WEIRD = [None, True, False, "", "x", "Input", 0, -1, 1.5, [], {}, [1], [[1]], {"a": 1},
         "N", [None], ["x"], 10**20]
HUGE = [10**20, -10**20, 2**63, 2**63 - 1, -2**63 - 1, 10**400, -10**400, 2**31, 2**40,
        10**4000, DIGITS]
NON_FINITE = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324]
SIZES = [0, -1, -2**31, 1, 2**31, 2**20, 20_000, 10**9]
OPS = ["Conv3d", "", "input", "Linear ", "__import__('os')", "None", "Graph"]
WHOLE_LIMIT_S = 5.0    # CPU seconds a file may take: a loaded machine slows the wall clock
RUN_LIMIT = 2_000_000              # values per sample (plus parameters) worth running


def base_texts() -> dict[str, str]:
    """The shipped examples, plus one with stored parameters and node positions."""
    texts = {p.name: p.read_text(encoding="utf-8")
             for p in sorted((resources_dir() / "examples").glob("*.bpviz.json"))}
    g = load_graph(example_path("spirals_mlp"))
    positions = layered_layout({nid: n.inputs for nid, n in g.nodes.items()})
    for nid in g.nodes:
        g.move_node(nid, positions[nid])
        for name in g.param_names(nid):
            g.set_param(nid, name, g.param(nid, name))
    texts["spirals_with_params"] = json.dumps(g.to_dict())
    return texts


def _paths(value, prefix=()):
    """Every (path, value) below ``value``; a path is a tuple of keys and indices."""
    out, stack = [], [(prefix, value)]
    while stack:
        path, v = stack.pop()
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, child in items:
            out.append((path + (k,), child))
            stack.append((path + (k,), child))
    return out


def _get(spec, path):
    for k in path:
        spec = spec[k]
    return spec


def _pick(rng: random.Random, spec, want=None):
    paths = [p for p, v in _paths(spec) if want is None or want(p, v)]
    return rng.choice(paths) if paths else None


def _replace(rng, spec, values, want=None):
    path = _pick(rng, spec, want)
    if path:
        _get(spec, path[:-1])[path[-1]] = rng.choice(values)


def _is_number(path, v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _in_attrs(path, v):
    return "attrs" in path and _is_number(path, v)


def _nodes(spec) -> list:
    nodes = spec.get("nodes") if isinstance(spec, dict) else None
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def delete_key(rng, spec):
    path = _pick(rng, spec, lambda p, v: True)
    if path and isinstance(_get(spec, path[:-1]), dict):
        del _get(spec, path[:-1])[path[-1]]


def wrong_type(rng, spec):
    _replace(rng, spec, WEIRD)


def huge_int(rng, spec):
    _replace(rng, spec, HUGE, _is_number if rng.random() < 0.8 else None)


def non_finite(rng, spec):
    _replace(rng, spec, NON_FINITE, _is_number if rng.random() < 0.8 else None)


def bad_size(rng, spec):
    _replace(rng, spec, SIZES, _in_attrs)


def unknown_op(rng, spec):
    nodes = _nodes(spec)
    if nodes:
        rng.choice(nodes)["op"] = rng.choice(OPS + sorted(REGISTRY))


def cycle(rng, spec):
    nodes = [n for n in _nodes(spec) if isinstance(n.get("inputs"), list) and n["inputs"]]
    if nodes:
        node = rng.choice(nodes)
        later = _nodes(spec)[_nodes(spec).index(node):]
        node["inputs"][rng.randrange(len(node["inputs"]))] = rng.choice(later).get("id")


def duplicate_id(rng, spec):
    nodes = _nodes(spec)
    if len(nodes) >= 2:
        a, b = rng.sample(nodes, 2)
        if rng.random() < 0.5:
            a["id"] = b.get("id")
        else:
            spec["nodes"].append(json.loads(json.dumps(a)))


def rewire(rng, spec):
    nodes = _nodes(spec)
    if nodes:
        node = rng.choice(nodes)
        inputs = node.get("inputs") if isinstance(node.get("inputs"), list) else []
        change = rng.choice(["zz", None, "extra", "drop", "self"])
        if change == "extra":
            inputs.append(rng.choice(nodes).get("id"))
        elif change == "drop" and inputs:
            inputs.pop()
        elif inputs:
            inputs[rng.randrange(len(inputs))] = node.get("id") if change == "self" else change
        node["inputs"] = inputs


def damage_params(rng, spec):
    params = spec.get("params") if isinstance(spec, dict) else None
    if isinstance(params, dict) and params:
        arrays = [a for p in params.values() if isinstance(p, dict) for a in p.values()
                  if isinstance(a, dict)]
        if arrays:
            array = rng.choice(arrays)
            key = rng.choice(["dtype", "shape", "data"])
            array[key] = rng.choice({"dtype": ["float16", "int64", "object", "<f8", None],
                                     "shape": [[10**6, 10**6], [-1], [2**63], [], [0], "2"],
                                     "data": ["!!!", "", "AAAA", 5, "A" * 1001]}[key])
            return
    nodes = _nodes(spec)
    if nodes and isinstance(spec, dict):
        spec["params"] = {rng.choice(nodes).get("id"): {"weight": {
            "dtype": "float64", "shape": [rng.choice([0, 1, 3, 10**9])], "data": ""}}}


def huge_list(rng, spec):
    _replace(rng, spec, [[1] * 100_000, ["x"] * 100_000, [2] * 70])


def long_text(rng, spec):
    _replace(rng, spec, ["x" * 1_000_000, "\ud800", "a\udcff", "\x00", "é" * 1000],
             lambda p, v: isinstance(v, str) or p[-1] == "id")


def deep(rng, spec):
    _replace(rng, spec, [DEEP])


def tweak_number(rng, spec):
    """A plausible but different number: the graph often still loads, and then runs."""
    _replace(rng, spec, [0, 1, 2, 3, 7, 64, 0.5, -0.5, 1e-12, 100, True], _in_attrs)


def bad_position(rng, spec):
    ui = spec.get("ui") if isinstance(spec, dict) else None
    if isinstance(ui, dict) and ui:
        entry = ui[rng.choice(sorted(ui))]
        entry["pos"] = rng.choice([[10**400, 0], [math.nan, 1], [1e308, -1e308], [1], "0,0",
                                   [True, False], [None, 2], [DIGITS, 0], [2**63, 5]])


def window_bomb(rng, spec):
    """A convolution or pool whose padding is huge but whose output stays small, made the
    end of the network (a Sum after it), so that the graph loads and runs."""
    nodes = [n for n in _nodes(spec) if n.get("op") in ("Conv2d", "MaxPool2d", "AvgPool2d")
             and isinstance(n.get("attrs"), dict)]
    if nodes:
        node, big = rng.choice(nodes), rng.choice([5_000, 20_000, 10**6])
        node["attrs"].update(padding=big, stride=2 * big)
        if node["op"] != "Conv2d":                        # a pool: padding <= kernel / 2
            node["attrs"]["kernel_size"] = 2 * big + 1
        spec["nodes"] = spec["nodes"][:spec["nodes"].index(node) + 1] + [
            {"id": "bomb_loss", "op": "Sum", "inputs": [node.get("id")]}]


def drop_node(rng, spec):
    if _nodes(spec):
        spec["nodes"].remove(rng.choice(_nodes(spec)))


def swap_attrs(rng, spec):
    nodes = _nodes(spec)
    if len(nodes) >= 2:
        a, b = rng.sample(nodes, 2)
        a["attrs"], b["attrs"] = b.get("attrs", {}), a.get("attrs", {})


SPEC_MUTATIONS = [delete_key, wrong_type, huge_int, non_finite, bad_size, unknown_op, cycle,
                  duplicate_id, rewire, damage_params, huge_list, long_text, deep, swap_attrs,
                  tweak_number, tweak_number, bad_position, drop_node, window_bomb]


def truncate(rng, raw: bytes) -> bytes:
    return raw[:rng.randrange(len(raw) + 1)]


def random_bytes(rng, raw: bytes) -> bytes:
    if rng.random() < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    data = bytearray(raw)
    for _ in range(rng.randrange(1, 6)):
        i = rng.randrange(len(data) + 1)
        if rng.random() < 0.5 and i < len(data):
            data[i] = rng.randrange(256)
        else:
            data[i:i] = bytes([rng.randrange(256)])
    return bytes(data)


def byte_order_mark(rng, raw: bytes) -> bytes:
    if rng.random() < 0.5:
        return b"\xef\xbb\xbf" + raw
    return raw.decode("utf-8", "replace").encode("utf-16")


TEXT_MUTATIONS = [truncate, random_bytes, byte_order_mark]


def _deep_text(rng) -> str:
    depth = rng.choice([17, 100, 500, 900, 1000, 100_000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def mutant(rng: random.Random, texts: dict[str, str]) -> tuple[str, bytes]:
    """(description, file bytes) of one mutant: 1-3 changes to a random example."""
    name = rng.choice(sorted(texts))
    spec = json.loads(texts[name])
    done = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.85:
            change = rng.choice(SPEC_MUTATIONS)
            change(rng, spec)
            done.append(change.__name__)
    text = json.dumps(spec)
    while f'"{DEEP}"' in text:
        text = text.replace(f'"{DEEP}"', _deep_text(rng), 1)
    text = text.replace(f'"{DIGITS}"', "9" * 5000)
    raw = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.25 or not done:
        change = rng.choice(TEXT_MUTATIONS)
        raw = change(rng, raw)
        done.append(change.__name__)
    return f"{name}: {', '.join(done)}", raw


def _small(g: Graph) -> bool:
    analysis = g.analyze()
    values = sum(math.prod(d for d in s if d != "N") for s in analysis.shapes.values())
    params = sum(math.prod(g.param_shape(n, p)) for n in analysis.order
                 for p in g.param_names(n))
    return values + params <= RUN_LIMIT


def _run(g: Graph) -> None:
    """Forward and backward on a batch of 2 (zeros as class labels fit any class count)."""
    rng = np.random.default_rng(0)
    feeds = {}
    for nid in g.inputs():
        op = g.op(nid)
        shape = (2, *op.shape)
        feeds[nid] = (np.zeros(shape, np.int64) if op.dtype == "int64"
                      else rng.normal(size=shape).astype(op.dtype))
    g.forward(feeds, train=True)
    g.backward()


def exercise(path: Path, scratch: Path) -> str:
    """What the app does with a file it is given; returns loaded, half-built or refused."""
    try:
        g = load_graph(path, check=False)                 # the editor's way
    except GraphError:
        return "refused"
    g.analyze()
    layered_layout({nid: n.inputs for nid, n in g.nodes.items()})
    g.copy()
    save_graph(g, scratch)
    Graph.from_dict(json.loads(scratch.read_text(encoding="utf-8")), check=False)
    try:
        strict = load_graph(path)
    except GraphError:
        return "half-built"
    if _small(strict):
        try:
            _run(strict)
        except GraphError:
            pass
    return "loaded"


@dataclass
class Report:
    counts: dict = field(default_factory=lambda: {"loaded": 0, "half-built": 0, "refused": 0})
    failures: list = field(default_factory=list)     # (description, traceback)
    slowest: tuple = (0.0, "")                       # (seconds, description)

    def line(self) -> str:
        total = sum(self.counts.values()) + len(self.failures)
        parts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        return (f"{total} mutants: {parts}, {len(self.failures)} failed; slowest "
                f"{self.slowest[0]:.2f} CPU s ({self.slowest[1]})")


@contextmanager
def memory_cap(extra_bytes: int):
    """Let this process map at most ``extra_bytes`` more (Linux): a memory bomb then fails
    at once with MemoryError instead of swapping the machine. Only the soft limit moves,
    so it is restored afterwards."""
    try:
        import resource
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY
                                            else min(cap, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def fuzz(count: int, seed: int = 0, memory: int = 4 * 2**30) -> Report:
    """Run ``count`` mutants with at most ``memory`` more bytes than the process holds."""
    rng = random.Random(seed)
    texts = base_texts()
    report = Report()
    with tempfile.TemporaryDirectory() as tmp, memory_cap(memory):
        path, scratch = Path(tmp) / "mutant.bpviz.json", Path(tmp) / "saved.bpviz.json"
        for i in range(count):
            what, raw = mutant(rng, texts)
            what = f"#{i} {what}"
            path.write_bytes(raw)
            start = time.thread_time()
            try:
                outcome = exercise(path, scratch)
                report.counts[outcome] += 1
            except Exception:                               # noqa: BLE001  (what we look for)
                report.failures.append((what, traceback.format_exc(limit=-4)))
            took = time.thread_time() - start
            if took > report.slowest[0]:
                report.slowest = (took, what)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-gb", type=float, default=4.0,
                        help="memory a mutant may add, so that a bomb fails, not swaps")
    args = parser.parse_args()
    report = fuzz(args.count, args.seed, int(args.memory_gb * 2**30))
    for what, trace in report.failures:
        print(f"FAILED {what}\n{trace}")
    print(report.line())
    raise SystemExit(1 if report.failures or report.slowest[0] > WHOLE_LIMIT_S else 0)


if __name__ == "__main__":
    main()
