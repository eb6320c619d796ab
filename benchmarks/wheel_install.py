"""The wheel as a student meets it: its size, its install time into a fresh venv, and the
installed app's start to first paint.

    .venv/bin/python benchmarks/wheel_install.py [--runs 3] [--wheel dist/bpviz-….whl]

Install: a fresh venv and ``pip install WHEEL``, against the baseline of a fresh venv and
``pip install`` of the wheel's own dependencies (what bpviz adds is the difference), runs
interleaved, medians. Packages come from wherever pip is configured to look (registry, local
mirror, its cache): say which with the figures. First paint: benchmarks/startup.py with the
installed ``bpviz`` (against a bare PySide6 window). Build the wheel first:
packaging/wheel_ci.sh leaves it in dist/.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

from bpviz import __version__

ROOT = Path(__file__).resolve().parents[1]


def requirements(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist without extras' entries."""
    meta = zipfile.ZipFile(wheel).read(f"bpviz-{__version__}.dist-info/METADATA").decode()
    return [r for r in Parser().parsestr(meta).get_all("Requires-Dist") or []
            if "extra ==" not in r]


def timed_install(packages: list[str], folder: Path) -> tuple[float, Path]:
    """Seconds of ``pip install PACKAGES`` into a fresh venv in ``folder``."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    start = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wheel", type=Path,
                        default=ROOT / "dist" / f"bpviz-{__version__}-py3-none-any.whl")
    args = parser.parse_args()
    print(f"wheel {args.wheel.name}: {args.wheel.stat().st_size / 1024:.0f} kB")
    deps = requirements(args.wheel)
    ours, base = [], []
    with tempfile.TemporaryDirectory(prefix="bpviz-wheel-bench-") as tmp:
        for run in range(args.runs):
            seconds, venv = timed_install([str(args.wheel)], Path(tmp) / f"wheel{run}")
            ours.append(seconds)
            base.append(timed_install(deps, Path(tmp) / f"deps{run}")[0])
        w, d = statistics.median(ours), statistics.median(base)
        print(f"fresh venv + pip install the wheel: median {w:.1f} s "
              f"(min {min(ours):.1f}, max {max(ours):.1f})")
        print(f"fresh venv + its dependencies only: median {d:.1f} s "
              f"(min {min(base):.1f}, max {max(base):.1f})")
        print(f"ratio {w / d:.2f}; bpviz's own share {w - d:.1f} s")
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--runs", "5",
                        "--program", str(venv / "bin" / "bpviz")], check=True, cwd=tmp)


if __name__ == "__main__":
    main()
