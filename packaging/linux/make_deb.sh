#!/usr/bin/env bash
# Package the frozen bundle dist/bpviz as a Debian package under dist/ (offline: dpkg-deb).
#
#   packaging/linux/make_deb.sh small|full [PYTHON]
#
# small -> dist/bpviz_<version>_<arch>.deb, full -> dist/bpviz-full_<version>_<arch>.deb; they
# install the same files, so each one replaces the other. Installs: /opt/bpviz (the bundle),
# /usr/bin/bpviz (and bpviz-train, full), the desktop entry, the icon in the hicolor theme,
# and the MIME types of graphs, sessions and lessons. The desktop, MIME and icon caches are
# refreshed by the triggers of desktop-file-utils, shared-mime-info and hicolor-icon-theme;
# the one maintainer script, an empty postrm, lets `apt purge` follow `apt remove` (postrm).
set -euo pipefail
FLAVOUR=${1:?usage: make_deb.sh small|full [PYTHON]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${2:-$ROOT/.venv/bin/python}
BUNDLE=$ROOT/dist/bpviz
[ -x "$BUNDLE/bpviz" ] || { echo "make_deb.sh: no $BUNDLE/bpviz: run packaging/build.sh" >&2; exit 2; }
case $FLAVOUR in
  small) PKG=bpviz; OTHER=bpviz-full; COMPRESS=(-Zxz) ;;
  # gzip: xz over the CUDA libraries (~5 GB) takes most of an hour on 2 cores
  full) PKG=bpviz-full; OTHER=bpviz; COMPRESS=(-Zgzip -z6) ;;
  *) echo "make_deb.sh: flavour must be small or full" >&2; exit 2 ;;
esac
VERSION=$("$PYTHON" -c "import sys; sys.path.insert(0, '$ROOT'); import bpviz; print(bpviz.__version__)")
ARCH=$(dpkg --print-architecture)
STAGE=$ROOT/build/deb-$FLAVOUR/${PKG}_${VERSION}_${ARCH}
LINUX=$ROOT/packaging/linux
ICONS=$ROOT/resources/icons
# the types of bpviz-mime.xml: graphs, sessions, lessons
MIME_TYPES=$(grep -o 'mime-type type="[^"]*"' "$LINUX/bpviz-mime.xml" | cut -d'"' -f2)

rm -rf "$STAGE"
mkdir -p "$STAGE"/{DEBIAN,opt,usr/bin,usr/share/applications,usr/share/mime/packages}
mkdir -p "$STAGE/usr/share/doc/$PKG" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/bpviz"
for exe in bpviz bpviz-train; do
  [ -x "$STAGE/opt/bpviz/$exe" ] && ln -s "/opt/bpviz/$exe" "$STAGE/usr/bin/$exe"
done
install -m 644 "$LINUX/bpviz.desktop" "$STAGE/usr/share/applications/bpviz.desktop"
install -m 644 "$LINUX/bpviz-mime.xml" "$STAGE/usr/share/mime/packages/bpviz.xml"
install -m 644 "$LINUX/copyright" "$STAGE/usr/share/doc/$PKG/copyright"
install -m 755 "$LINUX/postrm" "$STAGE/DEBIAN/postrm"
install -m 644 "$ICONS/bpviz.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/bpviz.svg"
for png in "$ICONS"/hicolor/*/apps/bpviz.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  install -D -m 644 "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/bpviz.png"
  for type in $MIME_TYPES; do         # each file type's icon is the app's icon
    install -D -m 644 "$png" "$STAGE/usr/share/icons/hicolor/$size/mimetypes/${type/\//-}.png"
  done
done
chmod -R u+rwX,go+rX,go-w "$STAGE"

RELATIONS=$(python3 "$LINUX/deb_depends.py" "$BUNDLE")
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: bpviz developers <bpviz@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
$RELATIONS
Conflicts: $OTHER
Replaces: $OTHER
Section: education
Priority: optional
Description: make back-propagation visible ($FLAVOUR build)
 Build a network, step its forward and backward passes and see every
 gradient, with the lecture's examples and lessons. A self-contained bundle
 in /opt/bpviz (Python, Qt and numpy included); run bpviz, or open a
 graph, a lesson or a saved session by double-click. The small build trains
 in numpy only; bpviz-full adds PyTorch and bpviz-train for AlexNet
 training.
CONTROL
mkdir -p "$ROOT/dist"
OUT=$ROOT/dist/${PKG}_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group "${COMPRESS[@]}" --build "$STAGE" "$OUT" >/dev/null
echo "$OUT"
