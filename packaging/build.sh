#!/usr/bin/env bash
# Build bpviz's frozen app and its Linux .deb from this checkout:
#
#   packaging/build.sh [small|full]        (default: small)
#   BPVIZ_DEB=0 packaging/build.sh full    the frozen folder only, no .deb (a check of the
#                                          bundle: packaging/check_full_ranks.sh)
#
#   small  dist/bpviz/bpviz without torch (~240 MB) and dist/bpviz_<version>_<arch>.deb
#   full   the torch of the build Python included (a CUDA torch makes a GPU build) and
#          dist/bpviz/bpviz-train beside bpviz; dist/bpviz-full_<version>_<arch>.deb
#
# It uses the Python of .venv (or $PYTHON), which must have bpviz's dependencies
# (pip install -e . ; for full also torch and torchvision: pip install -e '.[train]').
# The bundle opens .onnx models only where that Python has the onnx package (the optional
# extra: pip install onnx); without it, bpviz model.onnx says so and how to convert instead.
# Offline, except for one thing: PyInstaller is installed from PyPI into that Python when it
# is missing. A fresh clone without .venv gets one made first (that needs PyPI too).
# The bundle runs on Linux systems with the build machine's glibc or newer: build on the
# oldest distribution you support (here: Debian 12).
set -euo pipefail
FLAVOUR=${1:-small}
case $FLAVOUR in small|full) ;; *) echo "usage: packaging/build.sh [small|full]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
if [ ! -x "$PYTHON" ] && [ "$PYTHON" = "$ROOT/.venv/bin/python" ]; then
  extra=$([ "$FLAVOUR" = full ] && echo "[train]" || echo "")
  python3 -m venv .venv && .venv/bin/python -m pip install -e ".$extra" onnx
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  "$PYTHON" -m pip install "pyinstaller>=6.10,<7"
fi
if [ "$FLAVOUR" = full ] && ! "$PYTHON" -c "import torch, torchvision" 2>/dev/null; then
  echo "build.sh: the full flavour needs torch and torchvision in $PYTHON" >&2; exit 2
fi
if ! "$PYTHON" -c "import onnx" 2>/dev/null; then
  echo "build.sh: no onnx in $PYTHON: the bundle will not open .onnx models" >&2
fi
start=$(date +%s)
rm -rf dist/bpviz
BPVIZ_FLAVOUR=$FLAVOUR "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath "build/pyinstaller-$FLAVOUR" packaging/bpviz.spec
frozen=$(date +%s)
if [ "${BPVIZ_DEB:-1}" = 0 ]; then
  echo "build.sh: $FLAVOUR: dist/bpviz $(du -sh dist/bpviz | cut -f1) in $((frozen - start)) s (no .deb)"
  exit 0
fi
deb=$(bash packaging/linux/make_deb.sh "$FLAVOUR" "$PYTHON")
done_at=$(date +%s)
echo "build.sh: $FLAVOUR: dist/bpviz $(du -sh dist/bpviz | cut -f1) in $((frozen - start)) s;" \
     "$(basename "$deb") $(du -h "$deb" | cut -f1) in $((done_at - frozen)) s"
