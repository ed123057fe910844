/** Shared set-up for the learner benchmarks: a real server in this process, actors in another. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PpoConfig } from '../src/lib/ppo/config.ts';
import { parseServerConfig } from '../src/lib/server/config.ts';
import { startServer, type RunningServer } from '../src/lib/server/http-server.ts';
import { Runtime } from '../src/lib/server/runtime/index.ts';

export async function startLearner(ppo: Partial<PpoConfig>): Promise<{ runtime: Runtime; server: RunningServer; url: string }> {
	const base = parseServerConfig(['--port', '0', '--log-level', 'warn'], {});
	// No rate limits on what the benchmarks measure (telemetry; update-rtt's probe pings back to back).
	const limits = { maxTelemetryPerSec: 1e9, maxPingsPerSec: 1e9 };
	const runtime = new Runtime({
		...base,
		learner: { ...base.learner, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-bench-')), runId: 'bench', ppo, ...limits }
	});
	const server = await startServer(runtime);
	return { runtime, server, url: server.url.replace('http', 'ws') + '/ws/actor' };
}

/** Runs bench/load-actors.ts in a child process; resolves with its JSON report. */
export function loadActors(
	url: string,
	actors: number,
	mode: 'ingest' | 'train',
	seconds: number,
	columns: 'compact' | 'raw' = 'compact'
): Promise<{ sentSteps: number }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-actors.ts', url, String(actors), mode, String(seconds)], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, PITWALL_COLUMNS: columns }
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load-actors exited ${code}`))));
	});
}
