"""What of the installers can be checked without building them: the PyInstaller spec's
contents per flavour, the desktop entry, the MIME type, the icon files and the .deb's
dependencies as derived from ldd's output."""
import configparser
import fnmatch
import importlib.util
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


deb_depends = load(LINUX / "deb_depends.py", "deb_depends")
export_icons = load(ROOT / "packaging" / "export_icons.py", "export_icons")


class Recorder:
    """Stands for PyInstaller's build classes: records what the spec passes them."""
    made: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.pure = self.scripts = self.binaries = self.datas = []
        Recorder.made.append(self)


def run_spec(flavour: str, monkeypatch) -> list:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: [(f"/site/{package}/data", package)]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setenv("BPVIZ_FLAVOUR", flavour)
    Recorder.made = []
    names = {n: type(n, (Recorder,), {}) for n in ("Analysis", "PYZ", "EXE", "COLLECT",
                                                               "BUNDLE")}
    code = (ROOT / "packaging" / "bpviz.spec").read_text()
    exec(compile(code, "bpviz.spec", "exec"), {**names, "SPECPATH": str(ROOT / "packaging")})
    return Recorder.made


def made(records, kind):
    return [r for r in records if type(r).__name__ == kind]


@pytest.mark.parametrize("flavour,exes", [("small", ["bpviz"]),
                                          ("full", ["bpviz", "bpviz-train"])])
def test_the_spec_bundles_resources_font_and_the_flavours_torch(flavour, exes, monkeypatch):
    records = run_spec(flavour, monkeypatch)
    assert [e.kwargs["name"] for e in made(records, "EXE")] == exes
    for analysis in made(records, "Analysis"):
        datas = analysis.kwargs["datas"]
        assert (str(ROOT / "resources"), "resources") in datas
        assert {d for _, d in datas} >= {"ziamath", "ziafont", "latex2mathml"}
        assert "PySide6.QtSvg" in analysis.kwargs["hiddenimports"]
        assert ("torch" in analysis.kwargs["excludes"]) == (flavour == "small")
        # torchvision's compiled operators, which the contrib hook misses since 0.29
        compiled = {Path(so).name for so, folder in analysis.kwargs["binaries"]
                    if folder == "torchvision"}
        assert ("_C_stable.so" in compiled) == (flavour == "full"), compiled
    assert made(records, "COLLECT")[0].kwargs["name"] == "bpviz"      # dist/bpviz/


def test_an_unknown_flavour_stops_the_spec(monkeypatch):
    with pytest.raises(SystemExit, match="small' or 'full"):
        run_spec("huge", monkeypatch)


def desktop_entry() -> configparser.ConfigParser:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str                       # keys are case-sensitive
    entry.read(LINUX / "bpviz.desktop", encoding="utf-8")
    return entry


