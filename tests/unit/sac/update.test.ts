/**
 * SAC's gradient step against an independent float64 reference (plain loops, no shared code):
 * the losses it reports, the direction of every gradient (Adam's first step moves each parameter
 * by ≈ lr·sign(g), checked against central differences of the reference loss), α's step and the
 * Polyak targets. Also: no tensors leak across steps.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import {
	criticLayout,
	initActorParams,
	initCriticParams,
	LOG_STD_MAX,
	LOG_STD_MIN,
	sacActorLayout,
	type CriticLayout,
	type SacActorLayout
} from '../../../src/lib/sac/layout.ts';
import { SacNets } from '../../../src/lib/sac/nets.ts';
import { sacStep, type SacBatch, type SacStepPlan } from '../../../src/lib/sac/update.ts';

const OBS = 2;
const ACT = 2;
const HIDDEN = [5, 4];
const N = 6;
const LOW = [-1, 0];
const HIGH = [1, 2];

function mlp(
	params: ArrayLike<number>,
	layout: { entries: { name: string; offset: number; shape: number[] }[] },
	net: string,
	x: number[],
	outName: string
): number[] {
	const get = (name: string) => layout.entries.find((e) => e.name === `${net}/${name}`)!;
	const layer = (w: string, b: string, input: number[], relu: boolean) => {
		const we = get(w);
		const be = get(b);
		const [inDim, outDim] = we.shape;
		const out: number[] = [];
		for (let j = 0; j < outDim; j++) {
			let s = params[be.offset + j];
			for (let i = 0; i < inDim; i++) s += input[i] * params[we.offset + i * outDim + j];
			out.push(relu ? Math.max(0, s) : s);
		}
		return out;
	};
	let h = x;
	for (let i = 0; i < HIDDEN.length; i++) h = layer(`w${i}`, `b${i}`, h, true);
	return outName === 'trunk' ? h : layer(`${outName}/w`, `${outName}/b`, h, false);
}

/** Squashed action and log-prob of one observation with noise eps (float64). */
function actorRef(params: ArrayLike<number>, layout: SacActorLayout, obs: number[], eps: number[]): { action: number[]; logProb: number } {
	const mean = mlp(params, layout, 'pi', obs, 'mean');
	const raw = mlp(params, layout, 'pi', obs, 'log_std');
	const scale = LOW.map((l, i) => (HIGH[i] - l) / 2);
	const bias = LOW.map((l, i) => (HIGH[i] + l) / 2);
	let logProb = 0;
	const action = mean.map((m, i) => {
		const logStd = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (Math.tanh(raw[i]) + 1);
		const y = Math.tanh(m + Math.exp(logStd) * eps[i]);
		logProb += -0.5 * eps[i] ** 2 - logStd - 0.5 * Math.log(2 * Math.PI) - Math.log(scale[i] * (1 - y * y) + 1e-6);
		return y * scale[i] + bias[i];
	});
	return { action, logProb };
}

const q = (params: ArrayLike<number>, layout: CriticLayout, net: string, obs: number[], action: number[]) =>
	mlp(params, layout, net, [...obs, ...action], 'out')[0];
const row = (a: Float32Array, i: number, w: number) => Array.from(a.subarray(i * w, (i + 1) * w));

interface World {
	actor: Float64Array;
	critic: Float64Array;
	target: Float64Array;
	logAlpha: number;
}

function criticLossRef(w: World, b: SacBatch, al: SacActorLayout, cl: CriticLayout): number[] {
	const alpha = Math.exp(w.logAlpha);
	let l1 = 0;
	let l2 = 0;
	for (let i = 0; i < b.n; i++) {
		const next = actorRef(w.actor, al, row(b.nextObs, i, OBS), row(b.epsNext, i, ACT));
		const nextObs = row(b.nextObs, i, OBS);
		const soft = Math.min(q(w.target, cl, 'q1', nextObs, next.action), q(w.target, cl, 'q2', nextObs, next.action)) - alpha * next.logProb;
		const y = b.reward[i] + b.discount[i] * soft;
		l1 += (q(w.critic, cl, 'q1', row(b.obs, i, OBS), row(b.action, i, ACT)) - y) ** 2;
		l2 += (q(w.critic, cl, 'q2', row(b.obs, i, OBS), row(b.action, i, ACT)) - y) ** 2;
	}
	return [l1 / b.n, l2 / b.n];
}

