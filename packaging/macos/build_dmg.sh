#!/usr/bin/env bash
# Build, sign and notarise bpviz for macOS: dist/bpviz.app in dist/bpviz-<version>.dmg.
#
# Build machine: a Mac with macOS 12 or later and Xcode's command line tools (codesign,
# hdiutil, iconutil, xcrun notarytool/stapler), Python 3.11 from python.org. An Apple-silicon
# Mac builds an arm64 app, an Intel Mac an x86_64 one (e.g. GitHub's macos-14 and macos-13
# runners). Signing needs an Apple Developer ID: the "Developer ID Application" certificate
# in the keychain, and a notarytool profile stored once with
#   xcrun notarytool store-credentials bpviz-notary --apple-id ID --team-id TEAM --password APP_PW
#
#   SIGN_ID="Developer ID Application: NAME (TEAM)" packaging/macos/build_dmg.sh [small|full]
#
# Without SIGN_ID it builds an unsigned app and .dmg (for testing: Gatekeeper blocks them
# elsewhere). Settings go to ~/Library/Preferences, never into the app.
set -euo pipefail
FLAVOUR=${1:-small}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[ "$(uname)" = Darwin ] || { echo "build_dmg.sh runs on macOS only" >&2; exit 2; }
[ -x .venv/bin/python ] || python3.11 -m venv .venv
.venv/bin/python -m pip install -e . "pyinstaller>=6.10,<7"
VERSION=$(.venv/bin/python -c "import bpviz; print(bpviz.__version__)")

# 1. the icon: an iconset of the committed PNGs, made into build/bpviz.icns (the spec's ICNS)
ICONSET=build/bpviz.iconset
rm -rf "$ICONSET" && mkdir -p "$ICONSET"
for size in 16 32 128 256; do
  cp "resources/icons/hicolor/${size}x${size}/apps/bpviz.png" "$ICONSET/icon_${size}x${size}.png"
done
for size in 16 32 128; do        # the @2x images: twice the size
  double=$((size * 2))
  [ -f "resources/icons/hicolor/${double}x${double}/apps/bpviz.png" ] &&
    cp "resources/icons/hicolor/${double}x${double}/apps/bpviz.png" "$ICONSET/icon_${size}x${size}@2x.png"
done
iconutil -c icns -o build/bpviz.icns "$ICONSET"

# 2. the app: PyInstaller's BUNDLE step in packaging/bpviz.spec makes dist/bpviz.app
rm -rf dist/bpviz dist/bpviz.app
BPVIZ_FLAVOUR=$FLAVOUR BPVIZ_VERSION=$VERSION .venv/bin/python -m PyInstaller --noconfirm \
  --clean --distpath dist --workpath "build/pyinstaller-$FLAVOUR" packaging/bpviz.spec
QT_QPA_PLATFORM=offscreen dist/bpviz.app/Contents/MacOS/bpviz --self-test

# 3. sign every binary inside out, with the hardened runtime notarisation requires
if [ -n "${SIGN_ID:-}" ]; then
  codesign --force --deep --timestamp --options runtime \
    --entitlements packaging/macos/entitlements.plist --sign "$SIGN_ID" dist/bpviz.app
  codesign --verify --deep --strict --verbose=2 dist/bpviz.app
fi

# 4. the disk image, with a link to /Applications to drag the app onto
DMG=dist/bpviz-$VERSION.dmg
STAGE=build/dmg && rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R dist/bpviz.app "$STAGE/" && ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "bpviz $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"

# 5. sign the image, notarise it with Apple, staple the ticket, and ask Gatekeeper
if [ -n "${SIGN_ID:-}" ]; then
  codesign --timestamp --sign "$SIGN_ID" "$DMG"
  xcrun notarytool submit "$DMG" --keychain-profile "${NOTARY_PROFILE:-bpviz-notary}" --wait
  xcrun stapler staple "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose "$DMG"
fi
echo "$DMG"
