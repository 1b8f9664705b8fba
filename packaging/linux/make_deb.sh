#!/usr/bin/env bash
# Build dist/countersign_<version>_amd64.deb from the one-folder bundle in dist/countersign
# (`make package`). The app goes to /opt/countersign, a launcher to /usr/bin/countersign, and a
# desktop entry and icon where desktops look for them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUNDLE="${1:-$ROOT/dist/countersign}"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
# A firm build names the firm in its menu entry (read from the profile baked into the bundle).
FIRM_TOML="$BUNDLE/_internal/resources/firm/firm.toml"
FIRM_NAME=""
[ -f "$FIRM_TOML" ] && FIRM_NAME="$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["firm"]["name"])' "$FIRM_TOML")"
test -x "$BUNDLE/countersign" || { echo "no bundle at $BUNDLE: run make dist first" >&2; exit 1; }

STAGE="$ROOT/build/deb/countersign_${VERSION}_amd64"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/doc/countersign"
cp -a "$BUNDLE" "$STAGE/opt/countersign"
cat > "$STAGE/usr/bin/countersign" <<'SH'
#!/bin/sh
exec /opt/countersign/countersign "$@"
SH
chmod 0755 "$STAGE/usr/bin/countersign"
cp "$ROOT/packaging/countersign.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/countersign.png"
cat > "$STAGE/usr/share/applications/countersign.desktop" <<DESK
[Desktop Entry]
Type=Application
Name=Countersign${FIRM_NAME:+ — $FIRM_NAME}
Comment=Offline drafting and review for professional firms
Exec=/opt/countersign/countersign
Icon=countersign
Terminal=false
Categories=Office;Finance;
DESK
[ -f "$ROOT/dist/sbom.json" ] && cp "$ROOT/dist/sbom.json" "$STAGE/usr/share/doc/countersign/sbom.json"
SIZE_KB="$(du -sk "$STAGE/opt" | cut -f1)"
# Only the C library is required: the bundle carries the rest. The window needs the usual
# desktop libraries, which every desktop install has; a server install (self-test, CLI) does not.
cat > "$STAGE/DEBIAN/control" <<CTL
Package: countersign
Version: ${VERSION}
Architecture: amd64
Maintainer: Countersign <it@countersign.invalid>
Installed-Size: ${SIZE_KB}
Depends: libc6 (>= 2.31)
Recommends: libgl1, libegl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1
Section: misc
Priority: optional
Description: Offline drafting and review for accounting, legal and finance firms
 A local language model drafts work products from the firm's documents; every draft is
 checked against its evidence and signed off by a named expert. Runs without a network.
CTL
OUT="$ROOT/dist/countersign_${VERSION}_amd64.deb"
# zstd at a low level: the models do not compress, and xz would take many minutes for nothing.
dpkg-deb --root-owner-group -Zzstd -z3 --build "$STAGE" "$OUT"
rm -rf "$STAGE"
ls -l "$OUT"
