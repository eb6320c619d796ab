"""Found by the fault trials (benchmarks/fault_trials.py): a session whose graph quotes a
long value gave a message of up to 59,000 characters (a node id of 400 digits, an op
that is a list of 10,000 numbers). Every SessionError is one line of at most 300."""
import json

import pytest

from bpviz.core.teaching.session_file import MAX_MESSAGE, SessionError, load_session
from bpviz.paths import example_path


@pytest.mark.parametrize("damage", [{"id": 10**400}, {"op": list(range(10_000))},
                                    {"k" * 5000: 1}, {"inputs": "x" * 300_000}])
def test_a_session_graphs_message_is_one_short_line(tmp_path, damage):
    graph = json.loads(example_path("spirals_mlp").read_text())
    graph["nodes"][1].update(damage)
    path = tmp_path / "class.bpviz-session.json"
    path.write_text(json.dumps({"format": "bpviz.session", "version": 1, "graph": graph,
                                "data": {"source": "spirals"}}))
    with pytest.raises(SessionError) as caught:
        load_session(path)
    message = str(caught.value)
    assert len(message) <= MAX_MESSAGE and "\n" not in message
    assert message.startswith("'class.bpviz-session.json': field graph: node")
