"""A seeded graph-file fuzz run short enough for CI; the full trial (2,000 or more mutants)
is ``.venv/bin/python -m tests.core.fuzz --count 2000``."""
import random

from ..fuzz import WHOLE_LIMIT_S, base_texts, fuzz, mutant


def test_every_mutant_loads_or_is_refused_with_a_graph_error():
    report = fuzz(300, seed=20261202)
    assert report.failures == [], report.failures[0][1]
    # the bound per file: it catches hangs and memory bombs, not slowness
    assert report.slowest[0] < WHOLE_LIMIT_S, report.slowest
    assert min(report.counts.values()) >= 10, report.counts    # every outcome is exercised


def test_mutants_are_reproducible_from_their_seed():
    texts = base_texts()
    one, other = random.Random(7), random.Random(7)
    first = [mutant(one, texts) for _ in range(3)]
    assert first == [mutant(other, texts) for _ in range(3)] and len(set(first)) == 3