function actorLossRef(w: World, b: SacBatch, al: SacActorLayout, cl: CriticLayout): number {
	const alpha = Math.exp(w.logAlpha);
	let loss = 0;
	for (let i = 0; i < b.n; i++) {
		const obs = row(b.obs, i, OBS);
		const pi = actorRef(w.actor, al, obs, row(b.epsActor, i, ACT));
		loss += alpha * pi.logProb - Math.min(q(w.critic, cl, 'q1', obs, pi.action), q(w.critic, cl, 'q2', obs, pi.action));
	}
	return loss / b.n;
}

/** Central difference of f along parameter k of `params` (a float64 copy is perturbed). */
function fd(params: Float64Array, k: number, f: () => number, h = 1e-4): number {
	const keep = params[k];
	params[k] = keep + h;
	const up = f();
	params[k] = keep - h;
	const down = f();
	params[k] = keep;
	return (up - down) / (2 * h);
}

function setup(seed: number) {
	const rng = new Rng(seed);
	const al = sacActorLayout(OBS, ACT, HIDDEN);
	const cl = criticLayout(OBS, ACT, HIDDEN);
	const actor = initActorParams(al, rng, LOW, HIGH);
	const critic = initCriticParams(cl, rng);
	const target = initCriticParams(cl, rng); // differs from the critic, so the target path is exercised
	const f = (k: number, s = 1) => Float32Array.from({ length: k }, () => s * rng.normal());
	const batch: SacBatch = {
		n: N,
		obs: f(N * OBS),
		action: Float32Array.from({ length: N * ACT }, (_, i) => LOW[i % ACT] + (HIGH[i % ACT] - LOW[i % ACT]) * rng.next()),
		reward: f(N),
		nextObs: f(N * OBS),
		discount: Float32Array.from({ length: N }, (_, i) => (i === 2 ? 0 : 0.99)),
		epsNext: f(N * ACT),
		epsActor: f(2 * N * ACT)
	};
	const nets = new SacNets(al, cl, actor, critic, Math.log(0.3));
	nets.target.assign(tf.tensor1d(target));
	const world: World = { actor: Float64Array.from(actor), critic: Float64Array.from(critic), target: Float64Array.from(target), logAlpha: Math.log(0.3) };
	return { al, cl, nets, batch, world };
}

const PLAN: SacStepPlan = { actorSteps: 1, updateTargets: true, autotune: true, targetEntropy: -ACT, tau: 0.1, policyLr: 1e-3, qLr: 1e-3, adamEps: 1e-8 };

