"""Regenerate the README's and the docs' screenshots: each tab, a lesson step, the stepped
backward pass, an enlarged Jacobian and the augmentation demo, from a fresh settings folder
so that nothing of the machine's own layout leaks in.

    python scripts/make_screenshots.py [--out docs/screenshots] [--theme light] [--only NAME...]

Each picture is one ``bpviz --screenshot`` run. A lesson step is shown with ``--lesson`` and
``--step``; a state that no lesson reaches (the tiny CNN stepped into its backward pass, an
optimizer race half run) is written as a session file first and opened with ``--session``,
as an instructor would prepare it. Every shot is what a 1280x720 projector shows in
presentation mode (``--presentation --size 1280x720``)."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpviz.core import load_graph  # noqa: E402  (the repository's own bpviz)
from bpviz.core.teaching.session_file import DataChoice, Session, save_session  # noqa: E402
from bpviz.paths import example_path  # noqa: E402

PROJECTOR = ["--presentation", "--size", "1280x720"]

# A one-step lesson (written to a file first) reaches what the shipped lessons only show
# after a question: an enlarged view, the augmentation demo.
FOCUSED_JACOBIAN = [{"example": "tiny_cnn"}, {"data": "shapes"}, {"batch": 8},
                    {"step_to": {"node": "conv", "phase": "backward"}}, {"focus": "jac_input"}]
AUGMENT_DEMO = [{"tab": "training"}, {"augment_demo": True},
                {"set": {"control": "augment_alpha_0", "value": 0.8}},
                {"set": {"control": "augment_flip", "value": True}}]

# name: (the command line after ``bpviz``, what it opens: a session's fields, the actions
# of a one-step lesson, or None)
SHOTS = {
    "lesson": (["--lesson", "01_one_layer", "--step", "4", *PROJECTOR], None),
    "lesson_chain_rule": (["--lesson", "02_chain_rule", "--step", "5", *PROJECTOR], None),
    "focus_jacobian": (PROJECTOR, FOCUSED_JACOBIAN),
    "augment_demo": (PROJECTOR, AUGMENT_DEMO),
    "backprop": (PROJECTOR, dict(example="tiny_cnn", data="shapes", steps=11)),
    "losses": (["--tab", "losses", *PROJECTOR], None),
    "multiclass": (PROJECTOR, dict(example="fc_softmax_ce", data="imagenet10", tab="losses",
                            labs={"losses": {"page": 1, "controls": {
                                # within the margin of the true class: a hinge gradient
                                "slider_y[English setter]": 15}}})),
    "optimizers": (PROJECTOR, dict(example="fc_softmax_ce", data="imagenet10", tab="optimizers",
                            labs={"optimizers": {"shown": 60}})),
    "training": (["--tab", "training", *PROJECTOR], None),
}


def write_session(path: Path, example: str, data: str, steps: int = 0,
                  tab: str = "backprop", labs: dict | None = None) -> Path:
    """A session of a shipped example, its data, the steps taken and the labs' state."""
    graph_file = example_path(example)
    session = Session(load_graph(graph_file), str(graph_file), tab=tab,
                      data=DataChoice(data), steps=steps, labs=labs or {})
    return save_session(session, path)


def write_lesson(path: Path, actions: list[dict]) -> Path:
    """A lesson of one step that runs ``actions``."""
    lesson = {"format": "bpviz.lesson", "version": 1, "title": "Screenshot",
              "steps": [{"title": "Screenshot", "text": "A prepared view.", "do": actions}]}
    path.write_text(json.dumps(lesson), encoding="utf-8")
    return path


def shoot(name: str, out: Path, theme: str, config: Path) -> Path:
    args, setup = SHOTS[name]
    if isinstance(setup, dict):
        args = ["--session", str(write_session(config / f"{name}.bpviz-session.json",
                                               **setup)), *args]
    elif setup is not None:
        args = ["--lesson", str(write_lesson(config / f"{name}.lesson.json", setup)), *args]
    path = out / f"{name}.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_CONFIG_DIR=str(config / name))
    command = [sys.executable, "-m", "bpviz", *args, "--theme", theme,
               "--screenshot", str(path)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"{name}: {result.stderr.strip()}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), help="these shots only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as config:
        for name in args.only or SHOTS:
            print(shoot(name, args.out, args.theme, Path(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
