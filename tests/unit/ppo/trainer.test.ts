/** Trainer: no tensor leaks, determinism, exact resume from a checkpoint, Layers export, config checks. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../src/lib/ppo/checkpoint.ts';
import { resolvePpoConfig } from '../../../src/lib/ppo/config.ts';
import { loadLayersArtifacts } from '../../../src/lib/ppo/layers-export.ts';
import { PpoTrainer } from '../../../src/lib/ppo/trainer.ts';
import { syntheticBuffer } from './fixtures.ts';

before(() => initBackend(['cpu']));

const CONFIG = { nSteps: 256, minibatchSize: 64, updateEpochs: 2, hiddenSizes: [16, 16], normReward: true, seed: 7 };
const buffers = Array.from({ length: 5 }, (_, i) => syntheticBuffer(6, 2, 256, 100 + i));
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('PpoTrainer', () => {
	it('leaks no tensors across updates', () => {
		const trainer = new PpoTrainer(6, 2, CONFIG);
		trainer.update(buffers[0]);
		const before = tf.memory().numTensors;
		for (const buffer of buffers.slice(1)) trainer.update(buffer);
		trainer.weights();
		assert.equal(tf.memory().numTensors, before);
		trainer.dispose();
	});

	it('is deterministic for a seed and reports CleanRL metrics', () => {
		const a = new PpoTrainer(6, 2, CONFIG);
		const b = new PpoTrainer(6, 2, CONFIG);
		const ra = a.update(buffers[0]);
		b.update(buffers[0]);
		assert.ok(same(a.params(), b.params()));
		for (const key of [
			'losses/value_loss',
			'losses/policy_loss',
			'losses/entropy',
			'losses/approx_kl',
			'losses/clipfrac',
			'losses/explained_variance',
			'charts/learning_rate'
		] as const) {
			assert.equal(typeof ra[key], 'number', key);
		}
		assert.equal(ra.policyVersion, 2);
		assert.equal(ra.minibatches, 8);
		a.dispose();
		b.dispose();
	});

	it('resumes exactly: N updates, save, load, M updates ≡ N + M updates', async () => {
		const straight = new PpoTrainer(6, 2, CONFIG);
		for (const buffer of buffers) straight.update(buffer);

		const first = new PpoTrainer(6, 2, CONFIG);
		for (const buffer of buffers.slice(0, 2)) first.update(buffer);
		const file = await saveCheckpoint(first, { runId: 'test' });
		first.dispose();
		const { trainer: resumed, meta } = loadCheckpoint(file);
		assert.deepStrictEqual(meta, { runId: 'test' });
		assert.deepStrictEqual(resumed.counters, { updates: 2, samples: 512, policyVersion: 3 });
		for (const buffer of buffers.slice(2)) resumed.update(buffer);

		assert.ok(same(resumed.params(), straight.params()), 'parameters differ after resume');
		assert.ok(same(resumed.adam.m.dataSync() as Float32Array, straight.adam.m.dataSync() as Float32Array));
		assert.deepStrictEqual(resumed.counters, straight.counters);
		straight.dispose();
		resumed.dispose();
	});

	it('checkpoints a network that tf.loadLayersModel loads and that matches the trainer', async () => {
		const trainer = new PpoTrainer(6, 2, CONFIG);
		trainer.update(buffers[0]);
		const { layers, trainer: loaded } = loadCheckpoint(await saveCheckpoint(trainer));
		const model = await loadLayersArtifacts(layers);
		const obs = buffers[1].steps.obs.slice(0, 4 * 6);
		const normalized = trainer.normalize(obs, 4);
		const [mean, value] = tf.tidy(() => (model.predict(tf.tensor2d(normalized, [4, 6])) as tf.Tensor[]).map((t) => t.dataSync()));
		const policy = trainer.policy();
		for (let i = 0; i < 4; i++) {
			const row = obs.subarray(i * 6, (i + 1) * 6);
			const m = policy.mean(row);
			for (let j = 0; j < 2; j++) assert.ok(Math.abs(m[j] - mean[i * 2 + j]) < 1e-5);
			assert.ok(Math.abs(policy.value(row) - value[i]) < 1e-5);
		}
		model.dispose();
		trainer.dispose();
		loaded.dispose();
	});

	it('refuses files that are not checkpoints', () => {
		assert.throws(() => loadCheckpoint(new Uint8Array([1, 2, 3])), /not a pitwall checkpoint/);
	});

	it('validates its config with the reason', () => {
		assert.throws(() => resolvePpoConfig({ gamma: 1.5 }), /gamma must be in \[0, 1\]/);
		assert.throws(() => resolvePpoConfig({ minibatchSize: 4096 }), /minibatchSize/);
		assert.throws(() => resolvePpoConfig({ hiddenSizes: [] }), /hiddenSizes/);
		assert.throws(() => resolvePpoConfig({ learningRat: 1 } as never), /unknown PPO setting "learningRat"/);
		const trainer = new PpoTrainer(6, 2, CONFIG);
		assert.throws(() => trainer.setHyperparams({ learningRate: -1 }), /learningRate/);
		trainer.setHyperparams({ entCoef: 0.01 });
		assert.equal(trainer.config.entCoef, 0.01);
		trainer.dispose();
	});
});
