"""Answer cards: a number a lesson's reveal states in large type, computed by the app once
the reveal has run — one of a few named quantities of an array of the current step, never
code (the lesson format's "card", checked in bpviz.core.teaching.lessons)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..display.notation import scientific
from ..errors import shown

# "show": what is stated. "of" names an array of the current step as the Inspector names its
# views (the shown sample's, but a parameter's gradient whole): output, dout, in_SLOT,
# grad_NAME (an input's or a parameter's gradient), saved_NAME (what the op saved, e.g.
# saved_mask).
CARD_SHOWS = {
    "value": "the one number the array holds",
    "sum": "the sum of its entries",
    "largest": "its largest magnitude, max |entry|",
    "zeros": "the share of its entries that are 0, in percent",
    "colour_added": "the colour the augmentation demo adds to every pixel, in 255ths",
    "true_class": "the entry of the sample's true class (the step's in_target), e.g. the "
                  "log-probability a loss picks",
}
CARD_WITHOUT_OF = {"colour_added"}
CARD_OF = re.compile(r"output|dout|(in|grad|saved)_\w{1,60}")
CARD_KEYS = {"label", "show", "of", "digits", "also"}


@dataclass(frozen=True)
class Card:
    """What the answer card shows after the reveal: ``label`` over a value in large type,
    the quantity ``show`` of the array ``of``, to ``digits`` significant digits; ``also``,
    a second value stated beside it (2.6: the loss, and the one log-probability it picked)."""
    label: str
    show: str
    of: str = ""
    digits: int = 3
    also: Card | None = None


def check_of(show: str, of, what: str) -> str:
    """A card's "of" for ``show``; ValueError naming ``what`` when it does not fit."""
    if show in CARD_WITHOUT_OF:
        if of:
            raise ValueError(f"{what}: {show!r} is not of an array; leave \"of\" out")
    elif not isinstance(of, str) or not CARD_OF.fullmatch(of):
        raise ValueError(f"{what}: expected output, dout, in_NAME, grad_NAME or "
                         f"saved_NAME, got {shown(of)}")
    return of


def card_array(card: Card, arrays: dict):
    """What ``card`` states a quantity of, from a step's ``arrays`` (``step_arrays``): the
    array ``card.of``; for true_class, its entry at the sample's target. KeyError naming a
    missing array."""
    values = np.asarray(arrays[card.of])
    if card.show != "true_class":
        return values
    target = np.asarray(arrays["in_target"])
    if target.size != 1 or values.ndim != 1 or not 0 <= int(target) < values.size:
        raise ValueError(f"{card.of} {values.shape} has no entry for the target {target}")
    return values[int(target)]


def step_arrays(event) -> dict:
    """A step's arrays by the names a card's "of" uses (bpviz.core.backprop.stepper.StepEvent): the
    shown sample's output, dout, inputs, input gradients and saved arrays; a parameter's
    gradient whole (it is summed over the batch)."""
    n = event.output.shape[0] if event.output.ndim else None
    s = event.sample
    arrays = {"output": event.output[s] if n else event.output}
    if event.dout is not None:
        arrays["dout"] = event.dout[s] if n else event.dout
    arrays.update((f"in_{slot}", np.asarray(v)[s]) for slot, v in event.inputs.items()
                  if v is not None)
    arrays.update((f"grad_{slot}", v[s]) for slot, v in event.dinputs.items() if v is not None)
    arrays.update((f"grad_{name}", v) for name, v in event.dparams.items() if v is not None)
    arrays.update((f"saved_{key}", v[s]) for key, v in event.cache.items()
                  if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == n)
    return arrays


def card_number(v: float, digits: int = 3) -> str:
    """``v`` to ``digits`` significant digits as a slide writes it: 1.000, 66.5, −3.4,
    1230, 10,000, 123,000, 3.09·10⁻⁸, 1.20·10⁹ (a true minus sign; no trailing point;
    thousands separated from 10,000 up, as in the lecture's "10,000 steps")."""
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    rounded = float(f"{v:.{digits - 1}e}")           # 999.6 to 3 digits is 1.00·10³
    magnitude = math.floor(math.log10(abs(rounded)))
    if -3 <= magnitude < digits:
        text = f"{v:#.{digits}g}".rstrip(".")
    elif digits <= magnitude < 9:          # "#g" would write 1.23e+03: digits, then zeros
        text = whole_number(rounded)
    else:
        text = scientific(v, digits)
    return text.replace("-", "−")


def whole_number(v: float) -> str:
    """A whole number with thousands separators from 10,000 up (2178, 10,000, 19,200):
    below that a separator reads as a decimal comma in half of Europe, above it the
    digits are hard to count without one."""
    n = int(round(v))
    return f"{n:,}" if abs(n) >= 10_000 else str(n)


def answer_number(v: float) -> str:
    """A question's answer as the lesson strip writes it: all its digits (0.75, 2178),
    a whole number from 10,000 up with separators (10,000)."""
    if math.isfinite(v) and v == round(v) and abs(v) < 1e15:
        return whole_number(v)
    return f"{v:g}"


def card_text(card: Card, values) -> str:
    """The card's value: ``values`` is the array ``card.of`` names (for colour_added, the
    colour added (3,) in [0, 1] units). ValueError saying why when it does not fit."""
    values = np.asarray(values, dtype=float)
    if card.show == "colour_added":
        if values.shape != (3,):
            raise ValueError(f"expected a colour (R, G, B), got shape {values.shape}")
        levels = [round(255 * v, 1) for v in values]
        return "  ".join(f"{c} {v:+.1f}".replace("-", "−") if v else f"{c} 0.0"
                         for c, v in zip("RGB", levels, strict=True))
    if values.size == 0:
        raise ValueError(f"{card.of} holds no numbers")
    if card.show in ("value", "true_class"):
        if values.size != 1:
            raise ValueError(f"{card.of} holds {values.size:,} numbers; 'value' needs one")
        return card_number(float(values.ravel()[0]), card.digits)
    if card.show == "sum":
        return card_number(float(values.sum()), card.digits)
    if card.show == "largest":
        return card_number(float(np.abs(values).max()), card.digits)
    share = 100 * float(np.count_nonzero(values == 0)) / values.size     # zeros
    return f"{card_number(share, card.digits)} %"
