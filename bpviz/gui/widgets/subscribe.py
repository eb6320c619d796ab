"""``follow``: a Qt view subscribed to a model signal (bpviz.core.events) for as long as the
view lives — a model outlives a dialog, and must not call into a deleted widget."""
from __future__ import annotations

import shiboken6


def follow(signal, owner, slot) -> None:
    """Call ``slot`` on ``signal`` while ``owner`` (a QObject) exists; disconnected when
    it is destroyed."""
    def call(*args):
        if shiboken6.isValid(owner):
            slot(*args)

    signal.connect(call)
    owner.destroyed.connect(lambda *_: signal.disconnect(call))
