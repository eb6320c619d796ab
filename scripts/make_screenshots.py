"""Regenerate the README's screenshots: each tab, a lesson step and the stepped lecture
example, in presentation mode at 1280x720 (a projector), from a fresh settings folder so
that nothing of the machine's own layout leaks in.

    python scripts/make_screenshots.py [--out docs/screenshots] [--theme light]

Each picture is one ``bpviz --screenshot`` run; the list below is the README's."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHOTS = {
    "backprop": ["--lesson", "02_chain_rule", "--step", "4"],
    "lesson": ["--lesson", "01_one_layer", "--step", "4"],
    "losses": ["--tab", "losses"],
    "optimizers": ["--tab", "optimizers"],
    "training": ["--tab", "training"],
    "tiny_cnn": ["--example", "tiny_cnn"],
}


def shoot(name: str, args: list[str], out: Path, theme: str, config: Path) -> Path:
    path = out / f"{name}.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BPVIZ_CONFIG_DIR=str(config / name))
    command = [sys.executable, "-m", "bpviz", *args, "--presentation", "--theme", theme,
               "--size", "1280x720", "--screenshot", str(path)]
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
            print(shoot(name, SHOTS[name], args.out, args.theme, Path(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
