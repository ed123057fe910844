/**
 * The training guard: an update that yields a non-finite loss, gradient statistic or parameter is
 * rolled back — parameters, Adam's moments and step, both normalisers, the RNG and the counters
 * are put back as they were before it — so a poisoned rollout can cost one update, never the
 * policy. Non-finite weights thus never leave the trainer (no broadcast, no checkpoint, no best).
 */
import { tf } from './backend.ts';
import type { RolloutBuffer } from './rollout-buffer.ts';
import type { PpoTrainer, TrainerUpdateResult } from './trainer.ts';

export type GuardedUpdate = { ok: true; result: TrainerUpdateResult } | { ok: false; reason: string };

interface Stats {
	mean: Float64Array;
	var: Float64Array;
	count: number;
}

const copyStats = (s: Stats): Stats => ({ mean: s.mean.slice(), var: s.var.slice(), count: s.count });
const putStats = (into: Stats, from: Stats) => {
	into.mean.set(from.mean);
	into.var.set(from.var);
	into.count = from.count;
};

/** Everything an update changes, copied. */
function saveState(t: PpoTrainer) {
	return {
		params: t.params(),
		m: t.adam.m.dataSync().slice() as Float32Array,
		v: t.adam.v.dataSync().slice() as Float32Array,
		step: t.adam.step,
		obsNorm: copyStats(t.obsNorm.stats),
		returnStats: copyStats(t.rewardScaler.returnStats),
		returns: t.rewardScaler.saveReturns(),
		rng: t.rng.save(),
		counters: { ...t.counters }
	};
}

function restoreState(t: PpoTrainer, s: ReturnType<typeof saveState>): void {
	tf.tidy(() => {
		t.model.theta.assign(tf.tensor1d(s.params));
		t.adam.m.assign(tf.tensor1d(s.m));
		t.adam.v.assign(tf.tensor1d(s.v));
	});
	t.adam.step = s.step;
	putStats(t.obsNorm.stats, s.obsNorm);
	putStats(t.rewardScaler.returnStats, s.returnStats);
	t.rewardScaler.restoreReturns(s.returns);
	t.rng.restore(s.rng);
	t.counters = s.counters;
}

/** The first non-finite figure of an update, or undefined. */
export function nonFinite(result: TrainerUpdateResult, params: Float32Array, adam: { m: Float32Array; v: Float32Array }): string | undefined {
	for (const [key, value] of Object.entries(result)) if (typeof value === 'number' && !Number.isFinite(value)) return `${key} is ${value}`;
	for (const [name, values] of [
		['parameter', params],
		["Adam's first moment", adam.m],
		["Adam's second moment", adam.v]
	] as const) {
		for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return `${name} ${i} is ${values[i]}`;
	}
	return undefined;
}

/** Runs `trainer.update(buffer)`; on a non-finite outcome (or a throw) puts the trainer back as it was. */
export function guardedUpdate(trainer: PpoTrainer, buffer: RolloutBuffer): GuardedUpdate {
	const before = saveState(trainer);
	let reason: string | undefined;
	try {
		const result = trainer.update(buffer);
		reason = nonFinite(result, trainer.params(), { m: trainer.adam.m.dataSync() as Float32Array, v: trainer.adam.v.dataSync() as Float32Array });
		if (!reason) return { ok: true, result };
	} catch (error) {
		reason = (error as Error)?.message ?? String(error);
	}
	restoreState(trainer, before);
	return { ok: false, reason };
}
