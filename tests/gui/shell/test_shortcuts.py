"""No two of the window's actions share a key: Qt would then fire neither."""
from collections import defaultdict

from PySide6.QtGui import QKeySequence


def test_no_two_actions_share_a_shortcut(window):
    owners = defaultdict(list)
    for action in window.findChildren(type(window.actions()[0])):
        for key in action.shortcuts():
            if not key.isEmpty():
                owners[key.toString(QKeySequence.SequenceFormat.PortableText)].append(action.text())
    shared = {key: names for key, names in owners.items() if len(set(names)) > 1}
    assert shared == {}
