#!/usr/bin/env bash
# CI's packaging step (.ci/run calls it after the test suite; it also runs alone, as root on
# a Debian machine): build the small flavour, run the frozen app's --self-test offscreen and
# under Xvfb with the xcb platform, install the .deb with dpkg, run the installed
# /usr/bin/bpviz --self-test the same two ways, open a graph, a lesson and a session with it,
# check that running it wrote nothing into /opt/bpviz, then apt remove and apt purge the
# package and check that nothing of it is left.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
started=$(date +%s)
say() { echo "packaging/ci.sh: $*"; }

# Xvfb and xauth for xvfb-run; the xcb libraries the bundle does not carry; the tools that
# check the desktop entry and register the MIME type; makensis for the Windows script
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq xvfb xauth libxcb-icccm4 libxcb-keysyms1 desktop-file-utils \
  shared-mime-info nsis >/dev/null
bash packaging/windows/check_nsis.sh

bash packaging/build.sh small
DEB=$(ls dist/bpviz_*.deb)
built=$(date +%s)

# HOME and the config folder in a temp folder: --self-test must write only there
self_test() {   # self_test PROGRAM PLATFORM [xvfb]: one JSON line, checked
  local out home
  home=$(mktemp -d)
  if [ "${3:-}" = xvfb ]; then
    out=$(HOME=$home QT_QPA_PLATFORM=$2 xvfb-run -a -s "-screen 0 1440x900x24" "$1" --self-test)
  else
    out=$(HOME=$home QT_QPA_PLATFORM=$2 "$1" --self-test)
  fi
  rm -rf "$home"
  echo "$out"
  python3 - "$out" "$2" "$1" <<'PY'
import json, os, sys
result, platform, program = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
bundle = os.path.dirname(os.path.realpath(program))
assert result["status"] == "ok", result
assert result["frozen"] and result["platform"] == platform, result
assert result["resources"].startswith(bundle + "/"), (result["resources"], bundle)
assert result["examples"] >= 10 and result["lessons"] >= 5, result
PY
}
self_test dist/bpviz/bpviz offscreen
self_test dist/bpviz/bpviz xcb xvfb
desktop-file-validate packaging/linux/bpviz.desktop

# install with plain dpkg: first the Depends, by name, from Debian's packages
deps=$(dpkg-deb -f "$DEB" Depends | sed 's/([^)]*)//g; s/,/ /g')
apt-get install -y -qq $deps >/dev/null
dpkg -i "$DEB"
# the three file types, each opened by bpviz on double-click (the desktop entry's MimeType)
for glob in 'x-bpviz+json:\*\.bpviz\.json' 'x-bpviz-session+json:\*\.bpviz-session\.json' \
            'x-bpviz-lesson+json:\*\.lesson\.json'; do
  grep -q "^60:application/$glob\$" /usr/share/mime/globs2
  grep -q "^application/${glob%%:*}=.*bpviz.desktop" /usr/share/applications/mimeinfo.cache
  test -f "/usr/share/icons/hicolor/48x48/mimetypes/application-${glob%%:*}.png"
done
test -L /usr/bin/bpviz && test -f /usr/share/applications/bpviz.desktop
test -f /usr/share/icons/hicolor/48x48/apps/bpviz.png
before=$(find /opt/bpviz -printf '%p %s %T@\n' | sort | sha256sum)
self_test /usr/bin/bpviz offscreen
self_test /usr/bin/bpviz xcb xvfb
shot_home=$(mktemp -d)       # an ordinary start (settings saved) with a real HOME
HOME=$shot_home /usr/bin/bpviz --example tiny_cnn --screenshot "$shot_home/shot.png" >/dev/null
test -s "$shot_home/shot.png"
for file in $(.venv/bin/python packaging/sample_files.py "$shot_home/files"); do
  HOME=$shot_home /usr/bin/bpviz "$file" --screenshot "$shot_home/file.png" >/dev/null
  test -s "$shot_home/file.png" && rm "$shot_home/file.png"
done
rm -rf "$shot_home"
after=$(find /opt/bpviz -printf '%p %s %T@\n' | sort | sha256sum)
[ "$before" = "$after" ] || { say "running bpviz changed /opt/bpviz"; exit 1; }

# as the README says: apt remove, then apt purge, each without an error
apt-get remove -y -qq bpviz >/dev/null
[ "$(dpkg-query -W -f '${db:Status-Abbrev}' bpviz)" = "rc " ]
apt-get purge -y -qq bpviz >/dev/null
for path in /opt/bpviz /usr/bin/bpviz /usr/share/applications/bpviz.desktop \
            /usr/share/mime/packages/bpviz.xml /usr/share/icons/hicolor/48x48/apps/bpviz.png; do
  if [ -e "$path" ] || [ -L "$path" ]; then say "left after apt purge: $path"; exit 1; fi
done
! grep -q 'bpviz' /usr/share/mime/globs2 || { say "MIME type still registered"; exit 1; }
ended=$(date +%s)
say "ok: build $((built - started)) s (incl. apt-get), checks and install $((ended - built)) s," \
    "packaging total $((ended - started)) s; $(basename "$DEB") $(du -h "$DEB" | cut -f1)"
