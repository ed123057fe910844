#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests; Playwright never downloads one.
set -euo pipefail
CHROMIUM="${PITWALL_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
	echo "Chromium not found: installing Debian's chromium (apt-get, ~30 s)…" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	[ -x "$CHROMIUM" ] && exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM. Install it with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
echo "(or point PITWALL_CHROMIUM at another Chromium binary)" >&2
exit 1
