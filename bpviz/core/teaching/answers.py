"""Numbers as students type them, for a lesson's questions: every reading of the text.

"0,75" is 0.75 (a decimal comma), "10,000" is 10000 (a thousands separator) — and "2,178"
can be either, so both readings are returned and an answer is right when either is. Also
accepted: spaces, thin spaces and apostrophes between digit groups ("10 000", "10'000"),
a leading + or the minus sign −, fractions ("1/4"), percentages ("25%" is 0.25), and powers
of ten written "3e-8", "3·10⁻⁸", "3×10^-8", "3*10**-8" or "10⁻⁸".
"""
from __future__ import annotations

import math
import re

MAX_LENGTH = 64                      # an answer box, not a file: longer text is no number

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPER_POWER = re.compile(r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")
_POWER = re.compile(r"(?:(?P<m>.+?)\s*[·⋅×x*]\s*)?10\s*(?:\^|\*\*)\s*(?P<e>[-+]?\d{1,3})")
_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f'’](?=\d{3}(\D|$))")


def readings(text) -> list[float]:
    """Every finite number ``text`` can be read as, smallest first (none: not a number)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return [float(text)] if math.isfinite(text) else []
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return []
    s = text.strip().replace("−", "-").replace("–", "-")
    s = _SUPER_POWER.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), s)
    s = _GROUPS.sub("", s)
    if s.endswith("%"):
        return [v / 100 for v in readings(s[:-1])]
    if "/" in s:
        if s.count("/") > 1:                   # 1/2/4: no reading a student would mean
            return []
        top, _, bottom = s.partition("/")
        return sorted({t / b for t in readings(top) for b in readings(bottom) if b != 0})
    power = _POWER.fullmatch(s)
    if power:
        values = readings(power.group("m")) if power.group("m") else [1.0]
        return _scaled(values, int(power.group("e")))
    return _plain(s)


def _scaled(values: list[float], exponent: int) -> list[float]:
    """Each of ``values`` times 10^exponent, exactly where it can be written so ("3" and
    -8 make 3e-8), the finite ones."""
    out = set()
    for v in values:
        try:
            r = v * 10.0 ** exponent if "e" in repr(v) else float(f"{v!r}e{exponent}")
        except OverflowError:
            continue
        if math.isfinite(r):
            out.add(r)
    return sorted(out)


def _plain(s: str) -> list[float]:
    """A plain decimal number, with at most one kind of separator in doubt."""
    if "," in s and "." in s:                 # 1,234.5 or 1.234,5: the last one is decimal
        decimal, group = (".", ",") if s.rfind(".") > s.rfind(",") else (",", ".")
        return _floats(s.replace(group, "").replace(decimal, "."))
    if "," in s:
        out = _floats(s.replace(",", ".")) if s.count(",") == 1 else []
        if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", s):
            out += _floats(s.replace(",", ""))
        return sorted(set(out))
    return _floats(s)


def _floats(s: str) -> list[float]:
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        return []
    value = float(s)
    return [value] if math.isfinite(value) else []


def is_close(text, answer: float, tolerance: float) -> bool:
    """Whether any reading of ``text`` is within ``tolerance`` of ``answer``."""
    return any(abs(v - answer) <= tolerance for v in readings(text))
