/**
 * SAC's pure-TS squashed-Gaussian actor equals a plain float64 reference written here; its log-prob
 * is the density of the action it sends (checked numerically); its actions stay in bounds; and
 * policyFromWeights runs either algorithm's WEIGHTS_UPDATE.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, type ObsNormStats, type WeightsUpdate } from '../../../src/lib/protocol/index.ts';
import { policyFromWeights, type ActResult } from '../../../src/lib/policy/index.ts';
import { PolicyForward } from '../../../src/lib/ppo/forward.ts';
import { initParams, policyLayout } from '../../../src/lib/ppo/layout.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { weightsMessage } from '../../../src/lib/ppo/weights.ts';
import { SquashedPolicyForward } from '../../../src/lib/sac/forward.ts';
import { actionScaleBias, initActorParams, sacActorLayout, type SacActorLayout } from '../../../src/lib/sac/layout.ts';
import { sacWeightsMessage } from '../../../src/lib/sac/weights.ts';

interface Reference {
	mu: number[];
	logStd: number[];
	action: number[];
	deterministic: number[];
	logProb: number;
}

/**
 * The actor written out longhand from the spec (CleanRL sac_continuous_action.py), walking the
 * flat buffer in manifest order: pi/w0, pi/b0, …, mean w/b, log_std w/b, scale, bias.
 */
function reference(
	params: Float32Array,
	obsDim: number,
	actionDim: number,
	hidden: number[],
	obs: ArrayLike<number>,
	eps: number[],
	norm?: ObsNormStats
): Reference {
	let offset = 0;
	const take = (n: number) => {
		const out = Array.from(params.subarray(offset, offset + n));
		offset += n;
		return out;
	};
	let x: number[] = [];
	for (let i = 0; i < obsDim; i++) {
		let v = obs[i];
		if (norm) v = Math.min(norm.clip, Math.max(-norm.clip, (v - norm.mean[i]) / Math.sqrt(norm.var[i] + norm.epsilon)));
		x.push(v);
	}
	const linear = (input: number[], outDim: number) => {
		const w = take(input.length * outDim);
		const b = take(outDim);
		const y: number[] = [];
		for (let j = 0; j < outDim; j++) {
			let s = b[j];
			for (let i = 0; i < input.length; i++) s += input[i] * w[i * outDim + j];
			y.push(s);
		}
		return y;
	};
	for (const h of hidden) x = linear(x, h).map((v) => Math.max(0, v));
	const mu = linear(x, actionDim);
	const raw = linear(x, actionDim);
	const scale = take(actionDim);
	const bias = take(actionDim);
	const logStd = raw.map((r) => -5 + 0.5 * (2 - -5) * (Math.tanh(r) + 1));
	const action: number[] = [];
	const deterministic: number[] = [];
	let logProb = 0;
	for (let i = 0; i < actionDim; i++) {
		const u = mu[i] + Math.exp(logStd[i]) * eps[i];
		const y = Math.tanh(u);
		action.push(y * scale[i] + bias[i]);
		deterministic.push(Math.tanh(mu[i]) * scale[i] + bias[i]);
		logProb += -0.5 * eps[i] * eps[i] - logStd[i] - 0.5 * Math.log(2 * Math.PI) - Math.log(scale[i] * (1 - y * y) + 1e-6);
	}
	return { mu, logStd, action, deterministic, logProb };
}

/** Random actor parameters (large enough that means and log-stds cover their ranges) and bounds. */
function randomActor(layout: SacActorLayout, seed: number, low: number[], high: number[], weightStd = 0.7): Float32Array {
	const rng = new Rng(seed);
	const params = new Float32Array(layout.size);
	for (let i = 0; i < layout.trainable; i++) params[i] = weightStd * rng.normal();
	const { scale, bias } = actionScaleBias(low, high);
	params.set(scale, layout.trainable);
	params.set(bias, layout.trainable + layout.actionDim);
	return params;
}

function randomObs(dim: number, rng: Rng, spread = 2): Float32Array {
	return Float32Array.from({ length: dim }, () => spread * rng.normal());
}

function randomNorm(dim: number, rng: Rng): ObsNormStats {
	return {
		mean: Float32Array.from({ length: dim }, () => rng.normal()),
		var: Float32Array.from({ length: dim }, () => 0.1 + 3 * rng.next()),
		count: 500,
		clip: 2.5,
		epsilon: 1e-8
	};
}

