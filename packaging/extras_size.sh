#!/usr/bin/env bash
# What bpviz and its onnx extra add on disk: one fresh venv, filled step by step, its
# site-packages measured with du after each step (README.md's table of extras).
#
#   packaging/extras_size.sh            (about 2 min here; needs PyPI or a local mirror)
#
#   numpy      the baseline (bpviz needs it anyway; not counted)
#   bpviz      pip install <checkout's HEAD>: PySide6, pyqtgraph, contourpy, ziamath, PyOpenGL
#   onnx       pip install onnx: what opening and writing .onnx models needs
#   [onnx]     pip install '<checkout>[onnx]': onnxruntime and onnxscript on top
# The train extra (torch, torchvision) is left out: gigabytes, see README.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# bpviz from the committed tree (pip builds a local folder in place: not in the checkout)
mkdir "$WORK/src"
git -C "$ROOT" archive HEAD | tar -x -C "$WORK/src"
python3 -m venv "$WORK/venv"
PIP=("$WORK/venv/bin/python" -m pip install -q)
SITE=$("$WORK/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
mb() { du -sm "$SITE" | cut -f1; }
packages() { "$WORK/venv/bin/python" -m pip list --format=freeze 2>/dev/null | sort; }
step() {     # step NAME ARGS...: install, then the MB and the packages it added
  local before after listed
  before=$(mb); listed=$(packages)
  "${PIP[@]}" "${@:2}"
  after=$(mb)
  echo "$1: +$((after - before)) MB ($(comm -13 <(echo "$listed") <(packages) | tr '\n' ' '))"
}
step numpy numpy
step bpviz "$WORK/src"
step onnx onnx
step "[onnx]" "$WORK/src[onnx]"
echo "site-packages in all: $(mb) MB"
