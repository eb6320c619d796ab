"""The F1 help pages' format (bpviz.core.teaching.help_pages): a title, Markdown text, one-line
display formulas; every problem names the file and the line."""
import pytest

from bpviz.core.teaching.help_pages import HelpError, load, load_all, parse
from bpviz.paths import resources_dir

GOOD = "# Inspector\nValues and gradients.\n\n$$ \\frac{a}{b} $$\nmore text\n"


def test_a_page_is_text_and_formulas_in_order():
    page = parse(GOOD, "inspector")
    assert page.title == "Inspector"
    assert [b.kind for b in page.blocks] == ["text", "formula", "text"]
    assert page.formulas() == ["\\frac{a}{b}"]
    assert page.blocks[2].source == "more text"


@pytest.mark.parametrize("text, key, message", [
    ("Inspector\ntext", "inspector", "inspector.md, line 1: a page starts with its title"),
    ("# \ntext", "inspector", "line 1"),
    ("# Title\n$$ \\frac{a}{b $$\n", "x", "x.md, line 2: unbalanced braces"),
    ("# Title\ntext\n$$ x + y\n", "x", "x.md, line 3: a formula is one line"),
    ("# Title\ntext\n$$$$\n", "x", "line 3: a formula is one line"),
    ("# Title\n\n$$ x $$\n", "x", "x.md: the page has a title but no text"),
    ("# Title\ntext", "Bad Name", "lower-case key"),
    ("# Title\n" + "x" * 9000, "x", "more than 8,000"),
])
def test_a_bad_page_names_the_file_and_the_line(text, key, message):
    with pytest.raises(HelpError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse(text, key)


def test_an_unreadable_file_is_a_help_error(tmp_path):
    path = tmp_path / "canvas.md"
    path.write_bytes(b"# T\n\xff\xfe bad")
    with pytest.raises(HelpError, match="canvas.md: cannot be read"):
        load(path)
    with pytest.raises(HelpError, match="missing.md: cannot be read"):
        load(tmp_path / "missing.md")


def test_the_shipped_pages_load_and_every_formula_renders():
    import ziamath
    ziamath.config.svg2 = False
    pages = load_all(resources_dir() / "help")
    assert len(pages) >= 17
    for page in pages.values():
        for latex in page.formulas():
            svg = ziamath.Math.fromlatex(latex, size=20).svg()
            assert "<path" in svg or "<use" in svg, (page.key, latex)
