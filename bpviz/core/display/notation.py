"""Numbers as the class reads them: one notation for small and large figures.

The axes and the lesson titles write powers of ten (10⁻⁸, 3.14·10⁻⁸); a heat-map cell or
a heading that wrote 1.6e-08 beside them made the class read two notations for one kind
of figure (issue 20). ``short`` keeps a cell compact (two significant digits outside
0.001 … 10⁴) in the same notation."""
from __future__ import annotations

import math

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power(exponent: int) -> str:
    """10 to a whole exponent: 10⁻⁸, 10³."""
    return "10" + str(int(exponent)).translate(SUPERSCRIPT)


def short(v: float) -> str:
    """A cell's number: 0.25, -3.14, 1.6·10⁻⁸, 2.5·10⁴ (three significant digits inside
    0.001 … 10⁴, two outside, where the power of ten takes the room)."""
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    return scientific(v)


def scientific(v: float, digits: int = 2) -> str:
    """``digits`` significant digits times a power of ten, whatever the size (5.7·10⁻³):
    for figures compared by their powers of ten in one sentence."""
    if not math.isfinite(v) or v == 0:
        return str(v) if v else "0"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    return f"{mantissa}·{power(int(exponent))}"


def power_of_ten(exponent: float) -> str:
    """10**exponent written as 10⁻³ or 2·10⁻³, whatever its size (one format on an axis)."""
    whole = math.floor(exponent + 1e-9)
    mantissa = round(10 ** (exponent - whole), 1)
    if mantissa >= 10:
        whole, mantissa = whole + 1, 1.0
    ten = power(whole)
    return ten if mantissa == 1 else f"{mantissa:g}·{ten}"
