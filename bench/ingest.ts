/**
 * Ingest: 16 actor connections from a separate process stream pre-encoded 100-step batches
 * (compact coding, then raw); the learner decodes, validates and stores them (training paused,
 * so the figure is the socket → rollout store path alone). transitionsPerSec counts stored steps.
 */
import { round, type BenchResult } from './harness.ts';
import { loadActors, startLearner } from './learner-load.ts';

const ACTORS = 16;
const SECONDS = 8;

async function measure(columns: 'compact' | 'raw'): Promise<{ perSec: number; stored: number; sent: number; rssMb: number }> {
	const { runtime, server, url } = await startLearner({ nSteps: 1_000_000, hiddenSizes: [8] }); // the largest rollout the learner accepts: nothing trains
	runtime.pause();
	// From the first stored step to the last: the sender finishes well before SECONDS.
	let first = 0;
	let last = 0;
	let stored = 0;
	const probe = setInterval(() => {
		if (runtime.ingested > stored) {
			if (first === 0) first = performance.now();
			last = performance.now();
			stored = runtime.ingested;
		}
	}, 5);
	const report = await loadActors(url, ACTORS, 'ingest', SECONDS, columns);
	clearInterval(probe);
	const rssMb = process.memoryUsage().rss / 2 ** 20;
	await server.close();
	if (stored === 0) throw new Error(`ingest (${columns}): the learner stored nothing (see the refusals above)`);
	return { perSec: stored / ((last - first) / 1000), stored, sent: report.sentSteps, rssMb };
}

export async function run(): Promise<BenchResult> {
	const compact = await measure('compact');
	const raw = await measure('raw');
	return {
		name: 'ingest',
		figures: {
			transitionsPerSec: Math.round(compact.perSec),
			rawTransitionsPerSec: Math.round(raw.perSec),
			storedTransitions: compact.stored,
			sentTransitions: compact.sent,
			actors: ACTORS,
			learnerRssMb: round(Math.max(compact.rssMb, raw.rssMb), 1)
		},
		targets: [{ key: 'transitionsPerSec', op: '>=', value: 1_000_000 }]
	};
}
