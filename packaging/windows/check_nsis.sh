#!/usr/bin/env bash
# Compile bpviz.nsi with Debian's makensis against a stand-in bundle (a Windows bundle cannot
# be built here): checks the script's syntax, its includes and defines, that the icon is a
# valid .ico and that every file of the bundle lands in the installer. The stand-in's
# bpviz.exe is not a program: the installer is not run.
#
#   packaging/windows/check_nsis.sh        (needs: apt-get install -y nsis)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STANDIN=$(mktemp -d)
trap 'rm -rf "$STANDIN"' EXIT
mkdir -p "$STANDIN/bpviz/_internal/resources"
printf 'stand-in for the Windows-built bpviz.exe\n' > "$STANDIN/bpviz/bpviz.exe"
cp -r "$ROOT/resources/examples" "$STANDIN/bpviz/_internal/resources/"
OUT=$STANDIN/bpviz-setup.exe
LOG=$STANDIN/makensis.log
(cd "$ROOT/packaging/windows" && makensis -V4 -WX -DVERSION=0.1.0 -DBUNDLE="$STANDIN/bpviz" \
  -DOUTFILE="$OUT" bpviz.nsi) > "$LOG" || { cat "$LOG"; exit 1; }
added=$(grep -c '^ *File: "' "$LOG")      # makensis names each file it packs
files=$(find "$STANDIN/bpviz" -type f | wc -l)
[ "$added" -eq "$files" ] || { echo "check_nsis.sh: $added of $files files packed" >&2; exit 1; }
file "$OUT" | grep -q "PE32 executable (GUI) Intel 80386" || { file "$OUT"; exit 1; }
echo "check_nsis.sh: bpviz.nsi compiled: $(du -h "$OUT" | cut -f1) installer over $(find "$STANDIN/bpviz" -type f | wc -l) files"
