/**
 * Drives a simulated fleet (sim-fleet.ts) for a while and watches its laps: wall seconds and env
 * steps to the first clean lap (no tyre off the track), the best clean lap at env-step marks and
 * once a minute, samples/s and updates. What the learn and realtime benchmarks report.
 *
 * With `evaluateEverySec`, one actor (the first connected) is asked for a deterministic episode
 * (the policy's mean action: POST /api/evaluations) that often, while the others keep exploring:
 * the laps of those episodes are what the policy drives, without the exploration noise training
 * episodes carry (SAC's entropy target keeps that noise large). They are reported apart
 * (`eval…`); the first clean lap is the first of either kind.
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
	/** Deterministic evaluation episodes asked for and finished, and their best clean lap (s). */
	evaluations: number;
	evalEpisodes: number;
	bestEvalLapSec: number | null;
	/** "60s:52.1 …": the best evaluation lap at each minute. */
	evalOverTime: string;
}

export interface WatchOptions {
	marks?: readonly number[];
	evaluateEverySec?: number;
}

const lapText = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');

export async function watchLaps(fleetOptions: SimFleetOptions, seconds: number, watch: WatchOptions = {}): Promise<LapOutcome> {
	const marks = watch.marks ?? [];
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
		updates: 0,
		evaluations: 0,
		evalEpisodes: 0,
		bestEvalLapSec: null,
		evalOverTime: ''
	};
	let best = Infinity;
	let bestEval = Infinity;
	const bestOverTime: string[] = [];
	const evalOverTime: string[] = [];
	let nextMinute = 60;
	let nextEvaluation = watch.evaluateEverySec ?? Infinity;
	/** When the pending evaluation was asked for (an actor that left never answers: asked again after 5 periods). */
	let evaluating: number | null = null;
	const unsubscribe = runtime.metrics.subscribe((p) => {
		if (p.kind !== 'episode') return;
		if (p.evalId !== undefined) {
			out.evalEpisodes++;
			evaluating = null;
		}
		if (p.lapTimesMs.length === 0) return;
		if (out.firstCleanLapSec === null) {
			out.firstCleanLapSec = (performance.now() - started) / 1000;
			out.stepsToFirstCleanLap = runtime.ingested;
		}
		if (p.evalId !== undefined) bestEval = Math.min(bestEval, ...p.lapTimesMs);
		else best = Math.min(best, ...p.lapTimesMs);
	});
	const pending = [...marks];
	while ((performance.now() - started) / 1000 < seconds) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		while (pending.length && runtime.ingested >= pending[0]) out.bestAt[pending.shift()!] = Number.isFinite(best) ? best / 1000 : null;
		const t = (performance.now() - started) / 1000;
		// One evaluation at a time: the next is asked for once the last one's episode came in.
		if (evaluating !== null && t - evaluating > 5 * watch.evaluateEverySec!) evaluating = null;
		if (t >= nextEvaluation && evaluating === null && runtime.training.snapshot) {
			const [first] = runtime
				.actorInfos()
				.filter((a) => a.state === 'connected')
				.sort((a, b) => a.id.localeCompare(b.id));
			if (first && runtime.evaluate(1, [first.id]).actors.length > 0) {
				out.evaluations++;
				evaluating = t;
			}
			nextEvaluation = t + watch.evaluateEverySec!;
		}
		if (t >= nextMinute) {
			bestOverTime.push(`${nextMinute}s:${lapText(best)}`);
			if (watch.evaluateEverySec) evalOverTime.push(`${nextMinute}s:${lapText(bestEval)}`);
			const s = runtime.status();
			const evalText = watch.evaluateEverySec ? `, best evaluation lap ${lapText(bestEval)} s (${out.evalEpisodes} episodes)` : '';
			console.error(
				`  ${label} ${nextMinute} s: env steps ${runtime.ingested}, updates ${s.updates}, recent return ${runtime.metrics.recentReturn().toFixed(1)}, best clean lap ${lapText(best)} s${evalText}`
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
		bestEvalLapSec: Number.isFinite(bestEval) ? bestEval / 1000 : null,
		evalOverTime: evalOverTime.join(' '),
		samplesPerSec: runtime.ingested / elapsed,
		envSteps: runtime.ingested,
		updates: status.updates
	};
}
