/** The learner's rollout store: stale and overflow drops counted per actor, one copy into the trainer's block. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RolloutStore } from '../../../src/lib/server/runtime/rollout-store.ts';
import { allocSteps, type StepBlock } from '../../../src/lib/transitions/index.ts';

const dims = { obsDim: 1, actionDim: 1 };

/** One segment of episode 0 from stepIndex `first`; obs of step i is first + i. */
function batch(first: number, versions: number[], terminated = false): StepBlock {
	const n = versions.length;
	const steps = allocSteps(n, dims);
	versions.forEach((v, i) => {
		steps.obs[i] = first + i;
		steps.reward[i] = first + i;
		steps.policyVersion[i] = v;
	});
	return {
		n,
		...dims,
		...steps,
		segments: [{ episodeId: 0, stepIndex: first, length: n, finalObs: Float32Array.from([first + n]), terminated, truncated: false }]
	};
}

describe('RolloutStore', () => {
	it('drops steps that went stale while waiting and cuts the segment around them', () => {
		const store = new RolloutStore(1, 1, 100, 1);
		assert.equal(store.ingest('a', batch(0, [3, 3, 4, 4, 4], true), 4), 0); // fresh when it came in
		assert.equal(store.fresh(5), 3); // versions ≥ 4
		const rollout = store.take(5);
		assert.equal(rollout.n, 3);
		assert.deepStrictEqual([...rollout.obs], [2, 3, 4]);
		assert.deepStrictEqual(
			rollout.segments.map((s) => [s.stream, s.stepIndex, s.start, s.length, s.terminated]),
			[['a', 2, 0, 3, true]]
		);
		assert.equal(store.drops.get('a')?.stale, 2);
		assert.equal(store.heldSteps, 0);
	});

	it('a fresh run that stops before a stale step bootstraps from that step', () => {
		const store = new RolloutStore(1, 1, 100, 0);
		store.ingest('a', batch(10, [2, 2, 1, 2]), 1);
		const rollout = store.take(2);
		assert.deepStrictEqual(
			rollout.segments.map((s) => [s.stepIndex, s.length, [...s.finalObs]]),
			[
				[10, 2, [12]],
				[13, 1, [14]]
			]
		);
		assert.equal(store.drops.get('a')?.stale, 1);
	});

	it('counts whole-batch stale refusals at ingest and overflow beyond capacity', () => {
		const store = new RolloutStore(1, 1, 4, 0);
		assert.equal(store.ingest('a', batch(0, [1, 1]), 2), 2);
		store.ingest('a', batch(0, [2, 2, 2]), 2);
		store.ingest('b', batch(0, [2, 2, 2]), 2);
		assert.deepStrictEqual(store.drops.get('a'), { stale: 2, overflow: 3 });
		assert.equal(store.heldSteps, 3);
		assert.deepStrictEqual(store.lagHistogram(3), { 1: 3 });
	});
});
