/**
 * A learner on a free port with its own run directory, plus simulated agents as real processes
 * talking to it: what the learn and agent benchmarks measure against.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PpoConfig } from '../src/lib/ppo/config.ts';
import type { SacConfig } from '../src/lib/sac/config.ts';
import { parseServerConfig } from '../src/lib/server/config.ts';
import { startServer } from '../src/lib/server/http-server.ts';
import { Runtime } from '../src/lib/server/runtime/index.ts';
import { simReward, simStepsPerPolicy, spawnSimActors } from '../src/lib/server/sim-actors.ts';

export interface SimFleet {
	runtime: Runtime;
	stop(): Promise<void>;
}

export interface SimFleetOptions {
	name: string;
	actors: number;
	track: string;
	algo?: 'ppo' | 'sac';
	ppo?: Partial<PpoConfig>;
	sac?: Partial<SacConfig>;
	/** Simulated seconds per real second (default 'max': as fast as the learner paces them). */
	timeScale?: number | 'max';
	controlHz?: number;
	/** The agents' reward settings (--reward; default: the main job's for the algorithm, simReward). */
	reward?: Record<string, number | null>;
}

export async function startSimFleet(o: SimFleetOptions): Promise<SimFleet> {
	const base = parseServerConfig(['--port', '0', '--actor-token', o.name, '--log-level', 'warn'], {});
	const learner = {
		...base.learner,
		runsDir: mkdtempSync(join(tmpdir(), `pitwall-${o.name}-`)),
		runId: o.name,
		algo: o.algo ?? base.learner.algo,
		ppo: { ...base.learner.ppo, ...o.ppo },
		sac: { ...base.learner.sac, ...o.sac }
	};
	const runtime = new Runtime({ ...base, learner });
	const server = await startServer(runtime);
	const learnerUrl = server.url.replace('http', 'ws') + '/ws/actor';
	const stepsPerPolicy = simStepsPerPolicy(learner, o.actors);
	const actors = spawnSimActors({
		count: o.actors,
		learnerUrl,
		token: o.name,
		stepsPerPolicy,
		track: o.track,
		timeScale: o.timeScale,
		controlHz: o.controlHz,
		reward: o.reward ?? simReward(learner.algo),
		log: () => {}
	});
	return {
		runtime,
		stop: async () => {
			await actors.stop();
			await server.close();
		}
	};
}
