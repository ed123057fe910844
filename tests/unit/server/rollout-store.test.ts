/** The learner's rollout store: trained, stale and overflow counted per actor in the ledger, one copy into the trainer's block, held steps saved and restored. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeld, encodeHeld } from '../../../src/lib/server/runtime/checkpoint-extras.ts';
import { TransitionLedger } from '../../../src/lib/server/runtime/ledger.ts';
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

function storeOf(capacity: number, maxLag: number) {
	const ledger = new TransitionLedger();
	return { ledger, store: new RolloutStore(1, 1, capacity, maxLag, ledger) };
}

/** What intake does before the store sees a batch. */
function receive(ledger: TransitionLedger, store: RolloutStore, actor: string, b: StepBlock, version: number): number {
	ledger.add(actor, 'received', b.n);
	return store.ingest(actor, b, version);
}

describe('RolloutStore', () => {
	it('drops steps that went stale while waiting and cuts the segment around them', () => {
		const { ledger, store } = storeOf(100, 1);
		assert.equal(receive(ledger, store, 'a', batch(0, [3, 3, 4, 4, 4], true), 4), 0); // fresh when it came in
		assert.equal(store.fresh(5), 3); // versions ≥ 4
		const rollout = store.take(5);
		assert.equal(rollout.n, 3);
		assert.deepStrictEqual([...rollout.obs], [2, 3, 4]);
		assert.deepStrictEqual(
			rollout.segments.map((s) => [s.stream, s.stepIndex, s.start, s.length, s.terminated]),
			[['a', 2, 0, 3, true]]
		);
		assert.deepStrictEqual([ledger.counts('a').stale, ledger.counts('a').trained, ledger.counts('a').held], [2, 3, 0]);
		assert.equal(store.heldSteps, 0);
	});

	it('a fresh run that stops before a stale step bootstraps from that step', () => {
		const { ledger, store } = storeOf(100, 0);
		receive(ledger, store, 'a', batch(10, [2, 2, 1, 2]), 2);
		const rollout = store.take(2);
		assert.deepStrictEqual(
			rollout.segments.map((s) => [s.stepIndex, s.length, [...s.finalObs]]),
			[
				[10, 2, [12]],
				[13, 1, [14]]
			]
		);
		assert.equal(ledger.counts('a').stale, 1);
	});

	it('counts whole-batch stale refusals at ingest and overflow beyond capacity', () => {
		const { ledger, store } = storeOf(4, 0);
		assert.equal(receive(ledger, store, 'a', batch(0, [1, 1]), 2), 2);
		receive(ledger, store, 'a', batch(0, [2, 2, 2]), 2);
		receive(ledger, store, 'b', batch(0, [2, 2, 2]), 2);
		const a = ledger.counts('a');
		assert.deepStrictEqual([a.received, a.stale, a.overflow, a.held], [5, 2, 3, 0]);
		assert.equal(ledger.counts('b').held, 3);
		assert.equal(ledger.totals().held, store.heldSteps);
		assert.deepStrictEqual(store.lagHistogram(3), { 1: 3 });
	});

	it('a step claiming a policy version the learner does not have is stale, never trained', () => {
		const { ledger, store } = storeOf(100, 2);
		assert.equal(receive(ledger, store, 'a', batch(0, [2, 3, 2]), 2), 0); // held whole, the unknown step dropped when taken
		assert.equal(store.take(2).n, 2);
		assert.deepStrictEqual([ledger.counts('a').trained, ledger.counts('a').stale], [2, 1]);
	});

	it('held batches survive a save and restore byte for byte, and the books still balance', () => {
		const { ledger, store } = storeOf(100, 1);
		receive(ledger, store, 'car/1', batch(0, [3, 3], true), 3);
		receive(ledger, store, 'car-2', batch(5, [3, 3, 3]), 3);
		const bytes = encodeHeld(store.heldBatches());
		const saved = ledger.save();

		const restored = storeOf(100, 1);
		restored.ledger.restore(JSON.parse(JSON.stringify(saved)));
		restored.store.restoreHeld(decodeHeld(bytes));
		assert.equal(restored.store.heldSteps, 5);
		assert.equal(restored.ledger.totals().held, 5);
		const before = store.take(3);
		const after = restored.store.take(3);
		assert.deepStrictEqual(after, before);
		assert.deepStrictEqual(restored.ledger.totals(), ledger.totals());
		assert.throws(() => decodeHeld(bytes.subarray(0, bytes.length - 3)), /truncated/);
	});
});
