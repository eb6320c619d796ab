"""What a bpviz program itself wrote on stderr. Its own lines start with its name
("bpviz: ...", "bpviz-train: ...", "bpviz-convert: ..."); Qt's platform plugin and the OS
may add lines of their own, more of them under load ("This plugin does not support
propagateSizeHints()"), and those are not the program's. A traceback always counts."""


def own_lines(stderr: str) -> list[str]:
    """The program's lines of ``stderr``; fails the test on a traceback anywhere in it."""
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("bpviz")]
