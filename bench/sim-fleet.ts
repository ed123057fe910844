/**
 * A learner on a free port with its own run directory, plus simulated agents as real processes
 * talking to it: what the learn and agent benchmarks measure against.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PpoConfig } from '../src/lib/ppo/config.ts';
import { parseServerConfig } from '../src/lib/server/config.ts';
import { startServer } from '../src/lib/server/http-server.ts';
import { Runtime } from '../src/lib/server/runtime/index.ts';
import { spawnSimActors } from '../src/lib/server/sim-actors.ts';

export interface SimFleet {
	runtime: Runtime;
	stop(): Promise<void>;
}

export async function startSimFleet(o: { name: string; actors: number; track: string; ppo?: Partial<PpoConfig> }): Promise<SimFleet> {
	const base = parseServerConfig(['--port', '0', '--actor-token', o.name, '--log-level', 'warn'], {});
	const ppo = { ...base.learner.ppo, ...o.ppo };
	const runsDir = mkdtempSync(join(tmpdir(), `pitwall-${o.name}-`));
	const runtime = new Runtime({ ...base, learner: { ...base.learner, runsDir, runId: o.name, ppo } });
	const server = await startServer(runtime);
	const nSteps = ppo.nSteps ?? 2048;
	const learnerUrl = server.url.replace('http', 'ws') + '/ws/actor';
	const actors = spawnSimActors({ count: o.actors, learnerUrl, token: o.name, stepsPerPolicy: Math.ceil(nSteps / o.actors), track: o.track, log: () => {} });
	return {
		runtime,
		stop: async () => {
			await actors.stop();
			await server.close();
		}
	};
}
