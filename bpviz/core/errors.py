"""The one error type of the engine: every problem names its node and says what is wrong."""


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
    """A dataset that cannot be used (unreadable file, bad row, wrong shape for the graph);
    the message names the file or the input and the problem."""
