/**
 * Drives a simulated fleet (sim-fleet.ts) for a while and watches its laps: wall seconds and env
 * steps to the first clean lap (no tyre off the track), the best clean lap at env-step marks and
 * once a minute, samples/s and updates. What the learn and realtime benchmarks report.
 */
import { startSimFleet, type SimFleetOptions } from './sim-fleet.ts';

export interface LapOutcome {
	firstCleanLapSec: number | null;
	stepsToFirstCleanLap: number | null;
	bestLapSec: number | null;
	/** Best clean lap (s) when the fleet's env steps passed each mark; null = none by then or not reached. */
	bestAt: Record<number, number | null>;
	/** "60s:52.1 120s:49.8 …": the best clean lap at each minute. */
	overTime: string;
	samplesPerSec: number;
	envSteps: number;
	updates: number;
}

const lapText = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');

export async function watchLaps(fleetOptions: SimFleetOptions, seconds: number, marks: readonly number[] = []): Promise<LapOutcome> {
	const fleet = await startSimFleet(fleetOptions);
	const { runtime } = fleet;
	const label = fleetOptions.algo ?? 'ppo';
	const started = performance.now();
	const out: LapOutcome = {
		firstCleanLapSec: null,
		stepsToFirstCleanLap: null,
		bestLapSec: null,
		bestAt: {},
		overTime: '',
		samplesPerSec: 0,
		envSteps: 0,
		updates: 0
	};
	let best = Infinity;
	const bestOverTime: string[] = [];
	let nextMinute = 60;
	const unsubscribe = runtime.metrics.subscribe((p) => {
		if (p.kind !== 'episode' || p.lapTimesMs.length === 0) return;
		if (out.firstCleanLapSec === null) {
			out.firstCleanLapSec = (performance.now() - started) / 1000;
			out.stepsToFirstCleanLap = runtime.ingested;
		}
		best = Math.min(best, ...p.lapTimesMs);
	});
	const pending = [...marks];
	while ((performance.now() - started) / 1000 < seconds) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		while (pending.length && runtime.ingested >= pending[0]) out.bestAt[pending.shift()!] = Number.isFinite(best) ? best / 1000 : null;
		const t = (performance.now() - started) / 1000;
		if (t >= nextMinute) {
			bestOverTime.push(`${nextMinute}s:${lapText(best)}`);
			const s = runtime.status();
			console.error(
				`  ${label} ${nextMinute} s: env steps ${runtime.ingested}, updates ${s.updates}, recent return ${runtime.metrics.recentReturn().toFixed(1)}, best clean lap ${lapText(best)} s`
			);
			nextMinute += 60;
		}
	}
	unsubscribe();
	const elapsed = (performance.now() - started) / 1000;
	const status = runtime.status();
	await fleet.stop();
	for (const mark of pending) out.bestAt[mark] = null; // not reached
	return {
		...out,
		bestLapSec: Number.isFinite(best) ? best / 1000 : null,
		overTime: bestOverTime.join(' '),
		samplesPerSec: runtime.ingested / elapsed,
		envSteps: runtime.ingested,
		updates: status.updates
	};
}
