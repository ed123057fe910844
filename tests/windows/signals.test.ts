/**
 * Windows' console signals stop a run cleanly: closing the console window is SIGHUP, Ctrl-Break
 * SIGBREAK (Windows never sends SIGTERM). Wine cannot produce either, so SIGHUP is checked here on
 * Linux with the same handler list; SIGBREAK cannot be sent outside Windows at all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT } from './harness.ts';

it('SIGHUP (console window closed) stops a run with neutral controls and the stop summary, exit 0', { timeout: 30_000 }, async () => {
	const child = spawn(process.execPath, [join(ROOT, 'bridge-agent/dist/bridge-agent.js'), 'run', '--source', 'sim', '--learner', 'ws://127.0.0.1:9/ws/actor'], {
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	child.stdout.on('data', (d) => (log += d));
	child.stderr.on('data', (d) => (log += d));
	const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
	const deadline = Date.now() + 20_000;
	while (!/driving/.test(log) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	child.kill('SIGHUP');
	assert.deepEqual(await exited, [0, null], log);
	assert.match(log, /SIGHUP: stopping/);
	assert.match(log, /stopped steps=/);
});
