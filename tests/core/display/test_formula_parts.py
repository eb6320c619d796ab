"""Formulas set side by side split into their equations (the Inspector's and the lesson
column's narrow width)."""
import pytest

from bpviz.core.display.formula_parts import formula_parts
from bpviz.core.ops import REGISTRY


@pytest.mark.parametrize("latex, parts", [
    (r"a = b,\quad c = d", ["a = b", "c = d"]),
    (r"a = b \qquad c = d", ["a = b", "c = d"]),
    (r"x = \begin{cases} 1 & x > 0 \\ 0 \end{cases}", [r"x = \begin{cases} 1 & x > 0 \\ 0 \end{cases}"]),
    (r"f_{a,\quad b} = 1", [r"f_{a,\quad b} = 1"]),              # inside braces: one
    (r"a \qquadx", [r"a \qquadx"]),                              # another command
    (r"\{a\},\quad b", [r"\{a\}", "b"]),
    ("", []),
])
def test_formulas_split_at_their_top_level_separators(latex, parts):
    assert formula_parts(latex) == parts


def test_at_most_two_parts_keeps_the_rest_together():
    assert formula_parts(r"a,\quad b \qquad c", most=2) == ["a", r"b \qquad c"]


def test_every_ops_gradient_formula_splits_into_whole_equations():
    for op in REGISTRY.values():
        for part in formula_parts(getattr(op, "grad_formula", "") or ""):
            assert part.count("{") - part.count(r"\{") == part.count("}") - part.count(r"\}")
            assert "=" in part or r"\le" in part, (op, part)
