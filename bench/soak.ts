/**
 * Soak: 16 actors train against the learner for SOAK_SECONDS (default 300); reports the learner's
 * RSS at the end (the trainer worker's memory is part of the same process).
 */
import { round, type BenchResult } from './harness.ts';
import { loadActors, startLearner } from './learner-load.ts';

const ACTORS = 16;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);

export async function run(): Promise<BenchResult> {
	const { runtime, server, url } = await startLearner({ nSteps: 64 * ACTORS, minibatchSize: 64, updateEpochs: 4 });
	const rss: number[] = [];
	const sampler = setInterval(() => rss.push(process.memoryUsage().rss / 2 ** 20), 1000);
	await loadActors(url, ACTORS, 'train', SECONDS);
	clearInterval(sampler);
	const status = runtime.status();
	await server.close();
	return {
		name: 'soak',
		figures: {
			seconds: SECONDS,
			actors: ACTORS,
			updates: status.updates,
			samples: status.samples,
			learnerRssMbStart: round(rss[Math.min(10, rss.length - 1)], 1),
			learnerRssMbEnd: round(rss[rss.length - 1], 1),
			learnerRssMbMax: round(Math.max(...rss), 1)
		},
		targets: [{ key: 'learnerRssMbEnd', op: '<=', value: 600 }]
	};
}
