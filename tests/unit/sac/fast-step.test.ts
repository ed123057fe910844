/**
 * The fast SAC step (hand-derived gradients) against the tfjs autodiff reference (update.ts, itself
 * checked against float64 finite differences in update.test.ts), on the cpu and wasm backends:
 * every critic, actor and α gradient, the metrics and the targets over several steps, state round
 * trips, and no tensor leaks. Gradients are compared through Adam's first step with a huge ε,
 * which makes the step lr·g/ε: linear in the gradient, so a difference in g shows as one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { FastSac } from '../../../src/lib/sac/fast-step.ts';
import { criticLayout, initActorParams, initCriticParams, sacActorLayout } from '../../../src/lib/sac/layout.ts';
import { SacNets, type SacStepper } from '../../../src/lib/sac/nets.ts';
import type { SacBatch, SacStepPlan } from '../../../src/lib/sac/update.ts';

const OBS = 3;
const ACT = 2;
const HIDDEN = [7, 5];
const N = 9;
const LOW = [-1, 0];
const HIGH = [1, 2];

function setup(seed: number): { reference: SacNets; fast: FastSac; batch: (k: number) => SacBatch } {
	const rng = new Rng(seed);
	const al = sacActorLayout(OBS, ACT, HIDDEN);
	const cl = criticLayout(OBS, ACT, HIDDEN);
	const actor = initActorParams(al, rng, LOW, HIGH);
	const critic = initCriticParams(cl, rng);
	const target = initCriticParams(cl, rng);
	const reference = new SacNets(al, cl, actor, critic, Math.log(0.3));
	const fast = new FastSac(al, cl, actor, critic, Math.log(0.3));
	const state = reference.read();
	state.target = target;
	reference.write(state);
	fast.write(state);
	const f = (k: number, s = 1) => Float32Array.from({ length: k }, () => s * rng.normal());
	const batches = Array.from({ length: 6 }, () => ({
		n: N,
		obs: f(N * OBS),
		action: Float32Array.from({ length: N * ACT }, (_, i) => LOW[i % ACT] + (HIGH[i % ACT] - LOW[i % ACT]) * rng.next()),
		reward: f(N),
		nextObs: f(N * OBS),
		discount: Float32Array.from({ length: N }, (_, i) => (i === 2 ? 0 : 0.99)),
		epsNext: f(N * ACT),
		epsActor: f(4 * N * ACT)
	}));
	return { reference, fast, batch: (k) => batches[k] };
}

const PLAN: SacStepPlan = { actorSteps: 2, updateTargets: true, autotune: true, targetEntropy: -ACT, tau: 0.1, policyLr: 1e-3, qLr: 1e-3, adamEps: 1e-8 };
/** Adam's first step is then lr·g/ε = g (to float32 rounding): the parameters move by their gradient. */
const LINEAR: SacStepPlan = { ...PLAN, policyLr: 1e6, qLr: 1e6, adamEps: 1e6 };