describe('SAC gradient step', () => {
	before(async () => {
		await initBackend(['cpu']);
	});

	it('reports the losses of the reference', () => {
		const { al, cl, nets, batch, world } = setup(1);
		const [l1, l2] = criticLossRef(world, batch, al, cl);
		const actorLoss = actorLossRef(world, batch, al, cl); // before the critic step changes Q…
		const metrics = sacStep(nets, batch, { ...PLAN, actorSteps: 0 });
		assert.ok(Math.abs(metrics['losses/qf1_loss'] - l1) < 1e-4 * Math.max(1, l1), `${metrics['losses/qf1_loss']} vs ${l1}`);
		assert.ok(Math.abs(metrics['losses/qf2_loss'] - l2) < 1e-4 * Math.max(1, l2));
		assert.ok(Number.isNaN(metrics['losses/actor_loss']), 'no actor step was planned');
		assert.ok(Number.isFinite(actorLoss));
		nets.dispose();
	});

	it("moves every critic parameter against the reference loss's gradient", () => {
		const { al, cl, nets, batch, world } = setup(2);
		const before = nets.read();
		sacStep(nets, batch, { ...PLAN, actorSteps: 0, updateTargets: false });
		const after = nets.read();
		let checked = 0;
		for (let k = 0; k < cl.size; k++) {
			const g = fd(world.critic, k, () => criticLossRef(world, batch, al, cl).reduce((a, b) => a + b, 0));
			const delta = after.critic[k] - before.critic[k];
			if (Math.abs(g) < 1e-3) continue; // too flat to tell the sign from float32 rounding
			assert.equal(Math.sign(delta), -Math.sign(g), `critic parameter ${k}: step ${delta}, gradient ${g}`);
			assert.ok(Math.abs(Math.abs(delta) - PLAN.qLr) < 0.05 * PLAN.qLr, `Adam's first step is lr·sign(g): ${delta}`);
			checked++;
		}
		assert.ok(checked > cl.size / 3, `only ${checked} of ${cl.size} parameters had a usable gradient`);
		assert.deepEqual(after.actor, before.actor, 'the actor does not move on a critic-only step');
		assert.deepEqual(after.target, before.target, 'no target update was planned');
		nets.dispose();
	});

	it("moves the actor against the reference actor loss's gradient", () => {
		const { al, cl, nets, batch, world } = setup(3);
		// The actor step sees the critic after its own step: take that critic as the reference's.
		const plan = { ...PLAN, qLr: 1e-12 };
		const before = nets.read();
		const metrics = sacStep(nets, batch, plan);
		const after = nets.read();
		world.critic = Float64Array.from(after.critic);
		const loss = actorLossRef(world, batch, al, cl);
		assert.ok(Math.abs(metrics['losses/actor_loss'] - loss) < 1e-3 * Math.max(1, Math.abs(loss)), `${metrics['losses/actor_loss']} vs ${loss}`);
		let checked = 0;
		for (let k = 0; k < al.trainable; k++) {
			const g = fd(world.actor, k, () => actorLossRef(world, batch, al, cl));
			if (Math.abs(g) < 1e-3) continue;
			assert.equal(Math.sign(after.actor[k] - before.actor[k]), -Math.sign(g), `actor parameter ${k}`);
			checked++;
		}
		assert.ok(checked > al.trainable / 4, `only ${checked} of ${al.trainable} actor parameters checked`);
		assert.deepEqual(after.actor.subarray(al.trainable), before.actor.subarray(al.trainable), 'scale and bias are constants');
		nets.dispose();
	});

	it('moves log α towards the entropy target, by lr on its first step', () => {
		for (const targetEntropy of [-ACT, 10]) {
			const { nets, batch } = setup(6);
			const before = nets.read().logAlpha;
			const metrics = sacStep(nets, batch, { ...PLAN, targetEntropy });
			const moved = nets.read().logAlpha - before;
			// L_α = −α·(log π + H̄): α falls when the entropy −log π is above the target, rises below it.
			const expected = metrics['losses/entropy'] > targetEntropy ? -1 : 1;
			assert.equal(Math.sign(moved), expected, `entropy ${metrics['losses/entropy']}, target ${targetEntropy}, log α moved ${moved}`);
			assert.ok(Math.abs(Math.abs(moved) - PLAN.qLr) < 1e-5, `first Adam step is lr: ${moved}`);
			nets.dispose();
		}
	});

	it('Polyak-averages the targets after the step', () => {
		const { nets, batch } = setup(4);
		const oldTarget = nets.read().target;
		sacStep(nets, batch, { ...PLAN, actorSteps: 0 });
		const { critic, target } = nets.read();
		for (let k = 0; k < target.length; k++) assert.ok(Math.abs(target[k] - (0.1 * critic[k] + 0.9 * oldTarget[k])) < 1e-6);
		nets.dispose();
	});

	it('leaks no tensors across steps', () => {
		const { nets, batch } = setup(5);
		const twice = { ...batch, epsActor: new Float32Array(4 * N * ACT).fill(0.5) };
		sacStep(nets, twice, { ...PLAN, actorSteps: 2 });
		const count = tf.memory().numTensors;
		for (let i = 0; i < 3; i++) sacStep(nets, twice, { ...PLAN, actorSteps: 2 });
		assert.equal(tf.memory().numTensors, count);
		nets.dispose();
	});
});
