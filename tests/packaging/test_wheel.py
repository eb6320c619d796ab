"""The wheel and the sdist (packaging/wheel_ci.sh builds them in CI, installs the wheel in a
fresh venv and runs it): every package of bpviz/ and every resource the app opens is inside,
and a wheel built from the sdist holds the same files."""
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from bpviz import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_lists_every_package_of_bpviz():
    """setuptools takes the list as written: a package left out is missing from the wheel
    (the app then fails on import only where it was installed from one)."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)     # (gui/lessons has no __init__)
             for p in (ROOT / "bpviz").rglob("*.py") if "__pycache__" not in p.parts}
    assert listed == found | {"bpviz._resources"}


def build(source: Path, kind: str, out: Path) -> Path:
    code = ("import sys; from setuptools import build_meta as b; "
            "print(getattr(b, 'build_' + sys.argv[1])(sys.argv[2]))")
    result = subprocess.run([sys.executable, "-c", code, kind, str(out)], cwd=source,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist and wheel of a copy of the checkout's package files (as wheel_ci.sh)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    for name in ("bpviz", "resources"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    sdist, wheel = build(source, "sdist", tmp), build(source, "wheel", tmp)
    return tmp, sdist, wheel


def test_the_wheel_carries_what_the_app_opens(built):
    _, _, wheel = built
    assert wheel.name == f"bpviz-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = ROOT / "resources"
    for path in resources.rglob("*"):
        if path.is_file():
            assert f"bpviz/_resources/{path.relative_to(resources).as_posix()}" in names
    for folder in ("examples", "lessons", "help", "icons"):
        assert any(n.startswith(f"bpviz/_resources/{folder}/") for n in names), folder
    entry_points = zipfile.ZipFile(wheel).read(
        f"bpviz-{__version__}.dist-info/entry_points.txt").decode()
    assert "bpviz = bpviz.gui.app:main" in entry_points
    assert "bpviz-train = bpviz.train.cli:main" in entry_points


def test_a_wheel_built_from_the_sdist_holds_the_same_files(built):
    tmp, sdist, wheel = built
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    (tmp / "again").mkdir()
    again = build(unpacked, "wheel", tmp / "again")
    assert sorted(zipfile.ZipFile(again).namelist()) == sorted(zipfile.ZipFile(wheel).namelist())
