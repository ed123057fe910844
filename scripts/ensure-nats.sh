#!/usr/bin/env bash
# Makes sure Debian's nats-server (JetStream) is there for the scale-out tests and the bus benchmark.
set -euo pipefail
NATS="${PITWALL_NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
if [ -x "$NATS" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
	echo "nats-server not found: installing Debian's nats-server (apt-get, ~10 s)…" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nats-server >/dev/null
	[ -x /usr/sbin/nats-server ] && exit 0
fi
echo "The scale-out tests need nats-server (JetStream). Install it with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y nats-server" >&2
echo "(or point PITWALL_NATS_SERVER at a nats-server binary, 2.9 or later)" >&2
exit 1
