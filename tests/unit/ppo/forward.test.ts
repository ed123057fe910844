/** The pure-TS forward pass equals the tfjs one; WEIGHTS_UPDATE round-trips into a runnable policy. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeMessage, encodeMessage, type WeightsUpdate } from '../../../src/lib/protocol/index.ts';
import { initBackend } from '../../../src/lib/ppo/backend.ts';
import { gaussianLogProb } from '../../../src/lib/ppo/gaussian.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { PpoTrainer } from '../../../src/lib/ppo/trainer.ts';
import { policyFromWeights } from '../../../src/lib/policy/index.ts';
import { syntheticBuffer } from './fixtures.ts';

before(() => initBackend(['cpu']));

describe('pure-TS forward pass', () => {
	for (const hidden of [[64, 64], [32]]) {
		it(`matches tfjs within 1e-5 (${hidden.join('×')})`, () => {
			const trainer = new PpoTrainer(15, 3, { hiddenSizes: hidden, nSteps: 256, updateEpochs: 1 });
			trainer.update(syntheticBuffer(15, 3, 256, 1)); // non-trivial weights and obs statistics
			const obs = syntheticBuffer(15, 3, 32, 2).steps.obs.slice(0, 32 * 15);
			const normalized = trainer.normalize(obs, 32);
			const means = trainer.model.means(normalized, 32);
			const values = trainer.model.values(normalized, 32);
			const policy = trainer.policy();
			let worst = 0;
			for (let i = 0; i < 32; i++) {
				const row = obs.subarray(i * 15, (i + 1) * 15);
				const m = policy.mean(row);
				for (let j = 0; j < 3; j++) worst = Math.max(worst, Math.abs(m[j] - means[i * 3 + j]));
				worst = Math.max(worst, Math.abs(policy.value(row) - values[i]));
			}
			assert.ok(worst < 1e-5, `largest difference ${worst}`);
			trainer.dispose();
		});
	}

	it('samples with the policy std and reports the matching log-prob', () => {
		const trainer = new PpoTrainer(4, 2, { hiddenSizes: [8], initLogStd: -1, nSteps: 64 });
		const policy = trainer.policy();
		const rng = new Rng(5);
		const obs = new Float32Array([0.1, -0.2, 0.3, 0.4]);
		const deviations: number[] = [];
		for (let k = 0; k < 2000; k++) {
			const { action, mean, logProb } = policy.act(obs, rng);
			assert.ok(Math.abs(logProb - gaussianLogProb(action, mean, policy.logStd)) < 1e-4);
			deviations.push(action[0] - mean[0]);
		}
		const std = Math.sqrt(deviations.reduce((s, d) => s + d * d, 0) / deviations.length);
		assert.ok(Math.abs(std - Math.exp(-1)) < 0.02, `sample std ${std}`);
		trainer.dispose();
	});

	it('skips the critic when asked, with the same action and log-prob', () => {
		const trainer = new PpoTrainer(4, 2, { hiddenSizes: [8], nSteps: 64 });
		const obs = new Float32Array([0.1, -0.2, 0.3, 0.4]);
		const full = trainer.policy();
		const lean = trainer.policy();
		lean.computeValue = false;
		const a = full.act(obs, new Rng(3));
		const [action, logProb, value] = [[...a.action], a.logProb, a.value];
		const b = lean.act(obs, new Rng(3));
		assert.deepEqual([...b.action], action);
		assert.equal(b.logProb, logProb);
		assert.notEqual(value, 0);
		assert.equal(b.value, 0);
		trainer.dispose();
	});

	it('starts from initActionMean (an action prior), and refuses one of the wrong length', () => {
		const trainer = new PpoTrainer(4, 3, { hiddenSizes: [8], nSteps: 64, initActionMean: [0, 0.5, -0.5] });
		const { mean } = trainer.policy().act(new Float32Array([0.1, -0.2, 0.3, 0.4]), new Rng(1));
		assert.deepEqual(
			[...mean].map((m) => Math.round(m * 10) / 10),
			[0, 0.5, -0.5],
			'the mean head barely moves the bias at init (gain 0.01)'
		);
		trainer.dispose();
		assert.throws(
			() => new PpoTrainer(4, 2, { hiddenSizes: [8], nSteps: 64, initActionMean: [0, 0.5, -0.5] }),
			/initActionMean has 3 values; the action has 2/
		);
		assert.throws(() => new PpoTrainer(4, 1, { hiddenSizes: [8], nSteps: 64, initActionMean: [NaN] }), /initActionMean must be a list of finite numbers/);
	});

	it('runs from a WEIGHTS_UPDATE sent over the wire, and refuses one for other dims', () => {
		const trainer = new PpoTrainer(15, 3, { nSteps: 256, updateEpochs: 1 });
		trainer.update(syntheticBuffer(15, 3, 256, 3));
		const wire = decodeMessage(encodeMessage(trainer.weights())) as WeightsUpdate;
		const remote = policyFromWeights(wire, { obsDim: 15, actionDim: 3 });
		const obs = syntheticBuffer(15, 3, 1, 4).steps.obs.slice(0, 15);
		assert.deepStrictEqual(remote.mean(obs), trainer.policy().mean(obs));
		assert.equal(wire.manifest.policyVersion, 2);
		assert.throws(() => policyFromWeights(wire, { obsDim: 14, actionDim: 3 }), /obs 15/);
		trainer.dispose();
	});
});
