"""Mutants of lesson and session files for the fault trials (benchmarks/fault_trials.py):
seeded, each one the shipped file (or a saved session) with 1 to 3 damages of the kinds a
hostile or broken file brings — a value swapped for another type, a 400-digit number, a
megabyte of text, lists nested hundreds deep, HTML and paths in text, keys removed or added,
lists blown up, and byte damage to the text itself (truncated, bytes flipped, not UTF-8)."""
from __future__ import annotations

import json
import random

DEEP = 400


def evil_values(rng: random.Random) -> list:
    return [None, True, False, 0, -1, 2**31, 10**400, -(10**400), 1e308, -1e-320, 0.5,
            "", "x" * 300_000, "<img src='/etc/hostname'>", "../../../etc/passwd",
            "/dev/zero", "\ud800", "\u202e" * 50, "x^{" * 30 + "}" * 30,
            "\\sum_{" * 60, [], {}, list(range(10_000)), [[]] * 1000,
            json.loads("[" * DEEP + "]" * DEEP), {"a": {"b": {"c": [1, 2, {"d": None}]}}},
            rng.random() * 10 ** rng.randint(-30, 30), rng.randint(-10**6, 10**6)]


def _places(value, path=()):
    """Every (container, key) in a JSON value, depth-first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield value, k
            yield from _places(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield value, i
            yield from _places(v, path + (i,))


def mutate_value(spec, rng: random.Random) -> None:
    places = list(_places(spec))
    if not places:
        return
    container, key = rng.choice(places)
    kind = rng.random()
    if kind < 0.55:
        container[key] = rng.choice(evil_values(rng))
    elif kind < 0.7 and isinstance(container, dict):
        del container[key]
    elif kind < 0.8 and isinstance(container, dict):
        container[rng.choice(["extra", "<b>x</b>", "k" * 5000, "step", "example"])] = \
            rng.choice(evil_values(rng))
    elif kind < 0.9 and isinstance(container[key], list) and container[key]:
        container[key] = container[key] * rng.choice([2, 50, 200])
    elif isinstance(container[key], (int, float)) and not isinstance(container[key], bool):
        try:
            container[key] = container[key] * rng.choice([-1, 0, 1e300, 10**300, 1.5])
        except OverflowError:                  # a 400-digit number times a float
            container[key] = -container[key]
    else:
        container[key] = rng.choice(evil_values(rng))


def mutate_text(text: str, rng: random.Random) -> bytes:
    raw = text.encode("utf-8", "surrogatepass")
    kind = rng.random()
    if kind < 0.3:
        return raw[:rng.randrange(len(raw) + 1)]
    if kind < 0.6:
        data = bytearray(raw)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind < 0.8:
        at = rng.randrange(len(raw) + 1)
        return raw[:at] + rng.choice([b"\xff\xfe", b"[" * 100_000, b"\x00" * 64, b"1e999",
                                      b"NaN", b'"\\ud800"', b"}" * 10]) + raw[at:]
    return b"\xef\xbb\xbf" + raw if kind < 0.9 else raw.replace(b",", b",,", 1)


def mutant(base: dict, rng: random.Random) -> bytes:
    """The bytes of one mutant of ``base`` (a JSON object)."""
    spec = json.loads(json.dumps(base))
    for _ in range(rng.randint(1, 3)):
        mutate_value(spec, rng)
    text = json.dumps(spec, allow_nan=True)
    return mutate_text(text, rng) if rng.random() < 0.25 else \
        text.encode("utf-8", "surrogatepass")
