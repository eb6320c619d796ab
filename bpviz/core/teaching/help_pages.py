"""The "what is on screen" help pages (F1): one Markdown file per panel in
``resources/help/<key>.md``, read and checked here; the GUI only lays them out.

A page is Markdown with one addition: a line that starts and ends with ``$$`` is a display
formula (LaTeX, drawn by ziamath), shown on a line of its own between the paragraphs::

    # Inspector
    What the current step computed, for one sample.

    $$ \\frac{\\partial L}{\\partial x} = \\frac{\\partial L}{\\partial y} J $$

The first line is the page's title (``# ...``). Every problem is one ``HelpError`` naming
the file and the line, as lesson files do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".md"
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_CHARS = 8000            # a page read from a projector, not a manual chapter


class HelpError(ValueError):
    """A help page that cannot be shown; the message names the file and the line."""


@dataclass(frozen=True)
class Block:
    kind: str               # "text" (Markdown) or "formula" (LaTeX)
    source: str


@dataclass(frozen=True)
class HelpPage:
    key: str                # the file's name without .md: the panel it explains
    title: str
    blocks: tuple

    def formulas(self) -> list[str]:
        return [b.source for b in self.blocks if b.kind == "formula"]


def parse(text: str, key: str, name: str = "") -> HelpPage:
    """The page in ``text``; ``name`` (the file's) goes into every error message."""
    name = name or f"{key}{SUFFIX}"
    if not KEY.match(key):
        raise HelpError(f"{name}: the file name must be a lower-case key such as "
                        f"'inspector.md', not {key!r}")
    if len(text) > MAX_CHARS:
        raise HelpError(f"{name}: {len(text):,} characters, more than {MAX_CHARS:,}")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        raise HelpError(f"{name}, line 1: a page starts with its title, '# Title'")
    blocks: list = []
    para: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped.startswith("$$") or stripped.endswith("$$"):
            blocks += _text_block(para)
            para = []
            blocks.append(Block("formula", _formula(stripped, f"{name}, line {number}")))
        else:
            para.append(line)
    blocks += _text_block(para)
    if not any(b.kind == "text" for b in blocks):
        raise HelpError(f"{name}: the page has a title but no text")
    return HelpPage(key, lines[0][2:].strip(), tuple(blocks))


def _formula(line: str, where: str) -> str:
    if len(line) < 5 or not (line.startswith("$$") and line.endswith("$$")):
        raise HelpError(f"{where}: a formula is one line '$$ latex $$' (found {line[:40]!r})")
    latex = line[2:-2].strip()
    if not latex or "$$" in latex:
        raise HelpError(f"{where}: a formula is one line '$$ latex $$' (found {line[:40]!r})")
    if latex.count("{") != latex.count("}"):
        raise HelpError(f"{where}: unbalanced braces in the formula {latex[:40]!r}")
    return latex


def _text_block(lines: list) -> list:
    text = "\n".join(lines).strip()
    return [Block("text", text)] if text else []


def load(path) -> HelpPage:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise HelpError(f"{path.name}: cannot be read ({err})") from None
    return parse(text, path.name.removesuffix(SUFFIX), path.name)


def load_all(folder) -> dict[str, HelpPage]:
    """{key: page} of every ``*.md`` in ``folder`` (HelpError on the first bad one)."""
    return {page.key: page for page in map(load, sorted(Path(folder).glob(f"*{SUFFIX}")))}
