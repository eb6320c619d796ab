"""The fault trials of issue 25: mutants of the shipped lessons and of saved sessions
(benchmarks/fault_mutants.py), each loaded by the readers, then a share of them opened in
the window; kill -9 trials are benchmarks/fault_trials_kill.py.

    .venv/bin/python benchmarks/fault_trials.py [--load 2000] [--window 300] [--seed 0]

Counted, for lessons and sessions apart:
- load: each mutant read by load_lesson / load_session: loaded, or refused with one
  LessonError / SessionError; any other exception, a message over 300 characters or of
  more than one line, or a read over 5 s of CPU time is a failure (a read still going
  after 30 s is stopped by SIGALRM and counted as a hang); reads over 5 s of wall time
  are counted apart (on a shared machine other jobs take the cores);
- window: a mutant opened in a MainWindow (Lessons ▸ open at a random step, File ▸ Open
  Session) over the user's own edited graph: escaped exceptions (sys.excepthook), opens
  over 5 s, and whether the user's graph is still theirs afterwards (a lesson left, a
  refused session) — a session that opened replaces it by design and is put back.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_mutants import mutant  # noqa: E402

LIMIT_S, HANG_S, MAX_MESSAGE = 5.0, 30, 300


class Hung(Exception):
    pass


def _alarm(signum, frame):
    raise Hung


def lesson_bases() -> list[tuple[str, dict]]:
    from bpviz.paths import lessons_dir
    return [(p.name, json.loads(p.read_text())) for p in sorted(lessons_dir().glob("*.json"))]


def session_bases() -> list[tuple[str, dict]]:
    from bpviz.core.network.graph import Graph
    from bpviz.core.teaching.session_file import (
        Aside,
        DataChoice,
        LessonPlace,
        Session,
        session_to_dict,
    )
    from bpviz.paths import example_path
    bases = []
    for name in ("spirals_mlp", "branching", "fc_softmax_ce"):
        graph = Graph.from_dict(json.loads(example_path(name).read_text()))
        labs = {"losses": {"page": 1, "controls": {"slider_margin Δ": 20}}}
        bases.append((name, session_to_dict(Session(graph, None, True, "backprop",
                                                    DataChoice("spirals", 8, 2, 1), 5,
                                                    labs))))
        place = LessonPlace("01_one_layer", 2, Aside(graph, None, True))
        bases.append((name + "+lesson", session_to_dict(Session(graph, None, True,
                                                                lesson=place))))
    return bases


def write_mutants(kind: str, bases, count: int, folder: Path, rng) -> list[Path]:
    suffix = ".lesson.json" if kind == "lesson" else ".bpviz-session.json"
    paths = []
    for i in range(count):
        _, base = bases[i % len(bases)]
        path = folder / f"{kind}{i:05d}{suffix}"
        path.write_bytes(mutant(base, rng))
        paths.append(path)
    return paths


def judge(read, error, path) -> tuple[str, float, str]:
    """('loaded' | 'refused' | 'failed: why', seconds, message)."""
    signal.alarm(HANG_S)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        read(path)
        outcome, message = "loaded", ""
    except error as err:
        message = str(err)
        outcome = "refused" if len(message) <= MAX_MESSAGE and "\n" not in message else \
            f"failed: message of {len(message)} characters"
    except Hung:
        outcome, message = "failed: hung", ""
    except Exception as err:                       # noqa: BLE001 - what the trial counts
        outcome, message = f"failed: {type(err).__name__}", str(err)[:200]
    finally:
        signal.alarm(0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if cpu > LIMIT_S and not outcome.startswith("failed"):
        outcome = f"failed: {cpu:.1f} s of CPU"
    elif seconds > LIMIT_S:        # a busy shared machine, not this read: counted apart
        message = f"[{seconds:.1f} s wall, {cpu:.2f} s CPU] {message}"
    return outcome, seconds, message


def load_trial(kind, paths) -> dict:
    from bpviz.core.teaching.lessons import LessonError, load_lesson
    from bpviz.core.teaching.session_file import SessionError, load_session
    read, error = (load_lesson, LessonError) if kind == "lesson" else \
        (load_session, SessionError)
    counts, worst, failures, slow_wall = {}, 0.0, [], 0
    for path in paths:
        outcome, seconds, message = judge(read, error, path)
        slow_wall += seconds > LIMIT_S
        key = outcome if not outcome.startswith("failed") else "failed"
        counts[key] = counts.get(key, 0) + 1
        if key == "failed":
            why = outcome.split(":")[1].split(" of ")[0].strip()
            counts[f"failed: {why}"] = counts.get(f"failed: {why}", 0) + 1
        worst = max(worst, seconds)
        if key == "failed":
            failures.append(f"{path.name}: {outcome} {message[:120]}")
        elif seconds > LIMIT_S:
            failures.append(f"(not counted) {path.name}: {message[:160]}")
    return {"mutants": len(paths), **counts, "slowest_wall_s": round(worst, 3),
            "over_5_s_wall": slow_wall,
            "failures": failures[:20]}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--load", type=int, default=2000)
    p.add_argument("--window", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json")
    args = p.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bpviz-fault-") as tmp:
        os.environ["BPVIZ_CONFIG_DIR"] = str(Path(tmp) / "config")
        for kind, bases in (("lesson", lesson_bases()), ("session", session_bases())):
            folder = Path(tmp) / kind
            folder.mkdir()
            paths = write_mutants(kind, bases, args.load, folder, rng)
            results[f"{kind}_load"] = load_trial(kind, paths)
            print(kind, "load", json.dumps(results[f"{kind}_load"], ensure_ascii=False),
                  flush=True)
            results[f"{kind}_paths"] = paths[:args.window]
        if args.window:
            from fault_window import window_trials
            results.update(window_trials(results.pop("lesson_paths"),
                                         results.pop("session_paths"), rng))
        results.pop("lesson_paths", None), results.pop("session_paths", None)
    print(json.dumps(results, indent=1, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