/** Standard normal CDF (Marsaglia's series: Φ(z) = ½ + φ(z)·(z + z³/3 + z⁵/15 + …)), double precision for |z| < 8. */
function normalCdf(z: number): number {
	if (z < -8) return 0;
	if (z > 8) return 1;
	let term = z;
	let sum = z;
	for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
		term *= (z * z) / (2 * n + 1);
		sum += term;
	}
	return 0.5 + (sum * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}

const wire = (update: WeightsUpdate) => decodeMessage(encodeMessage(update)) as WeightsUpdate;

describe('SAC squashed-Gaussian forward pass', () => {
	for (const [obsDim, actionDim, hidden] of [
		[15, 3, [64, 64]],
		[6, 2, [5]],
		[4, 5, [16, 8, 7]]
	] as [number, number, number[]][]) {
		for (const withNorm of [false, true]) {
			it(`matches a float64 reference within 1e-5 (obs ${obsDim}, action ${actionDim}, ${hidden.join('×')}${withNorm ? ', obsNorm' : ''})`, () => {
				const layout = sacActorLayout(obsDim, actionDim, hidden);
				const low = Array.from({ length: actionDim }, (_, i) => -1 - i);
				const high = Array.from({ length: actionDim }, (_, i) => 1 + 0.5 * i);
				const params = randomActor(layout, 11 + obsDim, low, high);
				const data = new Rng(7);
				const norm = withNorm ? randomNorm(obsDim, data) : undefined;
				const policy = new SquashedPolicyForward(layout, params, norm);
				const rng = new Rng(99);
				const twin = new Rng(99);
				let worst = 0;
				let saturated = 0;
				for (let k = 0; k < 60; k++) {
					const obs = randomObs(obsDim, data);
					const eps = Array.from({ length: actionDim }, () => twin.normal());
					const ref = reference(params, obsDim, actionDim, hidden, obs, eps, norm);
					const r = policy.act(obs, rng);
					const mean = policy.mean(obs);
					for (let i = 0; i < actionDim; i++) {
						worst = Math.max(
							worst,
							Math.abs(r.action[i] - ref.action[i]),
							Math.abs(r.mean[i] - ref.deterministic[i]),
							Math.abs(mean[i] - ref.deterministic[i])
						);
						if (Math.abs(ref.action[i] - ref.deterministic[i]) > 1e-3) saturated++; // the noise moved it
					}
					worst = Math.max(worst, Math.abs(r.logProb - ref.logProb) / Math.max(1, Math.abs(ref.logProb)));
					assert.equal(r.value, 0);
				}
				assert.ok(worst < 1e-5, `largest difference ${worst}`);
				assert.ok(saturated > 0, 'the samples differ from the deterministic action');
			});
		}
	}

	it('keeps every action inside [low, high], even with huge means and σ at its maximum', () => {
		const low = [-1, 0, 0, -2.5];
		const high = [1, 1, 1, 4];
		const layout = sacActorLayout(5, 4, [8]);
		const params = randomActor(layout, 3, low, high, 50);
		const mb = layout.entries.find((e) => e.name === 'pi/mean/b')!;
		const sb = layout.entries.find((e) => e.name === 'pi/log_std/b')!;
		for (let i = 0; i < 4; i++) params[mb.offset + i] = i % 2 ? -1e6 : 1e6;
		params.fill(1e3, sb.offset, sb.offset + sb.size);
		const policy = new SquashedPolicyForward(layout, params);
		const rng = new Rng(1);
		const data = new Rng(2);
		let atBound = 0;
		for (let k = 0; k < 500; k++) {
			const obs = randomObs(5, data, 100);
			const { action, mean, logProb } = policy.act(obs, rng);
			assert.ok(Number.isFinite(logProb), `logProb ${logProb}`);
			for (let i = 0; i < 4; i++) {
				assert.ok(action[i] >= low[i] && action[i] <= high[i], `action[${i}] = ${action[i]} outside [${low[i]}, ${high[i]}]`);
				assert.ok(mean[i] >= low[i] && mean[i] <= high[i], `mean[${i}] = ${mean[i]} outside [${low[i]}, ${high[i]}]`);
				if (action[i] === low[i] || action[i] === high[i]) atBound++;
			}
		}
		assert.ok(atBound > 0, 'the huge means saturate the squash');
	});

	it('keeps actions within float32 rounding of bounds that are not exact in float32', () => {
		const low = [-0.3, 0.1, -7.77];
		const high = [0.7, 0.2, 3.14];
		const layout = sacActorLayout(3, 3, [4]);
		const params = randomActor(layout, 5, low, high, 30);
		const policy = new SquashedPolicyForward(layout, params);
		const rng = new Rng(4);
		const data = new Rng(6);
		for (let k = 0; k < 500; k++) {
			const { action } = policy.act(randomObs(3, data, 10), rng);
			for (let i = 0; i < 3; i++) {
				const slack = 4e-7 * Math.max(1, Math.abs(low[i]), Math.abs(high[i]));
				assert.ok(action[i] >= low[i] - slack && action[i] <= high[i] + slack, `action[${i}] = ${action[i]} outside [${low[i]}, ${high[i]}]`);
			}
		}
	});

	it('reports the log-density of the squashed action (a CDF finite difference, actionDim 1)', () => {
		const low = [-3];
		const high = [1];
		const [s, b] = [2, -1];
		const layout = sacActorLayout(3, 1, [8]);
		const rng = new Rng(21);
		const data = new Rng(22);
		let checked = 0;
		for (let seed = 0; seed < 8; seed++) {
			const params = randomActor(layout, 100 + seed, low, high, 0.5);
			const policy = new SquashedPolicyForward(layout, params);
			for (let k = 0; k < 40; k++) {
				const obs = randomObs(3, data, 1);
				const { action, logProb } = policy.act(obs, rng);
				const ref = reference(params, 3, 1, [8], obs, [0]);
				const [m, sigma] = [ref.mu[0], Math.exp(ref.logStd[0])];
				const a = action[0];
				if (Math.abs((a - b) / s) > 0.98) continue; // away from the bounds (where the 1e-6 and float32 rounding matter)
				const h = 1e-5 * s;
				const z = (x: number) => (Math.atanh((x - b) / s) - m) / sigma;
				const density = (normalCdf(z(a + h / 2)) - normalCdf(z(a - h / 2))) / h;
				const relative = Math.abs(Math.exp(logProb) - density) / density;
				assert.ok(relative < 1e-4, `action ${a}: exp(logProb) ${Math.exp(logProb)}, numeric density ${density}`);
				checked++;
			}
		}
		assert.ok(checked > 200, `only ${checked} samples away from the bounds`);
	});

	it('samples the same actions from the same Rng, and other ones from another', () => {
		const layout = sacActorLayout(6, 3, [16, 16]);
		const params = initActorParams(layout, new Rng(8), [-1, 0, 0], [1, 1, 1]);
		const a = new SquashedPolicyForward(layout, params);
		const b = new SquashedPolicyForward(layout, params);
		const obs = Float32Array.from([0.1, -0.4, 0.9, 0, 2, -1]);
		const [ra, rb, rc] = [new Rng(5), new Rng(5), new Rng(6)];
		for (let k = 0; k < 20; k++) {
			const x = a.act(obs, ra);
			const [action, logProb] = [[...x.action], x.logProb];
			const y = b.act(obs, rb);
			assert.deepEqual([...y.action], action);
			assert.equal(y.logProb, logProb);
			assert.notDeepEqual([...b.act(obs, rc).action], action);
		}
	});

	it('takes tanh(mean)·scale + bias as the deterministic action', () => {
		const low = [-1, 0, -4];
		const high = [1, 1, 2];
		const layout = sacActorLayout(4, 3, [10]);
		const params = randomActor(layout, 9, low, high);
		const policy = new SquashedPolicyForward(layout, params);
		const data = new Rng(10);
		for (let k = 0; k < 20; k++) {
			const obs = randomObs(4, data);
			const ref = reference(params, 4, 3, [10], obs, [0, 0, 0]);
			const out = new Float32Array(3);
			assert.equal(policy.mean(obs, out), out);
			const r = policy.act(obs); // no rng: ε = 0
			for (let i = 0; i < 3; i++) {
				const expected = Math.tanh(ref.mu[i]) * (high[i] - low[i]) * 0.5 + (high[i] + low[i]) * 0.5;
				assert.ok(Math.abs(out[i] - expected) < 1e-6, `mean ${out[i]} vs ${expected}`);
				assert.equal(r.action[i], out[i]);
				assert.equal(r.mean[i], out[i]);
			}
			assert.ok(Math.abs(r.logProb - ref.logProb) < 1e-5 * Math.max(1, Math.abs(ref.logProb)), `logProb ${r.logProb} vs ${ref.logProb}`);
		}
	});

	it("gives docs/protocol.md's worked example", () => {
		const layout = sacActorLayout(2, 1, [2]);
		const params = Float32Array.from([0.5, 1, -0.25, 0.5, 0, -0.5, 1, -1, -1.5, -0.5, 1, 1.5, 0.5, 0.5]);
		const norm = { mean: Float32Array.from([10, 0]), var: Float32Array.from([4, 1]), count: 1000, clip: 5, epsilon: 1e-8 };
		const policy = new SquashedPolicyForward(layout, params, norm);
		const half = { normal: () => 0.5 } as unknown as Rng; // ε = 0.5
		const sampled = policy.act([14, -8], half);
		const got = [sampled.action[0], sampled.logProb, sampled.mean[0]]; // read before the next act() reuses the result
		const deterministic = policy.act([14, -8]);
		got.push(deterministic.action[0], deterministic.logProb);
		const doc = [0.907385, 0.985152, 0.817574, 0.817574, 0.536486];
		got.forEach((v, i) => assert.ok(Math.abs(v - doc[i]) < 1e-6, `${v} vs the docs' ${doc[i]}`));
	});

	it('reuses one result object across act() calls, and has no critic (value 0 even when asked)', () => {
		const layout = sacActorLayout(4, 2, [8]);
		const policy = new SquashedPolicyForward(layout, initActorParams(layout, new Rng(1), [-1, -1], [1, 1]));
		assert.equal(policy.computeValue, false);
		policy.computeValue = true;
		const rng = new Rng(2);
		const first = policy.act([0.1, 0.2, 0.3, 0.4], rng);
		const { action, mean } = first;
		for (let k = 0; k < 100; k++) {
			const r = policy.act([k, -k, 0.5, 1], rng);
			assert.equal(r, first);
			assert.equal(r.action, action);
			assert.equal(r.mean, mean);
			assert.equal(r.value, 0);
		}
	});

	it('refuses parameters of the wrong size or a non-positive action scale', () => {
		const layout = sacActorLayout(4, 2, [8]);
		const params = initActorParams(layout, new Rng(1), [-1, -1], [1, 1]);
		assert.throws(() => new SquashedPolicyForward(layout, params.subarray(1)), /expected \d+ parameters/);
		const bad = params.slice();
		bad[layout.trainable + 1] = 0;
		assert.throws(() => new SquashedPolicyForward(layout, bad), /pi\/action_scale\[1\]/);
	});
});

