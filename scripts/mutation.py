"""Mutation testing of the core with mutmut: how many deliberate small changes to a module
(an operator flipped, a constant moved by one, a call dropped) make one of its tests fail.

    python scripts/mutation.py answers optim          # named modules (see MODULES)
    python scripts/mutation.py --all                  # every module of the table
    python scripts/mutation.py --ci                   # the fixed slice CI runs (~2 min)

Each run works in a temporary copy of the repository (mutmut writes its mutants/ folder
there, never into the checkout), prints one line per module (killed / all, the score) and
the survivors' names (`mutmut show NAME` in that copy shows the change), and exits 1 when a
module scores under --goal (default 0.9).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module key -> (the file mutated, the tests that judge it)
MODULES = {
    "answers": ("bpviz/core/teaching/answers.py",
                ["tests/core/teaching/test_answers.py"]),
    "optim": ("bpviz/core/optimization/optim.py",
              ["tests/core/optimization/test_optim.py",
               "tests/core/test_classroom.py"]),
    "chain_path": ("bpviz/core/backprop/chain_path.py",
                   ["tests/core/backprop/test_chain_path.py"]),
    "stepper": ("bpviz/core/backprop/stepper.py",
                ["tests/core/backprop/test_stepper.py"]),
    "jacobian": ("bpviz/core/backprop/jacobian.py",
                 ["tests/core/backprop/test_jacobian.py"]),
    "classroom": ("bpviz/core/classroom.py",
                  ["tests/core/test_classroom.py",
                   "tests/core/test_classroom_state.py",
                   "tests/core/test_classroom_steps.py"]),
    "trainer": ("bpviz/core/optimization/trainer.py",
                ["tests/core/optimization/test_datasets_trainer.py"]),
    "lessons": ("bpviz/core/teaching/lessons.py",
                ["tests/core/teaching/test_lessons.py",
                 "tests/core/teaching/test_lesson_bounds.py",
                 "tests/core/teaching/test_lesson_race.py",
                 "tests/core/teaching/test_lesson_fields.py"]),
    "session": ("bpviz/core/teaching/session_file.py",
                ["tests/core/teaching/test_session_file.py",
                 "tests/core/teaching/test_session_messages.py",
                 "tests/core/teaching/test_session_fields.py"]),
}
CI_SLICE = ["answers"]
COPIED = ("bpviz", "resources", "tests", "pyproject.toml")
DETECTED = {"killed", "timeout"}     # a mutant that hangs its tests is caught too
RESULT = re.compile(r"^\s*(\S+): (\w[\w ]*)$")


def workspace(module: str, tests: list[str]) -> Path:
    """A temporary copy of the repository whose pyproject.toml points mutmut at ``module``."""
    place = Path(tempfile.mkdtemp(prefix="bpviz-mutation-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, place / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", "mutants"))
        else:
            shutil.copy2(source, place / name)
    config = (f'\n[tool.mutmut]\nsource_paths = ["{module}"]\n'
              f'also_copy = ["bpviz/", "resources/", "tests/"]\n'
              f"pytest_add_cli_args_test_selection = {tests!r}\n"
              f'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:xdist"]\n')
    with open(place / "pyproject.toml", "a", encoding="utf-8") as file:
        file.write(config.replace("'", '"'))
    return place


def score(key: str, children: int, show: bool = False) -> tuple[int, int, list[str]]:
    """(killed, all, survivors) of one module's mutants; with ``show`` each survivor is
    its diff."""
    module, tests = MODULES[key]
    place = workspace(module, tests)
    try:
        mutmut = [sys.executable, "-m", "mutmut"]
        run = subprocess.run([*mutmut, "run", "--max-children", str(children)], cwd=place,
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"mutation.py: mutmut failed on {module}:\n{run.stdout[-3000:]}"
                             f"{run.stderr[-3000:]}")
        listed = subprocess.run([*mutmut, "results", "--all", "true"], cwd=place,
                                capture_output=True, text=True, check=True).stdout
        outcomes = dict(m.groups() for m in map(RESULT.match, listed.splitlines()) if m)
        survivors = sorted(name for name, outcome in outcomes.items() if outcome not in DETECTED)
        if show:
            survivors = [subprocess.run([*mutmut, "show", name], cwd=place, capture_output=True,
                                        text=True).stdout.strip() or name for name in survivors]
    finally:
        shutil.rmtree(place, ignore_errors=True)
    return len(outcomes) - len(survivors), len(outcomes), survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], metavar="MODULE")
    parser.add_argument("--all", action="store_true", help="every module of the table")
    parser.add_argument("--ci", action="store_true", help=f"the CI slice: {CI_SLICE}")
    parser.add_argument("--goal", type=float, default=0.9)
    parser.add_argument("--children", type=int, default=2, help="mutants run at once")
    parser.add_argument("--show", action="store_true", help="each survivor's diff")
    args = parser.parse_args(argv)
    keys = list(MODULES) if args.all else CI_SLICE if args.ci else args.modules
    if not keys:
        parser.error("name a module, or give --all or --ci")
    failed = []
    for key in keys:
        killed, total, survivors = score(key, args.children, args.show)
        ratio = killed / total if total else 1.0
        print(f"{MODULES[key][0]}: {killed}/{total} killed, {ratio:.1%}", flush=True)
        for name in survivors:
            print("    survived: " + name.replace("\n", "\n    "))
        if ratio < args.goal:
            failed.append(key)
    if failed:
        print(f"mutation.py: under {args.goal:.0%}: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
