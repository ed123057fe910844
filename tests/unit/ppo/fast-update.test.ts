/**
 * The fast PPO update (parameters and Adam in TypeScript) against the backend reference
 * (update.ts's ppoUpdate, whose gradient gradients.test.ts checks against autodiff), on the cpu
 * and wasm backends: the gradient of one minibatch (through Adam's first step with a huge ε, which
 * makes the step linear in the gradient), and a whole update of several epochs and minibatches
 * (the last one short) with clipping, value clipping and the global-norm clip: parameters, Adam
 * moments, step count and every metric. Also: the same shuffles (one Rng stream), no leaks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdamState } from '../../../src/lib/ppo/adam.ts';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { resolvePpoConfig, type PpoConfig } from '../../../src/lib/ppo/config.ts';
import { fastPpoUpdate } from '../../../src/lib/ppo/fast-update.ts';
import { initParams, policyLayout } from '../../../src/lib/ppo/layout.ts';
import { ActorCriticModel } from '../../../src/lib/ppo/model.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { ppoUpdate, type UpdateBatch } from '../../../src/lib/ppo/update.ts';

const OBS = 5;
const ACT = 3;
const N = 70;

function setup(seed: number) {
	const rng = new Rng(seed);
	const layout = policyLayout(OBS, ACT, [16, 8]);
	const params = initParams(layout, rng, -0.5);
	for (let i = 0; i < params.length; i++) params[i] += 0.1 * rng.normal();
	const f = (k: number, scale = 1, shift = 0) => Float32Array.from({ length: k }, () => scale * rng.normal() + shift);
	// Old log-probs far from the new ones, so some ratios fall outside [1 − ε, 1 + ε].
	const batch: UpdateBatch = { n: N, obs: f(N * OBS), action: f(N * ACT), logProb: f(N, 0.5, -3), advantages: f(N), returns: f(N, 2), values: f(N, 2) };
	const make = () => ({ model: new ActorCriticModel(layout, params), adam: new AdamState(layout.size) });
	return { reference: make(), fast: make(), batch };
}

type Pair = ReturnType<typeof setup>['reference'];

function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel: number): void {
	let scale = 0;
	for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
	assert.ok(scale > 0, `${what}: all zero`);
	for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= rel * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

const run = (p: Pair, batch: UpdateBatch, config: PpoConfig, lr: number, update: typeof ppoUpdate) => update(p.model, p.adam, batch, config, lr, new Rng(7));

for (const backend of ['cpu', 'wasm'] as const) {
	describe(`fast PPO update equals the backend reference (${backend})`, () => {
		before(async () => {
			await initBackend([backend]);
		});
		after(() => {
			tf.disposeVariables();
		});

		for (const clipVloss of [false, true]) {
			it(`one minibatch's gradient (clipVloss ${clipVloss})`, () => {
				const { reference, fast, batch } = setup(clipVloss ? 2 : 1);
				// A huge ε makes Adam's first step lr·g/ε; no norm clip, so the step is the gradient.
				const config = resolvePpoConfig({ clipVloss, entCoef: 0.01, updateEpochs: 1, minibatchSize: N, adamEps: 1, maxGradNorm: 1000 });
				const before = reference.model.params32();
				const r = run(reference, batch, { ...config, adamEps: 1e6 }, 1e6, ppoUpdate);
				const f = run(fast, batch, { ...config, adamEps: 1e6 }, 1e6, fastPpoUpdate);
				assert.ok(r['losses/clipfrac'] > 0.05, `the test must exercise clipping (clipfrac ${r['losses/clipfrac']})`);
				const delta = (p: Pair) => Float64Array.from(p.model.params32(), (x, i) => x - before[i]);
				closeArrays(delta(fast), delta(reference), 'gradient', 1e-3);
				for (const key of Object.keys(r) as (keyof typeof r)[]) {
					assert.ok(Math.abs(f[key] - r[key]) <= 1e-4 * Math.max(1, Math.abs(r[key])), `${key}: ${f[key]} vs ${r[key]}`);
				}
			});
		}

		it('a whole update: epochs, shuffled minibatches (the last one short), clipping, Adam', () => {
			const { reference, fast, batch } = setup(3);
			const config = resolvePpoConfig({ clipVloss: true, entCoef: 0.01, updateEpochs: 3, minibatchSize: 32, maxGradNorm: 0.5 });
			const r = run(reference, batch, config, 3e-3, ppoUpdate);
			const count = tf.memory().numTensors;
			const f = run(fast, batch, config, 3e-3, fastPpoUpdate);
			assert.equal(tf.memory().numTensors, count, 'no tensor leaks');
			assert.deepEqual([f.epochs, f.minibatches, fast.adam.step], [r.epochs, r.minibatches, reference.adam.step]);
			assert.equal(f.minibatches, 9);
			closeArrays(fast.model.params32(), reference.model.params32(), 'parameters', 1e-4);
			closeArrays(fast.adam.moments(), reference.adam.moments(), 'Adam moments', 1e-3);
			for (const key of Object.keys(r) as (keyof typeof r)[]) {
				assert.ok(Math.abs(f[key] - r[key]) <= 1e-3 * Math.max(1, Math.abs(r[key])), `${key}: ${f[key]} vs ${r[key]}`);
			}
		});

		it('stops early on the target KL after the same epoch', () => {
			const { reference, fast, batch } = setup(4);
			const config = resolvePpoConfig({ updateEpochs: 10, minibatchSize: 16, targetKl: 1e-4 });
			const r = run(reference, batch, config, 1e-2, ppoUpdate);
			const f = run(fast, batch, config, 1e-2, fastPpoUpdate);
			assert.ok(r.epochs < 10, 'the test must stop early');
			assert.equal(f.epochs, r.epochs);
		});
	});
}
