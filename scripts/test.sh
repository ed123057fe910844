#!/usr/bin/env bash
# `npm test`: type check, lint and format check, unit + integration tests (Node's runner, real sockets), then the browser
# tests (Playwright + Debian's Chromium against the built server). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 FORCE_COLOR=0
out=.test-output
rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
step() { echo; echo "━━ $1"; }
# node_tests NAME CONCURRENCY DIR…: every *.test.ts below the DIRs under Node's runner; adds its pass/fail counts
# (no summary line at all counts as a failure).
node_tests() {
	local name=$1 concurrency=$2
	shift 2
	local files
	mapfile -t files < <(find "$@" -name '*.test.ts' | sort)
	node --import tsx --test --test-concurrency="$concurrency" --test-reporter=spec "${files[@]}" 2>&1 | tee "$out/$name.txt"
	local pass fail
	pass=$(grep -E '^ℹ pass [0-9]+' "$out/$name.txt" | awk '{print $3}')
	fail=$(grep -E '^ℹ fail [0-9]+' "$out/$name.txt" | awk '{print $3}')
	if [ -z "$pass" ]; then pass=0; fail=$((${fail:-0} + 1)); fi
	passed=$((passed + pass))
	failed=$((failed + ${fail:-0}))
}

step "type check (svelte-check)"
if npx svelte-kit sync && npx svelte-check --tsconfig ./tsconfig.json --threshold warning; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

step "lint (ESLint) and format (Prettier): npm run format fixes most of it"
if npx eslint . && npx prettier --check . --log-level warn; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

step "build (the integration tests drive the built SvelteKit handler and the bundled agent; npm start runs the server bundle)"
if npx vite build --logLevel warn && node bridge-agent/build.mjs && node scripts/build-server.mjs; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

step "unit and integration tests (node --test)"
# ensure-nats.sh installs nats-server as root; otherwise it prints the command and the bus tests skip themselves, saying so.
bash scripts/ensure-nats.sh || echo "scale-out tests on NATS JetStream NOT run: see the command above"
node_tests node 2 tests/unit tests/integration

step "Windows agent under Wine (tests/windows: Windows node.exe + koffi against a fake AC and a fake vJoyInterface.dll)"
# ensure-wine.sh installs Wine and mingw as root (cached in .cache/windows); otherwise it prints the command
# to run and the Wine tests skip themselves, saying so.
bash scripts/ensure-wine.sh >/dev/null || echo "Windows tests under Wine NOT run: see the command above"
node_tests windows 1 tests/windows

step "browser tests (Playwright + Chromium)"
if bash scripts/ensure-chromium.sh; then
	PITWALL_E2E_PORT=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
	export PITWALL_E2E_PORT
	PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" npx playwright test --reporter=list,json
	read -r e2e_pass e2e_fail < <(node -e '
		const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		console.log((r.stats.expected ?? 0) + (r.stats.flaky ?? 0), (r.stats.unexpected ?? 0) + (r.errors?.length ?? 0));
	' "$out/playwright.json" 2>/dev/null || echo "0 1")
	passed=$((passed + e2e_pass))
	failed=$((failed + e2e_fail))
else
	failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
