/**
 * SacTrainer: the UTD accounting, publishing and the pre-learning versions, the training guard,
 * exact resume with the replay buffer in the checkpoint (N + save/load + M ≡ N + M), and that
 * Pendulum improves in a short run.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { Pendulum } from '../../../src/lib/ppo/envs/pendulum.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { loadSacCheckpoint, saveSacCheckpoint } from '../../../src/lib/sac/checkpoint.ts';
import { evaluate, trainSac } from '../../../src/lib/sac/train.ts';
import { SacTrainer } from '../../../src/lib/sac/trainer.ts';
import type { Rollout } from '../../../src/lib/transitions/index.ts';

const OBS = 4;
const ACT = 2;
const LOW = [-1, 0];
const HIGH = [1, 1];

function rollout(n: number, seed: number, reward = (i: number) => Math.sin(i)): Rollout {
	const rng = new Rng(seed);
	const f = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
	return {
		n,
		obsDim: OBS,
		actionDim: ACT,
		obs: f(n * OBS),
		action: Float32Array.from({ length: n * ACT }, () => rng.next()),
		reward: Float32Array.from({ length: n }, (_, i) => reward(i)),
		logProb: new Float32Array(n),
		policyVersion: new Uint32Array(n).fill(1),
		segments: [{ episodeId: seed, stepIndex: 0, length: n, finalObs: f(OBS), terminated: false, truncated: true, stream: `actor-${seed % 2}`, start: 0 }]
	};
}

const small = { hiddenSizes: [16, 16], batchSize: 32, learningStarts: 100, broadcastEvery: 10, bufferSize: 1000, seed: 3 };

describe('SacTrainer', () => {
	before(async () => {
		await initBackend(['wasm']); // the one the learner trains on (cpu takes minutes for the Pendulum run)
	});

	it('owes gradient steps by the update-to-data ratio once learning starts, and publishes every broadcastEvery', () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, utd: 0.5 });
		t.add(rollout(60, 1));
		assert.equal(t.learning, false);
		assert.equal(t.owed(), 0, 'nothing is owed before learningStarts');
		t.add(rollout(100, 2));
		assert.equal(t.owed(), 30, '0.5 × (160 − 100)');
		for (let i = 0; i < 30; i++) assert.ok('metrics' in t.step());
		assert.equal(t.owed(), 0);
		assert.equal(t.achievedUtd(), 0.5);
		assert.equal(t.publishDue, true, '30 steps ≥ broadcastEvery');
		const before = t.counters.policyVersion;
		assert.deepEqual(t.publish(), { ok: true });
		assert.equal(t.counters.policyVersion, before + 1);
		assert.equal(t.weights().manifest.policyVersion, before + 1);
		t.dispose();
	});

	it('re-issues the untrained actor as new versions before learning starts, one per broadcastEvery/utd env steps', () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, learningStarts: 500, utd: 0.5 });
		t.add(rollout(19, 1));
		assert.equal(t.publishDue, false);
		t.add(rollout(1, 2));
		assert.equal(t.publishDue, true, '20 env steps = broadcastEvery / utd');
		const data = t.weights().data.slice();
		t.publish();
		assert.deepEqual(t.weights().data, data, 'the same actor under a new number');
		assert.equal(t.weights().manifest.policyVersion, 2);
		t.dispose();
	});

	it('the untrained actor starts at initActionMean and keeps its actions inside the bounds', () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, initActionMean: [0.25, 0.9] });
		const policy = t.policy();
		const mean = policy.mean(new Float32Array(OBS));
		// The mean head's bias is the prior; its (PyTorch-default) random weights move it a little per observation.
		assert.ok(Math.abs(mean[0] - 0.25) < 0.1 && Math.abs(mean[1] - 0.9) < 0.1, `mean action ${mean}`);
		const rng = new Rng(1);
		for (let i = 0; i < 200; i++) {
			const { action } = policy.act(
				Float32Array.from({ length: OBS }, () => 10 * rng.normal()),
				rng
			);
			for (let d = 0; d < ACT; d++) assert.ok(action[d] >= LOW[d] && action[d] <= HIGH[d], `action ${action}`);
		}
		assert.throws(() => new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, initActionMean: [0, 1] }), /strictly inside/);
		t.dispose();
	});

	it('rolls back to the last published policy when a step goes non-finite, and never hands out the bad actor', () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, normObs: false });
		t.add(rollout(200, 1));
		for (let i = 0; i < 10; i++) t.step();
		t.publish();
		const good = t.weights();
		t.add(rollout(50, 2, () => 3e38)); // finite float32, squares to Infinity
		let rejected = '';
		for (let i = 0; i < 200 && !rejected; i++) {
			const outcome = t.step();
			if ('rejected' in outcome) rejected = outcome.rejected;
		}
		assert.match(rejected, /is (NaN|Infinity|-Infinity)/);
		assert.equal(t.weights(), good, 'the published policy stays');
		assert.equal(t.counters.updates, 10, 'counters are back at the last publish');
		const params = t.nets.read();
		assert.ok([...params.actor, ...params.critic].every(Number.isFinite));
		t.dispose();
	});

	it('resumes exactly with the replay buffer in the checkpoint: N + save/load + M ≡ N + M', async () => {
		const run = async (resumeAt: number | null) => {
			let t = new SacTrainer(OBS, ACT, LOW, HIGH, { ...small, nStep: 2 });
			const metrics: number[] = [];
			for (let round = 0; round < 4; round++) {
				if (round === resumeAt) {
					const bytes = await saveSacCheckpoint(t, { note: 'x' }, {}, { replayBytes: Infinity });
					t.dispose();
					t = loadSacCheckpoint(bytes).trainer;
				}
				t.add(rollout(80, 10 + round));
				for (let k = t.owed(); k > 0; k--) {
					const outcome = t.step();
					assert.ok('metrics' in outcome);
					metrics.push(outcome.metrics['losses/qf1_loss']);
				}
				if (t.publishDue) t.publish();
			}
			const state = t.nets.read();
			t.dispose();
			return { metrics, state };
		};
		const straight = await run(null);
		const resumed = await run(2);
		assert.ok(straight.metrics.length > 100);
		assert.deepEqual(resumed.metrics, straight.metrics);
		assert.deepEqual(resumed.state, straight.state);
	});

	it('without the buffer a resumed trainer refills it to learningStarts before its next step', async () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, small);
		t.add(rollout(300, 1));
		for (let k = t.owed(); k > 0; k--) t.step();
		const { trainer } = loadSacCheckpoint(await saveSacCheckpoint(t));
		assert.equal(trainer.replay.size, 0);
		assert.equal(trainer.owed(), 0);
		assert.deepEqual(trainer.counters, t.counters);
		trainer.add(rollout(100, 2));
		assert.equal(trainer.owed(), 100, 'the UTD debt of the new data');
		t.dispose();
		trainer.dispose();
	});

	it('leaks no tensors over steps and publishes', () => {
		const t = new SacTrainer(OBS, ACT, LOW, HIGH, small);
		t.add(rollout(200, 1));
		t.step();
		t.step();
		const count = tf.memory().numTensors;
		for (let i = 0; i < 20; i++) {
			t.step();
			if (t.publishDue) t.publish();
		}
		assert.equal(tf.memory().numTensors, count);
		t.dispose();
	});

	it('does not bootstrap through a termination: it learns that ending for +2 loses the +1 a step that would follow', () => {
		// Acting > 0 ends the episode with reward 2; else reward 1 and the episode goes on (50 steps).
		// Bootstrapping a terminal step would make ending worth 2 + γ·V: the policy would end at once.
		const env = () => {
			let t = 0;
			return {
				obsDim: 1,
				actionDim: 1,
				actionLow: new Float32Array([-1]),
				actionHigh: new Float32Array([1]),
				reset: () => ((t = 0), new Float32Array([0])),
				step: (a: Float32Array) => {
					t++;
					const end = a[0] > 0;
					return { obs: new Float32Array([t / 50]), reward: end ? 2 : 1, terminated: end, truncated: !end && t >= 50 };
				}
			};
		};
		const returns: number[] = [];
		const { trainer } = trainSac(
			env,
			{ hiddenSizes: [32, 32], learningStarts: 200, normObs: false, nStep: 3, seed: 4 },
			{
				numEnvs: 1,
				totalSteps: 2500,
				reportEvery: 500,
				onReport: (r) => void returns.push(r.episodes.reduce((a, b) => a + b, 0) / r.episodes.length)
			}
		);
		assert.ok(trainer.policy().mean(new Float32Array([0.1]))[0] < -0.3, 'the deterministic action keeps the episode going');
		assert.ok(returns.at(-1)! > 40, `returns per report: ${returns.map((r) => r.toFixed(1))}`);
		trainer.dispose();
	});

	it('improves Pendulum in a short run', () => {
		const factory = () => new Pendulum();
		const config = { hiddenSizes: [64, 64], batchSize: 128, learningStarts: 500, qLr: 1e-3, policyLr: 1e-3, normObs: false, seed: 2, broadcastEvery: 50 };
		const untrained = new SacTrainer(3, 1, [-2], [2], config);
		const before = evaluate(untrained.policy(), factory, 5, 100);
		untrained.dispose();
		const { trainer } = trainSac(factory, config, { numEnvs: 1, totalSteps: 4000 });
		const after = evaluate(trainer.policy(), factory, 5, 100);
		trainer.dispose();
		assert.ok(after > before + 300, `return ${before.toFixed(0)} → ${after.toFixed(0)}`);
	});
});
