"""Scratch folders for the benchmarks: each is removed when the script exits (normally or
by an exception; only a kill leaves one behind)."""
import atexit
import os
import shutil
import tempfile


def scratch_dir(prefix: str = "bpviz-bench-") -> str:
    """A new empty folder, removed at exit."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def config_dir() -> None:
    """The app's settings, recovery and error log in a scratch folder, unless the caller
    gave BPVIZ_CONFIG_DIR."""
    if "BPVIZ_CONFIG_DIR" not in os.environ:
        os.environ["BPVIZ_CONFIG_DIR"] = scratch_dir()
