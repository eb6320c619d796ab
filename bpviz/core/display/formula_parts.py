"""A formula that sets two equations side by side (``a = b,\\quad c = d`` or
``a \\qquad b``) split into its equations, so that a narrow column shows them one below the
other at the text's size instead of shrinking both to fit its width."""
from __future__ import annotations

SEPARATORS = (r",\quad", r"\qquad")


def formula_parts(latex: str, most: int = 0) -> list[str]:
    """The equations of ``latex`` at its top level (not inside braces), in order; with
    ``most`` > 0, the last part keeps what is left after ``most - 1`` splits."""
    parts: list[str] = []
    depth, start, k = 0, 0, 0
    while k < len(latex):
        char = latex[k]
        if char == "\\" and latex[k + 1:k + 2] in "{}":
            k += 2                                     # an escaped brace: \{ or \}
            continue
        depth += (char == "{") - (char == "}")
        sep = next((s for s in SEPARATORS if depth == 0 and latex.startswith(s, k)), None)
        after = latex[k + len(sep):k + len(sep) + 1] if sep else ""
        if sep is not None and not after.isalpha() and (not most or len(parts) < most - 1):
            parts.append(latex[start:k].strip())
            k = start = k + len(sep)
            continue
        k += 1
    parts.append(latex[start:].strip())
    return [part for part in parts if part]
