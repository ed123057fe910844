/**
 * The training guard: a rollout that drives an update to non-finite numbers (here a reward of
 * 3e38, which the protocol now refuses at decode, fed to the trainer directly) is rolled back —
 * the trainer is bit for bit as before — and the next good rollout trains as usual.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../../src/lib/ppo/backend.ts';
import { guardedUpdate } from '../../../src/lib/ppo/guard.ts';
import { RolloutBuffer } from '../../../src/lib/ppo/rollout-buffer.ts';
import { PpoTrainer } from '../../../src/lib/ppo/trainer.ts';
import { segmentStarts } from '../../../src/lib/transitions/index.ts';
import { trajectoryBatch } from '../../fixtures/trajectory.ts';

function rollout(reward?: number) {
	const batch = trajectoryBatch(64, 3);
	if (reward !== undefined) batch.reward.fill(reward);
	return RolloutBuffer.of({ ...batch, segments: [...segmentStarts(batch)].map(([s, start]) => ({ ...s, stream: 'a', start })) });
}

const state = (t: PpoTrainer) => ({
	params: [...t.params()],
	m: [...(t.adam.m.dataSync() as Float32Array)],
	step: t.adam.step,
	obsMean: [...t.obsNorm.stats.mean],
	counters: { ...t.counters },
	rng: t.rng.save()
});

describe('training guard', () => {
	before(async () => {
		await initBackend(['cpu']);
	});

	it('rolls back an update that goes non-finite and trains on the next good rollout', () => {
		const trainer = new PpoTrainer(15, 3, { nSteps: 64, minibatchSize: 32, updateEpochs: 2, hiddenSizes: [8] });
		assert.ok(guardedUpdate(trainer, rollout()).ok);
		const before = state(trainer);
		const poisoned = guardedUpdate(trainer, rollout(3e38));
		assert.equal(poisoned.ok, false);
		assert.match((poisoned as { reason: string }).reason, /NaN|Infinity/);
		assert.deepStrictEqual(state(trainer), before, 'parameters, Adam, normaliser, RNG and counters as before');
		assert.ok(trainer.params().every(Number.isFinite));
		const next = guardedUpdate(trainer, rollout());
		assert.ok(next.ok && next.result.policyVersion === before.counters.policyVersion + 1);
		trainer.dispose();
	});
});
