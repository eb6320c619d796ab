"""Issue 25 item 3: a nested formula in a lesson hung the app (ziamath's time doubles per
level of nesting). One too deep is shown as its source with a note, without being drawn;
every shipped formula is far inside the limit."""
import json

import pytest

from bpviz.core.ops import REGISTRY
from bpviz.gui.widgets import formula as formula_module
from bpviz.gui.widgets.formula import MAX_COST, Formula, formula_cost, render_svg
from bpviz.gui.widgets.optimizer_form import UPDATE_FORMULAS
from bpviz.paths import lessons_dir


def shipped_formulas() -> list[str]:
    found = [f for op in REGISTRY.values() for f in (op.formula, op.grad_formula)]
    for path in lessons_dir().glob("*.lesson.json"):
        found += [step.get("formula", "") for step in json.loads(path.read_text())["steps"]]
    return [f for f in found + list(UPDATE_FORMULAS.values()) if f]


def test_every_shipped_formula_is_far_inside_the_limit():
    formulas = shipped_formulas()
    assert len(formulas) > 40
    assert max(map(formula_cost, formulas)) <= MAX_COST // 4


@pytest.mark.parametrize("latex", ["x^{" * 14 + "y" + "}" * 14,
                                   "\\sum_{" * 100 + "i" + "}" * 100,
                                   "\\frac{" * 12 + "1" + "}{2}" * 12,
                                   "x + " * 1000])
def test_a_formula_too_deep_or_too_long_is_shown_as_its_source(qtbot, monkeypatch, latex):
    import ziamath

    def never(*args, **kwargs):
        raise AssertionError("ziamath was asked to draw it")
    monkeypatch.setattr(ziamath.Math, "fromlatex", never)
    render_svg.cache_clear()
    widget = Formula()
    qtbot.addWidget(widget)
    widget.set_latex(latex)
    assert widget.error == f"{latex}  (too long or too deeply nested to draw)"
    assert widget.text_px() is None


def test_nesting_just_inside_the_limit_is_drawn(qtbot):
    widget = Formula()
    qtbot.addWidget(widget)
    latex = "x^{" * 6 + "y" + "}" * 6
    assert formula_cost(latex) <= MAX_COST < formula_cost("x^{" * 8 + "y" + "}" * 8)
    widget.set_latex(latex)
    assert widget.error == "" and widget.renderer.isValid()
    assert formula_module.MAX_LENGTH >= max(map(len, shipped_formulas()))
