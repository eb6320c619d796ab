"""The chain rule's text: the lecture's product ∂L/∂W = ∂L/∂σ · ∂σ/∂y · ∂y/∂W in LaTeX with the
node names, and how the product compares with the engine's gradient."""
from __future__ import annotations

from ...core.backprop.chain_path import ChainPath
from ..widgets.heatmap import fmt

WHOLE_FORMULA_UP_TO = 6     # factors; a longer chain's formula elides its middle (\cdots)
SHORTCUT = "Ctrl+R"         # the chain dialog's key (here: the Step menu needs no chain_view)


def symbol(name: str) -> str:
    """A node name in LaTeX, upright, underscores kept."""
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def fraction(of: str, by: str) -> str:
    top = "L" if of == "L" else symbol(of)
    return r"\frac{\partial " + top + r"}{\partial " + symbol(by) + "}"


def expression(chain: ChainPath) -> str:
    """∂L/∂W = ∂L/∂a · ∂a/∂b · … in LaTeX; past WHOLE_FORMULA_UP_TO factors the middle is
    elided (every factor has its card below)."""
    parts = [fraction(f.of, f.by) for f in chain.factors]
    if len(parts) > WHOLE_FORMULA_UP_TO:
        parts = parts[:2] + [r"\cdots"] + parts[-2:]
    return fraction("L", f"{chain.node}.{chain.param}") + " = " + r" \cdot ".join(parts)


def difference_text(chain: ChainPath) -> str:
    text = f"max |Σ − engine| = {fmt(chain.difference)}"
    literal = chain.literal_difference           # None where no factor was written out
    if literal is not None:
        text += ("<br>written out as matrix products: max |difference| = "
                 f"{fmt(literal)}")
    else:
        text += ("<br>a factor is too big to build: the product is carried as row · J "
                 "through each op's backward pass")
    if not chain.complete:
        text += f"<br>only {len(chain.routes)} of {chain.route_count} routes summed"
    return text
