"""The one error type of the engine: every problem names its node and says what is wrong."""
import math
import reprlib


class GraphError(ValueError):
    """A problem in a graph, a graph file or a feed.

    ``node`` is the id of the node at fault (None for file-level problems); the message
    already names it, so ``str(err)`` can be shown to a user as it is.
    """

    def __init__(self, message: str, node: str | None = None, op: str | None = None):
        self.node = node
        self.op = op
        self.problem = message
        if node is not None:
            where = f"node '{node}'" + (f" ({op})" if op else "")
            message = f"{where}: {message}"
        super().__init__(message)


class OpError(ValueError):
    """Raised by an op about its own inputs or attributes; the graph adds the node's name."""


class DataError(ValueError):
    """A dataset that cannot be used (unreadable file, bad row, wrong shape for the graph,
    a training data folder bpviz-train cannot read); the message names the file, folder or
    input and the problem."""


_SHOWN = reprlib.Repr()          # (keyword arguments need Python 3.12)
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 2, 8, 6
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlong = 40


def shown(value) -> str:
    """``repr(value)`` short enough for a message, whatever a file put there (a megabyte
    string, a 400-digit number, lists nested a thousand deep)."""
    return _SHOWN.repr(value)


def amount(count: int) -> str:
    """A count for a message: 1,234,567, or about 10^k when it is astronomical (Python
    refuses to write integers of more than 4,300 digits)."""
    if count < 10**18:
        return f"{count:,}"
    return f"about 10^{int(count.bit_length() * math.log10(2))}"


MAX_MESSAGE = 300        # characters in one message about a file, whatever the file quotes


def clipped(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` on one line and at most ``limit`` characters (an excerpt of what a
    file put there, never all of it)."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
