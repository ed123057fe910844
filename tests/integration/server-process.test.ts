/** The server as users run it (built JS under plain node): JSON log lines on a pipe, a clean SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { waitFor } from './helpers.ts';

it(
	'build/server.js logs JSON lines when stdout is not a terminal and shuts down cleanly',
	{ skip: !existsSync('build/server.js') && 'build/server.js not built (npm run build)' },
	async () => {
		const runsDir = mkdtempSync(join(tmpdir(), 'pitwall-proc-'));
		const child = spawn(process.execPath, ['build/server.js', '--port', '0', '--sim-actors', '0', '--runs-dir', runsDir], {
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		try {
			await waitFor(() => out.includes('listening on'), 'the server to listen', 30_000);
			child.kill('SIGTERM');
			assert.equal(await exited, 0);
		} finally {
			child.kill('SIGKILL');
		}
		const lines = out
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line) as { level: number; time: number; name: string; msg: string });
		assert.ok(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'number' && l.name === 'pitwall' && typeof l.msg === 'string'));
		assert.deepStrictEqual(lines.filter((l) => /listening on|shutting down|stopped/.test(l.msg)).length, 4); // listening, "SIGTERM: shutting down", "shutting down", stopped
	}
);