def mime_types() -> dict[str, ET.Element]:
    root = ET.parse(LINUX / "bpviz-mime.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    return {m.get("type"): m for m in root.findall(f"{MIME_NS}mime-type")}


def test_the_desktop_entry_opens_bpviz_files_with_the_icon():
    entry = desktop_entry()
    assert entry.sections() == ["Desktop Entry"]
    e = entry["Desktop Entry"]
    assert e["Type"] == "Application" and e["Icon"] == "bpviz" and e["Terminal"] == "false"
    assert e["Exec"] == "bpviz %f"                  # one file, as `bpviz FILE` takes
    assert e["MimeType"] == "".join(f"{t};" for t in mime_types())
    assert e["Categories"].endswith(";") and "Education" in e["Categories"].split(";")
    validator = shutil.which("desktop-file-validate")
    if validator:                                  # CI installs it for the package step
        result = subprocess.run([validator, str(LINUX / "bpviz.desktop")],
                                capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout


# each type: a file of it, and files that must not count as it
CLAIMS = {"application/x-bpviz+json": ("lecture.bpviz.json", "bpviz network"),
          "application/x-bpviz-session+json": ("class.bpviz-session.json", "bpviz session"),
          "application/x-bpviz-lesson+json": ("01_one_layer.lesson.json", "bpviz lesson")}


def test_the_mime_types_claim_graphs_sessions_and_lessons_each_their_own():
    from bpviz.core.teaching.session_file import SUFFIX

    types = mime_types()
    assert set(types) == set(CLAIMS)
    for name, mime in types.items():
        example, comment = CLAIMS[name]
        assert mime.find(f"{MIME_NS}comment").text == comment
        assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
        (glob,) = mime.findall(f"{MIME_NS}glob")
        pattern = glob.get("pattern")
        assert int(glob.get("weight")) > 50        # above the *.json glob's default 50
        others = [e for e, _ in CLAIMS.values() if e != example] + ["data.json"]
        assert fnmatch.fnmatch(example, pattern)
        assert not any(fnmatch.fnmatch(other, pattern) for other in others), pattern
    # what File ▸ Save Session writes is what the session type claims
    assert types["application/x-bpviz-session+json"].find(
        f"{MIME_NS}glob").get("pattern") == "*" + SUFFIX


def test_the_deb_gives_each_file_type_the_icon():
    script = (LINUX / "make_deb.sh").read_text()
    assert "mimetypes/${type/\\//-}.png" in script and "for type in $MIME_TYPES" in script


def test_macos_declares_the_three_file_types(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    records = run_spec("small", monkeypatch)
    (bundle,) = [r for r in Recorder.made if type(r).__name__ == "BUNDLE"]
    plist = bundle.kwargs["info_plist"]
    declared = {t["UTTypeIdentifier"]: t["UTTypeTagSpecification"]["public.filename-extension"]
                for t in plist["UTExportedTypeDeclarations"]}
    assert declared == {"org.bpviz.graph": ["bpviz.json"],
                        "org.bpviz.session": ["bpviz-session.json"],
                        "org.bpviz.lesson": ["lesson.json"]}
    opened = {t for d in plist["CFBundleDocumentTypes"] for t in d["LSItemContentTypes"]}
    assert opened == set(declared) and records


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_icon_exists_at_every_size_desktop_entries_use():
    svg = ET.parse(ICONS / "bpviz.svg").getroot()
    assert svg.get("viewBox") == "0 0 256 256"
    found = sorted(int(p.parts[-3].split("x")[0]) for p in ICONS.glob("hicolor/*/apps/*.png"))
    assert found == sorted(export_icons.SIZES)
    assert {16, 32, 48, 64, 128, 256} <= set(found)
    for size in found:
        assert png_size(export_icons.png_path(size)) == (size, size)


@pytest.mark.parametrize("soname,package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"), ("libxcb.so.1", "libxcb1"),
    ("libEGL.so.1", "libegl1"), ("libGL.so.1", "libgl1"), ("libgtk-3.so.0", "libgtk-3-0"),
    ("libdbus-1.so.3", "libdbus-1-3"), ("libGLdispatch.so.0", "libglvnd0"),
    ("libglib-2.0.so.0", "libglib2.0-0"), ("libwayland-client.so.0", "libwayland-client0")])
def test_debian_package_names_follow_the_library_naming(soname, package):
    assert deb_depends.debian_package(soname) == package


def test_an_unknown_library_stops_the_package():
    with pytest.raises(ValueError, match="libweird.so"):
        deb_depends.debian_package("libweird.so")


LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007fe2)
\tlibxcb-icccm.so.4 => not found
\tlibQt6Gui.so.6 => /opt/b/_internal/libQt6Gui.so.6 (0x00007f44)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fe2)
"""


def test_depends_from_ldd_optional_plugins_only_recommend(monkeypatch):
    assert deb_depends.LDD_LINE.findall(LDD) == [
        ("libGL.so.1", "/lib/x86_64-linux-gnu/libGL.so.1"), ("libxcb-icccm.so.4", "not found"),
        ("libQt6Gui.so.6", "/opt/b/_internal/libQt6Gui.so.6"),
        ("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6")]
    needs = {"libGL.so.1": {"_internal/libQt6Gui.so.6"},
             "libxcb-icccm.so.4": {"_internal/PySide6/Qt/plugins/platforms/libqxcb.so"},
             "libgtk-3.so.0": {"_internal/PySide6/Qt/plugins/platformthemes/libqgtk3.so"},
             "libwayland-client.so.0": {"_internal/PySide6/Qt/lib/libQt6WaylandClient.so.6",
                                        "_internal/libQt6Gui.so.6"},
             "libc.so.6": {"bpviz"}, "libcuda.so.1": {"_internal/torch/lib/libc10_cuda.so"}}
    depends, recommends = deb_depends.relations(needs, "2.36")
    assert depends == ["fontconfig", "fonts-dejavu-core", "libc6 (>= 2.36)", "libgl1",
                       "libwayland-client0", "libxcb-icccm4"]
    assert recommends == ["libgtk-3-0"]


def test_the_small_package_names_the_full_one_and_a_venv_for_training(monkeypatch):
    from bpviz import __version__
    from bpviz.gui.training import install_notice

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    # no pip in the bundle: a venv with CPU-only torch and the wheel, for bpviz-train
    command = install_notice.install_command(gpu=False)
    assert command.startswith("python3 -m venv ~/bpviz-venv && ")
    assert "install torch torchvision --index-url https://download.pytorch.org/whl/cpu" \
        in command
    assert command.endswith(f"pip install bpviz-{__version__}-py3-none-any.whl")
    assert "--index-url" not in install_notice.install_command(gpu=True)
    above, below = install_notice.advice("No module named 'torch'", gpu=False)
    assert "bpviz-full" in above and "packaging/build.sh full" in above
    assert "bpviz-train" in above and "Open run folder" in below and "CPU-only" in below
    monkeypatch.delattr(sys, "frozen")
    # a Python with pip: its own pip, CPU-only torch where no NVIDIA GPU shows
    assert install_notice.install_command(gpu=True).endswith(
        "-m pip install torch torchvision")
    assert install_notice.install_command(gpu=False).endswith(
        "-m pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu")
    above, _ = install_notice.advice("No module named 'torch'", gpu=False)
    assert "bpviz-full" not in above and "restart bpviz" in above


def test_a_torchvision_without_its_operators_is_reported_not_raised(monkeypatch):
    from bpviz.gui.training import install_notice

    def broken_bundle():
        raise RuntimeError("operator torchvision::nms does not exist")
    monkeypatch.setattr(install_notice, "load_engine", broken_bundle)
    assert install_notice.missing_engine() == "operator torchvision::nms does not exist"
