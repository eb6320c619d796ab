"""RunFolder, the one owner of a run folder's files: config.json, metrics.jsonl (lines cut
short included), the STOP request and the words for how a run ended. Checkpoints are tested
with the loop (test_loop.py, test_faults.py)."""
import json
import os
import subprocess
import sys
import time

import pytest

from bpviz.train.run_folder import OutputError, RunFolder
from bpviz.train.train_config import ConfigError


def line(step) -> str:
    return json.dumps({"split": "train", "step": step})


def test_metrics_reader_follows_a_growing_file(tmp_path):
    path = tmp_path / "metrics.jsonl"
    reader = RunFolder(tmp_path).metrics_reader()
    assert reader.read() == []                             # no file yet
    path.write_text(f"{line(1)}\n{line(2)}\n{line(3)[:9]}")
    assert [r["step"] for r in reader.read()] == [1, 2]
    assert reader.read() == []                             # a line still being written
    with open(path, "a") as f:
        f.write(f"{line(3)[9:]}\ngarbage\n[1, 2]\n{line(4)}")
    assert [r["step"] for r in reader.read()] == [3]
    assert [r["step"] for r in reader.read(final=True)] == [4]
    assert reader.skipped == 2
    path.write_text(line(9) + "\n")                        # rewritten: read from the start
    assert [r["step"] for r in reader.read()] == [9]


def test_records_appended_after_a_cut_off_line_are_read(tmp_path):
    folder = RunFolder(tmp_path)
    folder.append_record({"split": "train", "step": 1})
    with open(folder.metrics, "a") as f:
        f.write(line(2)[:12])                              # killed mid-write
    folder.append_record({"split": "val", "step": 2})
    assert [(r["split"], r["step"]) for r in folder.read_metrics()] == [("train", 1),
                                                                         ("val", 2)]


def test_config_is_written_whole_and_read_back(tmp_path):
    folder = RunFolder(tmp_path / "new" / "run")
    folder.write_config({"arch": "alexnet", "max_steps": None})
    assert folder.read_config() == {"arch": "alexnet", "max_steps": None}
    assert sorted(os.listdir(folder.path)) == ["config.json"]       # no temporary left


@pytest.mark.parametrize("text,message", [
    (None, "cannot read '.*config.json': No such file"),
    ("[", "config.json' is not JSON"),
    ("[1, 2]", "config.json' holds a JSON list, not the run's settings"),
    (b"\xff\xfe", "config.json' is not JSON"),
])
def test_a_config_that_cannot_be_read_names_the_file(tmp_path, text, message):
    if isinstance(text, bytes):
        (tmp_path / "config.json").write_bytes(text)
    elif text is not None:
        (tmp_path / "config.json").write_text(text)
    with pytest.raises(OutputError, match=message):
        RunFolder(tmp_path).read_config()


def test_a_start_never_writes_over_another_run(tmp_path):
    folder = RunFolder(tmp_path)
    folder.check_start(resume=False)                       # empty: fine
    with pytest.raises(ConfigError, match="--resume: no checkpoint.pt in"):
        folder.check_start(resume=True)
    folder.metrics.write_text(line(2) + "\n")
    with pytest.raises(ConfigError, match="records of a run that wrote no checkpoint"):
        folder.check_start(resume=False)
    folder.checkpoint.write_bytes(b"PK")
    with pytest.raises(ConfigError, match="already holds a run .checkpoint.pt.: resume it"):
        folder.check_start(resume=False)
    folder.check_start(resume=True)


def test_a_stop_is_asked_seen_and_cleared(tmp_path):
    folder = RunFolder(tmp_path / "run")                   # not made yet
    started = time.time() - 1.0
    assert not folder.stop_asked_since(started)
    folder.ask_to_stop()
    assert folder.stop_asked_since(started)
    assert not folder.stop_asked_since(time.time() + 60)  # older than that run: left over
    folder.clear_stop()
    folder.clear_stop()                                    # none: nothing to do
    assert not folder.stop_file.exists() and not folder.stop_asked_since(started)


def test_a_stop_that_cannot_be_asked_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="cannot make '.*STOP'"):
        RunFolder(tmp_path / "file" / "run").ask_to_stop()


def test_outcomes_in_words(tmp_path):
    folder = RunFolder(tmp_path)
    checkpoint = tmp_path / "checkpoint.pt"
    assert folder.outcome_text("max_steps", 300) == (f"reached its max steps at step 300; "
                                                     f"checkpoint in {checkpoint}")
    assert folder.outcome_text("done", 9).startswith("finished all its epochs at step 9")
    assert folder.outcome_text("stopped", 7).startswith("stopped at step 7")
    assert "lower learning rate" in folder.outcome_text("diverged", 5)
    assert f"the last good checkpoint is kept in {checkpoint}" in \
        folder.outcome_text("diverged", 5)


def test_run_folders_open_where_torch_is_not_installed(tmp_path):
    """The Training tab reads run folders without torch: only a checkpoint loads it."""
    code = """
import sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('torch', 'torchvision', 'PySide6'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, NoTorch())
from bpviz.train.run_folder import RunFolder
from bpviz.train.folders import layout_problem
from bpviz.train.train_config import TrainConfig
folder = RunFolder(sys.argv[1])
folder.write_config({'arch': 'alexnet'})
folder.append_record({'split': 'train', 'step': 1})
print(folder.read_config()['arch'], len(folder.read_metrics()), layout_problem('synthetic'))
try:
    folder.glance()
except ImportError as err:
    print(err)
"""
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["alexnet 1 None", "blocked: torch"]