describe('policyFromWeights', () => {
	it('runs PPO weights as the Gaussian policy, as before', () => {
		const layout = policyLayout(5, 2, [8, 8]);
		const params = initParams(layout, new Rng(3), -0.5);
		const norm = randomNorm(5, new Rng(4));
		const policy = policyFromWeights(wire(weightsMessage(layout, params, 7, norm)), { obsDim: 5, actionDim: 2 });
		assert.ok(policy instanceof PolicyForward, 'a PPO policy');
		assert.equal(policy.obsDim, 5);
		assert.equal(policy.actionDim, 2);
		const obs = [0.3, -1, 2, 0, 0.5];
		assert.deepStrictEqual(policy.mean(obs), new PolicyForward(layout, params, norm).mean(obs));
		const { action, logProb } = policy.act(obs, new Rng(1));
		assert.ok(action.every(Number.isFinite) && Number.isFinite(logProb), `action ${action}, logProb ${logProb}`);
	});

	it('runs SAC weights as the squashed policy, obsNorm included', () => {
		const layout = sacActorLayout(5, 3, [16, 8]);
		const params = randomActor(layout, 12, [-1, 0, 0], [1, 1, 1]);
		const norm = randomNorm(5, new Rng(4));
		const message = sacWeightsMessage(layout, params, 4, norm);
		assert.deepEqual(Object.keys(message.manifest).sort(), Object.keys(weightsMessage(policyLayout(5, 3, [8]), new Float32Array(1), 1, norm).manifest).sort());
		assert.equal(message.manifest.architecture, 'mlp-relu-16x8-squashed-gaussian');
		assert.equal(message.manifest.dtype, 'float32');
		assert.deepEqual(
			message.manifest.tensors.map((t) => t.name),
			['pi/w0', 'pi/b0', 'pi/w1', 'pi/b1', 'pi/mean/w', 'pi/mean/b', 'pi/log_std/w', 'pi/log_std/b', 'pi/action_scale', 'pi/action_bias']
		);
		assert.ok(!('obsNorm' in sacWeightsMessage(layout, params, 4).manifest), 'no obsNorm key without stats');
		assert.throws(() => sacWeightsMessage(layout, params.subarray(1), 4), /expected \d+ actor parameters/);
		const received = wire(message);
		const policy = policyFromWeights(received, { obsDim: 5, actionDim: 3 });
		assert.ok(policy instanceof SquashedPolicyForward, 'a SAC policy');
		assert.equal(received.manifest.policyVersion, 4);
		const direct = new SquashedPolicyForward(layout, params, norm);
		const data = new Rng(5);
		for (let k = 0; k < 10; k++) {
			const obs = randomObs(5, data);
			assert.deepStrictEqual(policy.mean(obs), direct.mean(obs));
			const x: ActResult = policy.act(obs, new Rng(k));
			const [action, logProb] = [[...x.action], x.logProb];
			const y = direct.act(obs, new Rng(k));
			assert.deepEqual([...y.action], action);
			assert.equal(y.logProb, logProb);
		}
	});

	it('refuses an unknown architecture, a manifest that does not match its architecture, and other dims', () => {
		const sac = sacWeightsMessage(sacActorLayout(4, 2, [8]), initActorParams(sacActorLayout(4, 2, [8]), new Rng(1), [-1, -1], [1, 1]), 1);
		const ppoLayout = policyLayout(4, 2, [8]);
		const ppo = weightsMessage(ppoLayout, initParams(ppoLayout, new Rng(1), 0), 1);
		const withManifest = (update: WeightsUpdate, change: Partial<WeightsUpdate['manifest']>): WeightsUpdate => ({
			...update,
			manifest: { ...update.manifest, ...change }
		});

		assert.throws(
			() => policyFromWeights(withManifest(sac, { architecture: 'cnn-64-categorical' })),
			/unsupported policy architecture "cnn-64-categorical".*mlp-tanh.*mlp-relu/
		);
		assert.throws(() => policyFromWeights(withManifest(sac, { architecture: 'mlp-relu-8-gaussian' })), /unsupported policy architecture/);
		// the tensors of one architecture under the other's name, or other hidden sizes
		assert.throws(
			() => policyFromWeights(withManifest(ppo, { architecture: 'mlp-relu-8-squashed-gaussian' })),
			/lacks pi\/w0 or pi\/action_scale|does not match/
		);
		assert.throws(() => policyFromWeights(withManifest(sac, { architecture: 'mlp-tanh-8-gaussian' })), /lacks pi\/w0 or pi\/log_std|does not match/);
		assert.throws(
			() => policyFromWeights(withManifest(sac, { architecture: 'mlp-relu-16-squashed-gaussian' })),
			/does not match architecture mlp-relu-16-squashed-gaussian/
		);
		// the heads in the other order (same shapes, other names at those places)
		const swapped = [...sac.manifest.tensors];
		[swapped[2], swapped[4]] = [swapped[4], swapped[2]];
		assert.throws(() => policyFromWeights(withManifest(sac, { tensors: swapped })), /does not match/);
		// data of the wrong length (the decoder refuses it on the wire; here straight in)
		assert.throws(() => policyFromWeights({ ...sac, data: sac.data.subarray(2) }), /expected \d+ parameters, got/);
		// other dims than the actor's
		assert.throws(() => policyFromWeights(sac, { obsDim: 5, actionDim: 2 }), /weights are for obs 4 \/ action 2, this actor has 5 \/ 2/);
		assert.throws(() => policyFromWeights(sac, { obsDim: 4, actionDim: 3 }), /this actor has 4 \/ 3/);
		assert.throws(() => policyFromWeights(ppo, { obsDim: 4, actionDim: 1 }), /weights are for obs 4 \/ action 2/);
		assert.ok(policyFromWeights(sac, { obsDim: 4, actionDim: 2 }) instanceof SquashedPolicyForward, 'SAC with its own dims');
		assert.ok(policyFromWeights(ppo) instanceof PolicyForward, 'PPO without expected dims');
	});
});
