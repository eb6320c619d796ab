"""``bpviz-train --ranks N``: N ranks of bpviz-train on this machine, started by bpviz-train
itself through torch's elastic launcher (``torch.distributed.run``, what ``torchrun
--standalone`` runs), so that no Python interpreter has to be found to run torchrun with.

In the full package bpviz-train is a frozen program: there ``sys.executable`` is that
program, and each rank is started as the program itself (torchrun's ``--no-python``). From
a venv or a checkout each rank is ``python -m bpviz.train``. Inside a rank (torchrun's
LOCAL_RANK is set) ``--ranks`` is ignored: the rank trains.
"""
from __future__ import annotations

import os
import sys


def inside_a_rank() -> bool:
    return "LOCAL_RANK" in os.environ


def launcher_args(ranks: int, argv: list[str]) -> list[str]:
    """torchrun's arguments for ``ranks`` processes of bpviz-train with ``argv``."""
    head = ["--standalone", f"--nproc_per_node={ranks}"]
    if getattr(sys, "frozen", False):
        return [*head, "--no-python", sys.executable, *argv]
    return [*head, "-m", "bpviz.train", *argv]


def launch(ranks: int, argv: list[str]) -> int:
    """Run the ranks to their end; the exit code of the first that failed, else 0."""
    from torch.distributed import run
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

    try:
        run.main(launcher_args(ranks, argv))
    except ChildFailedError as err:
        codes = [f.exitcode for f in err.failures.values() if f.exitcode]
        return next((c for c in codes if c > 0), 1)
    return 0
