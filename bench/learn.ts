/**
 * It learns to drive: the learner plus LEARN_ACTORS (default 4) simulated agents as real
 * processes at full speed on LEARN_TRACK (default mixed) for LEARN_SECONDS (default 600). Reports
 * the wall-clock time to the first clean lap (no tyre off the track), the best lap each minute,
 * samples/s and updates. LEARN_SEED picks another run.
 */
import { round, type BenchResult } from './harness.ts';
import { startSimFleet } from './sim-fleet.ts';

const ACTORS = Number(process.env.LEARN_ACTORS ?? 4);
const TRACK = process.env.LEARN_TRACK ?? 'mixed';
const LIMIT_SEC = Number(process.env.LEARN_SECONDS ?? 600);
/** The learner's PPO seed (weight initialisation, minibatch order): another value, another run. */
const SEED = Number(process.env.LEARN_SEED ?? 1);

export async function run(): Promise<BenchResult> {
	const fleet = await startSimFleet({ name: 'learn', actors: ACTORS, track: TRACK, ppo: { seed: SEED } });
	const { runtime } = fleet;
	const started = performance.now();
	let firstCleanLapSec: number | null = null;
	let best = Infinity;
	const bestOverTime: string[] = [];
	let nextMark = 60;
	const unsubscribe = runtime.metrics.subscribe((p) => {
		if (p.kind !== 'episode' || p.lapTimesMs.length === 0) return;
		const t = (performance.now() - started) / 1000;
		if (firstCleanLapSec === null) firstCleanLapSec = t;
		best = Math.min(best, ...p.lapTimesMs);
	});
	while ((performance.now() - started) / 1000 < LIMIT_SEC) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const t = (performance.now() - started) / 1000;
		if (t >= nextMark) {
			bestOverTime.push(`${nextMark}s:${Number.isFinite(best) ? (best / 1000).toFixed(1) : '–'}`);
			console.error(
				`  ${nextMark} s: updates ${runtime.status().updates}, recent return ${runtime.metrics.recentReturn().toFixed(1)}, best clean lap ${Number.isFinite(best) ? (best / 1000).toFixed(1) + ' s' : 'none yet'}`
			);
			nextMark += 60;
		}
	}
	unsubscribe();
	const elapsed = (performance.now() - started) / 1000;
	const status = runtime.status();
	await fleet.stop();
	return {
		name: 'learn',
		figures: {
			track: TRACK,
			actors: ACTORS,
			seed: SEED,
			firstCleanLapSec: firstCleanLapSec === null ? 'none' : round(firstCleanLapSec, 1),
			bestLapSec: Number.isFinite(best) ? round(best / 1000, 2) : 'none',
			bestLapOverTime: bestOverTime.join(' '),
			samplesPerSec: Math.round(status.samples / elapsed),
			updates: status.updates,
			seconds: round(elapsed, 0)
		},
		targets: [{ key: 'firstCleanLapSec', op: '<=', value: 600 }]
	};
}
