"""The Debian packages a frozen bundle needs from the system: every shared library that a
library in the bundle links to and the bundle does not carry (ldd: found outside it, or not
found), named by its Debian package.

    python3 packaging/linux/deb_depends.py dist/bpviz
    Depends: libc6 (>= 2.36), libegl1, libgl1, ...
    Recommends: libgtk-3-0, libwayland-cursor0, ...

A library that only optional Qt plugins need (Wayland, the GTK theme, EGLFS, ...) goes to
Recommends: without it Qt skips that plugin. The package name follows Debian's library
naming (libfoo.so.N -> libfooN, libfoo-2.so.N -> libfoo-2-N) with the exceptions below;
an unknown library stops the build rather than ship a package that fails to start.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GLIBC = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libresolv.so.2",
         "librt.so.1", "libutil.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
EXCEPTIONS = {"libGLdispatch.so.0": "libglvnd0", "libgdk-3.so.0": "libgtk-3-0",
              "libglib-2.0.so.0": "libglib2.0-0", "libgobject-2.0.so.0": "libglib2.0-0",
              "libgio-2.0.so.0": "libglib2.0-0", "libgmodule-2.0.so.0": "libglib2.0-0",
              "libstdc++.so.6": "libstdc++6", "libgcc_s.so.1": "libgcc-s1"}
# the NVIDIA driver's libraries: a CUDA torch loads them where a GPU exists
DRIVER = {"libcuda.so.1", "libnvidia-ml.so.1"}
# the fonts Qt draws with (it links fontconfig, which reads these)
ALWAYS = ["fontconfig", "fonts-dejavu-core"]
OPTIONAL_USERS = re.compile(r"wayland|WlShell|platformthemes|egldeviceintegrations|EglFS|qeglfs|"
                            r"qvkkhrdisplay|qlinuxfb|qvnc|networkinformation|tls/|"
                            r"platforminputcontexts", re.IGNORECASE)
LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)", re.MULTILINE)


def debian_package(soname: str) -> str:
    """'libxcb-icccm.so.4' -> 'libxcb-icccm4' (Debian policy 8.1), with the exceptions."""
    if soname in EXCEPTIONS:
        return EXCEPTIONS[soname]
    match = re.fullmatch(r"(lib[\w+.-]+?)\.so\.(\d+)", soname)
    if not match:
        raise ValueError(f"no Debian package known for {soname}")
    name, version = match.group(1).lower(), match.group(2)
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def external_libraries(bundle: Path) -> dict[str, set[str]]:
    """{soname: the bundle's files that need it} for libraries outside the bundle."""
    needs: dict[str, set[str]] = {}
    for path in sorted(bundle.rglob("*.so*")) + [bundle / "bpviz"]:
        if not path.is_file() or path.is_symlink():
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True,
                             env={"LD_LIBRARY_PATH": str(bundle / "_internal")}).stdout
        for soname, where in LDD_LINE.findall(out):
            if where == "not found" or not where.startswith(str(bundle)):
                needs.setdefault(soname, set()).add(str(path.relative_to(bundle)))
    return needs


def glibc_version() -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"],
                         capture_output=True, text=True).stdout
    return out.split("-")[0] or "2.36"


def relations(needs: dict[str, set[str]], glibc: str) -> tuple[list[str], list[str]]:
    """(Depends, Recommends) as sorted package lists."""
    depends, recommends = {f"libc6 (>= {glibc})", *ALWAYS}, set()
    for soname, users in needs.items():
        if soname in GLIBC or soname in DRIVER:
            continue
        optional = all(OPTIONAL_USERS.search(user) for user in users)
        (recommends if optional else depends).add(debian_package(soname))
    return sorted(depends), sorted(recommends - {d.split()[0] for d in depends})


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "_internal").is_dir():
        print("usage: deb_depends.py BUNDLE_FOLDER (e.g. dist/bpviz)", file=sys.stderr)
        return 2
    bundle = Path(argv[0]).resolve()
    try:
        depends, recommends = relations(external_libraries(bundle), glibc_version())
    except ValueError as err:
        print(f"deb_depends.py: {err}: add it to EXCEPTIONS", file=sys.stderr)
        return 1
    print("Depends: " + ", ".join(depends))
    print("Recommends: " + ", ".join(recommends))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
