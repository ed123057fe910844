/** The simulated car as an in-process PPO Env: the agent's step, deterministic, trainable. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SimDrivingEnv } from '../../../bridge-agent/src/rl/sim-env.ts';
import { OBS_DIM } from '../../../bridge-agent/src/rl/observation.ts';
import { initBackend } from '../../../src/lib/ppo/backend.ts';
import { train } from '../../../src/lib/ppo/train.ts';

before(() => initBackend(['cpu']));

const env = (seed = 1) => new SimDrivingEnv({ track: 'oval', seed, controlHz: 20, smoothing: 'moderate', start: 'line' });

describe('sim driving env', () => {
	it('pays progress for driving along the line and ends the episode off the track', () => {
		const e = env();
		assert.equal(e.reset().length, OBS_DIM);
		let total = 0;
		let steps = 0;
		for (; steps < 2000; steps++) {
			const r = e.step(Float32Array.of(0, 1, 0)); // flat out, no steering: the first corner ends it
			total += r.reward;
			if (r.terminated || r.truncated) break;
		}
		assert.ok(steps < 2000, 'a car that never steers leaves the track');
		assert.equal(e.last.reason, 'off-track');
		assert.ok(e.last.distance > 50 && total > 0, `distance ${e.last.distance}, return ${total}`);
	});

	it('is deterministic for a seed and refuses an unknown track', () => {
		const run = () => {
			const e = env(7);
			e.reset();
			const out: number[] = [];
			for (let i = 0; i < 50; i++) out.push(e.step(Float32Array.of(0.1, 0.6, 0)).reward);
			return out;
		};
		assert.deepEqual(run(), run());
		assert.throws(() => new SimDrivingEnv({ track: 'monza', seed: 1, controlHz: 20, smoothing: 'none' }), /unknown track "monza"/);
	});

	it('trains with the PPO runner (returns per episode, finite losses)', () => {
		const { trainer, reports } = train(() => env(), { nSteps: 256, minibatchSize: 64, updateEpochs: 2, hiddenSizes: [16] }, { numEnvs: 2, totalSteps: 1024 });
		assert.equal(reports.length, 4, '1024 steps in rollouts of 256');
		for (const r of reports) assert.ok(Number.isFinite(r.update['losses/policy_loss']) && Number.isFinite(r.update['losses/value_loss']));
		trainer.dispose();
	});
});
