#!/usr/bin/env bash
# CI's wheel step (.ci/run calls it; it also runs alone): build the sdist and the wheel into
# dist/, build the wheel once more from the sdist (it must hold the same files), install the
# wheel into a fresh venv outside the checkout and run that bpviz as a user of
# `pip install bpviz-<version>-py3-none-any.whl` would: --self-test, then `bpviz FILE` for a
# graph, a lesson and a session (offscreen, --screenshot).
#
#   packaging/wheel_ci.sh            (PYTHON: the Python that builds, default .venv's)
#
# The build is offline (setuptools from the building Python, no isolation); the fresh venv
# needs bpviz's dependencies from the package registry (or a pip cache, a local mirror).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
say() { echo "packaging/wheel_ci.sh: $*"; }
started=$(date +%s)
work=$(mktemp -d /tmp/bpviz-wheel-ci.XXXXXX)
trap 'rm -rf "$work"' EXIT

# from a copy of the checkout's files (not its build/ or egg-info; untracked new files too)
mkdir "$work/src" "$work/from-sdist"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard -- bpviz resources \
   pyproject.toml README.md | xargs -0 cp --parents -t "$work/src")
VERSION=$("$PYTHON" -c "import sys; sys.path.insert(0, '$work/src'); import bpviz; print(bpviz.__version__)")
WHEEL=$ROOT/dist/bpviz-$VERSION-py3-none-any.whl
SDIST=$ROOT/dist/bpviz-$VERSION.tar.gz
mkdir -p "$ROOT/dist" && rm -f "$WHEEL" "$SDIST"
build() {   # build SOURCE_FOLDER KIND OUT_FOLDER
  (cd "$1" && "$PYTHON" -c "import sys; from setuptools import build_meta as b
getattr(b, 'build_' + sys.argv[1])(sys.argv[2])" "$2" "$3" >/dev/null)
}
build "$work/src" sdist "$ROOT/dist"
build "$work/src" wheel "$ROOT/dist"
tar -xzf "$SDIST" -C "$work"
build "$work/bpviz-$VERSION" wheel "$work/from-sdist"
names() { "$PYTHON" -c "import sys, zipfile; print('\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))" "$1"; }
if ! diff <(names "$WHEEL") <(names "$work/from-sdist/$(basename "$WHEEL")") >"$work/diff"; then
  say "the wheel built from the sdist differs:"; cat "$work/diff"; exit 1
fi
built=$(date +%s)

# a fresh venv, outside the checkout; every command below runs from an empty folder
python3 -m venv "$work/venv"
t0=$(date +%s.%N)
"$work/venv/bin/python" -m pip install -q "$WHEEL"
t1=$(date +%s.%N)
mkdir "$work/home" "$work/run"
cd "$work/run"
export HOME=$work/home QT_QPA_PLATFORM=offscreen
out=$("$work/venv/bin/bpviz" --self-test)
echo "$out"
"$work/venv/bin/python" - "$out" "$work/venv" <<'PY'
import json, sys
result, venv = json.loads(sys.argv[1]), sys.argv[2]
assert result["status"] == "ok", result
assert not result["frozen"] and result["platform"] == "offscreen", result
# the resources come from inside the installed wheel, never from the checkout
assert result["resources"].startswith(venv + "/") and "_resources" in result["resources"], result
assert result["examples"] >= 10 and result["lessons"] >= 5, result
PY
for file in $("$work/venv/bin/python" "$ROOT/packaging/sample_files.py" "$work/files"); do
  "$work/venv/bin/bpviz" "$file" --screenshot "$work/shot.png" >/dev/null
  test -s "$work/shot.png" && rm "$work/shot.png"
done
"$work/venv/bin/bpviz-train" --help >/dev/null          # the training CLI's entry point
ended=$(date +%s)
say "ok: $(basename "$WHEEL") $(du -k "$WHEEL" | cut -f1) kB, $(basename "$SDIST")" \
    "$(du -k "$SDIST" | cut -f1) kB, built in $((built - started)) s; install into a fresh" \
    "venv $("$PYTHON" -c "print(f'{$t1 - $t0:.1f}')") s; wheel step total $((ended - started)) s"