function moved(stepper: SacStepper, batch: SacBatch, plan: SacStepPlan) {
	const before = stepper.read();
	const metrics = stepper.step(batch, plan);
	const after = stepper.read();
	const delta = (a: Float32Array, b: Float32Array) => Float64Array.from(a, (v, i) => v - b[i]);
	return { metrics, critic: delta(after.critic, before.critic), actor: delta(after.actor, before.actor), logAlpha: after.logAlpha - before.logAlpha };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-3): void {
	assert.equal(actual.length, expected.length);
	let scale = 0;
	for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
	assert.ok(scale > 0, `${what}: the reference did not move`);
	for (let i = 0; i < expected.length; i++) {
		assert.ok(Math.abs(actual[i] - expected[i]) <= rel * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
	}
}

for (const backend of ['cpu', 'wasm'] as const) {
	describe(`fast SAC step equals the autodiff reference (${backend})`, () => {
		before(async () => {
			await initBackend([backend]);
		});
		after(() => {
			tf.disposeVariables();
		});

		it('critic gradients', () => {
			const { reference, fast, batch } = setup(1);
			const plan = { ...LINEAR, actorSteps: 0, updateTargets: false };
			const r = moved(reference, batch(0), plan);
			const f = moved(fast, batch(0), plan);
			assertClose(f.critic, r.critic, 'critic gradient');
			assert.ok(Math.abs(f.metrics['losses/qf1_loss'] - r.metrics['losses/qf1_loss']) < 1e-4 * Math.max(1, r.metrics['losses/qf1_loss']));
			assert.ok(Math.abs(f.metrics['losses/qf2_values'] - r.metrics['losses/qf2_values']) < 1e-4);
			assert.ok(f.actor.every((d) => d === 0));
			reference.dispose();
			fast.dispose();
		});

		it('actor and α gradients, through the updated critics', () => {
			const { reference, fast, batch } = setup(2);
			const plan = { ...LINEAR, qLr: 1e-3, adamEps: 1e6, actorSteps: 1 };
			const r = moved(reference, batch(1), plan);
			const f = moved(fast, batch(1), plan);
			assertClose(f.actor, r.actor, 'actor gradient');
			assert.ok(Math.abs(f.logAlpha - r.logAlpha) <= 1e-4 * Math.abs(r.logAlpha), `log α ${f.logAlpha} vs ${r.logAlpha}`);
			for (const key of ['losses/actor_loss', 'losses/alpha_loss', 'losses/entropy'] as const) {
				assert.ok(Math.abs(f.metrics[key] - r.metrics[key]) < 1e-4 * Math.max(1, Math.abs(r.metrics[key])), `${key}: ${f.metrics[key]} vs ${r.metrics[key]}`);
			}
			reference.dispose();
			fast.dispose();
		});

		it('several ordinary steps: metrics, networks and targets stay together', () => {
			const { reference, fast, batch } = setup(3);
			for (let k = 0; k < 6; k++) {
				const plan = { ...PLAN, actorSteps: k % 2 ? 2 : 0, updateTargets: k !== 3, autotune: k !== 4 };
				const r = reference.step(batch(k), plan);
				const f = fast.step(batch(k), plan);
				for (const [key, value] of Object.entries(r)) {
					const got = f[key as keyof typeof f];
					if (Number.isNaN(value)) assert.ok(Number.isNaN(got), `${key} at step ${k}`);
					else assert.ok(Math.abs(got - value) < 1e-3 * Math.max(1, Math.abs(value)), `${key} at step ${k}: ${got} vs ${value}`);
				}
			}
			const r = reference.read();
			const f = fast.read();
			assertClose(f.target, r.target, 'targets', 1e-4);
			assertClose(f.critic, r.critic, 'critics', 1e-3);
			assertClose(f.actor, r.actor, 'actor', 1e-3);
			assert.deepEqual(f.steps, r.steps);
			reference.dispose();
			fast.dispose();
		});

		it('writes and reads back a state exactly, and leaks no tensors', () => {
			const { reference, fast, batch } = setup(4);
			fast.step(batch(0), PLAN);
			const count = tf.memory().numTensors;
			for (let k = 1; k < 4; k++) fast.step(batch(k), { ...PLAN, actorSteps: k % 2 ? 2 : 0 });
			assert.equal(tf.memory().numTensors, count);
			const state = reference.read();
			fast.write(state);
			const back = fast.read();
			assert.deepEqual(back, state);
			// After a write the device copies follow the new state.
			const r = reference.step(batch(5), PLAN);
			const f = fast.step(batch(5), PLAN);
			assert.ok(Math.abs(f['losses/qf1_loss'] - r['losses/qf1_loss']) < 1e-4 * Math.max(1, r['losses/qf1_loss']));
			reference.dispose();
			fast.dispose();
		});
	});
}
