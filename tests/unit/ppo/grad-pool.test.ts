/**
 * Data-parallel PPO updates (grad-pool.ts: minibatch rows split across worker threads, one Adam
 * step) against the update on one thread, on the wasm backend, real worker threads: the same
 * parameters, moments and metrics within float tolerance at 2 and 3 threads, the same bits for
 * the same thread count, minibatches smaller than the thread count, no tensor leaks; and a thread
 * that dies: the update still happens, on this thread alone, and says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { PpoGradPool } from '../../../src/lib/ppo/grad-pool.ts';
import { policyLayout } from '../../../src/lib/ppo/layout.ts';
import { PpoTrainer } from '../../../src/lib/ppo/trainer.ts';
import { syntheticBuffer } from './fixtures.ts';

const OBS = 7;
const ACT = 3;
const config = { hiddenSizes: [32, 16], nSteps: 150, minibatchSize: 40, updateEpochs: 3, clipVloss: true, entCoef: 0.01, seed: 5 };

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel: number): void {
	let scale = 0;
	for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
	for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= rel * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

async function trained(threads: number, updates = 2) {
	const trainer = new PpoTrainer(OBS, ACT, config);
	await trainer.useThreads(threads);
	const results = [];
	for (let u = 0; u < updates; u++) results.push(trainer.update(syntheticBuffer(OBS, ACT, config.nSteps, 10 + u)));
	return { trainer, results };
}

describe('PPO gradients across threads (wasm)', () => {
	before(async () => {
		await initBackend(['wasm']);
	});
	after(() => tf.disposeVariables());

	it('updates as one thread does, at 2 and 3 threads; the same bits for the same count', async () => {
		const one = await trained(1);
		for (const threads of [2, 3]) {
			const many = await trained(threads);
			assert.equal(many.trainer.threads, threads);
			assert.equal(many.trainer.threadsError, undefined);
			close(many.trainer.params(), one.trainer.params(), `θ at ${threads} threads`, 1e-4);
			close(many.trainer.adam.moments(), one.trainer.adam.moments(), `moments at ${threads} threads`, 1e-3);
			for (const key of ['losses/policy_loss', 'losses/value_loss', 'losses/entropy', 'losses/approx_kl', 'losses/clipfrac'] as const) {
				const [a, b] = [many.results[1][key], one.results[1][key]];
				assert.ok(Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b)), `${key} at ${threads} threads: ${a} vs ${b}`);
			}
			if (threads === 2) {
				const again = await trained(2);
				assert.deepEqual(again.trainer.params(), many.trainer.params(), 'deterministic for a thread count');
				again.trainer.dispose();
			}
			many.trainer.dispose();
		}
		one.trainer.dispose();
	});

	it('splits minibatches smaller than the thread count, and leaks no tensors', async () => {
		const trainer = new PpoTrainer(OBS, ACT, { ...config, nSteps: 5, minibatchSize: 2, updateEpochs: 1 });
		const reference = new PpoTrainer(OBS, ACT, { ...config, nSteps: 5, minibatchSize: 2, updateEpochs: 1 });
		await trainer.useThreads(3);
		trainer.update(syntheticBuffer(OBS, ACT, 5, 1));
		const count = tf.memory().numTensors;
		trainer.update(syntheticBuffer(OBS, ACT, 5, 2));
		assert.equal(tf.memory().numTensors, count, 'no tensor leaks');
		reference.update(syntheticBuffer(OBS, ACT, 5, 1));
		reference.update(syntheticBuffer(OBS, ACT, 5, 2));
		close(trainer.params(), reference.params(), 'θ', 1e-4);
		trainer.dispose();
		reference.dispose();
	});

	it('refuses a pool of fewer than 2 threads, or of a thread count that is not a whole number', async () => {
		const layout = policyLayout(OBS, ACT, [8]);
		for (const threads of [1, 0, -3, 2.5, NaN]) {
			await assert.rejects(PpoGradPool.start(layout, threads, 16, 'wasm'), /a gradient pool needs 2 threads or more/);
		}
	});

	it('goes on alone when a thread dies, and says why', async () => {
		const { trainer } = await trained(2, 0);
		const reference = new PpoTrainer(OBS, ACT, config);
		// The pool's worker, ended from outside as a crash would.
		const pool = (trainer as unknown as { pool: { pool: { threads: { terminate(): Promise<number> }[] } } }).pool;
		await pool.pool.threads[0].terminate();
		await new Promise((resolve) => setImmediate(resolve));
		const result = trainer.update(syntheticBuffer(OBS, ACT, config.nSteps, 10));
		reference.update(syntheticBuffer(OBS, ACT, config.nSteps, 10));
		assert.match(trainer.threadsError ?? '', /trainer thread 1 exited/);
		assert.equal(trainer.threads, 1);
		assert.equal(result.policyVersion, 2);
		assert.deepEqual(trainer.params(), reference.params(), 'the retry is the one-thread update, bit for bit');
		trainer.dispose();
		reference.dispose();
	});
});
