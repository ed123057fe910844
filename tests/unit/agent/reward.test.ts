/** Reward and episode ends: progress across the finish line, penalties, terminated vs truncated. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_REWARD, EpisodeJudge, parseRewardConfig, type RewardConfig } from '../../../bridge-agent/src/rl/reward.ts';
import { SAC_DRIVING_REWARD } from '../../../src/lib/sac/presets.ts';

const judge = (overrides = {}) => new EpisodeJudge({ ...DEFAULT_REWARD, ...overrides }, 1000);

describe('episode judge', () => {
	it('pays progress along the line, unwrapped across the finish line', () => {
		const j = judge();
		assert.ok(Math.abs(j.step(0.05, 995, 5, 0, 20, 0, 0).reward - 10 * DEFAULT_REWARD.progressScale) < 1e-9);
		assert.ok(Math.abs(j.step(0.05, 5, 995, 0, 20, 0, 0).reward + 10 * DEFAULT_REWARD.progressScale) < 1e-9, 'backwards costs');
	});

	it('charges each tyre off the track and harsh input changes', () => {
		const j = judge();
		const clean = j.step(0.05, 0, 1, 0, 20, 0, 0).reward;
		assert.ok(Math.abs(clean - j.step(0.05, 0, 1, 2, 20, 0, 0).reward - 2 * DEFAULT_REWARD.tyreOutPenalty) < 1e-9);
		assert.ok(Math.abs(clean - j.step(0.05, 0, 1, 0, 20, 0, 0.5).reward - 0.5 * DEFAULT_REWARD.harshInputPenalty) < 1e-9);
	});

	it('terminates off track only after all four tyres stay out for offTrackSec', () => {
		const j = judge({ offTrackSec: 0.2, crashPenalty: 5 });
		for (let i = 0; i < 10; i++) assert.equal(j.step(0.05, 0, 1, 3, 20, 0, 0).terminated, false, 'three tyres out is not off track');
		const ends = Array.from({ length: 6 }, () => j.step(0.05, 0, 1, 4, 20, 0, 0));
		assert.deepEqual(
			ends.map((o) => o.terminated),
			[false, false, false, false, true, true]
		);
		assert.equal(ends[4].reason, 'off-track');
		assert.ok(Math.abs(ends[3].reward - ends[4].reward - 5) < 1e-9, 'the crash penalty is paid once, at the end');
	});

	it('gives a standing start its grace before calling the car stuck', () => {
		const j = judge({ stuckSec: 1 });
		let t = 0;
		let outcome = j.step(0.05, 0, 0, 0, 0, 0, 0);
		for (; !outcome.terminated && t < 10; t += 0.05) outcome = j.step(0.05, 0, 0, 0, 0, 0, 0);
		assert.equal(outcome.reason, 'stuck');
		assert.ok(t > 3.9 && t < 4.2, `stuck after ${t.toFixed(2)} s (3 s grace + 1 s)`);
	});

	it('keeps the time limit (truncated) apart from failures (terminated)', () => {
		const j = judge({ maxEpisodeSec: 1 });
		let outcome = j.step(0.5, 0, 10, 0, 20, 0, 0);
		assert.equal(outcome.truncated, false);
		outcome = j.step(0.5, 10, 20, 0, 20, 0, 0);
		assert.deepEqual([outcome.truncated, outcome.terminated, outcome.reason], [true, false, 'time-limit']);
		const wrong = judge({ wrongWaySec: 0.1 });
		for (let i = 0; i < 3; i++) outcome = wrong.step(0.05, 10, 9, 0, 20, Math.PI, 0);
		assert.deepEqual([outcome.terminated, outcome.truncated, outcome.reason], [true, false, 'wrong-way']);
	});
});

describe('reward settings', () => {
	it('accepts known non-negative numbers and refuses the rest with the reason', () => {
		assert.deepEqual(parseRewardConfig('{"tyreOutPenalty":0.1,"stuckSec":6}'), { tyreOutPenalty: 0.1, stuckSec: 6 });
		assert.throws(() => parseRewardConfig('{"bonus":1}'), /unknown reward setting "bonus"/);
		assert.throws(() => parseRewardConfig('{"stuckSec":-1}'), /non-negative/);
		assert.throws(() => parseRewardConfig('[1]'), /JSON object/);
		assert.throws(() => parseRewardConfig('nope'), /not JSON/);
	});
});

/**
 * The metres a car must roll (1 m a step at 20 Hz) before it leaves the track to come out ahead of
 * one that stands still until terminated as stuck, in discounted return (γ 0.99).
 */
function breakEvenMetres(overrides: Partial<RewardConfig>): number {
	const run = (step: (j: EpisodeJudge, t: number) => ReturnType<EpisodeJudge['step']>) => {
		const j = judge(overrides);
		let total = 0;
		for (let t = 0, discount = 1; t < 10_000; t++, discount *= 0.99) {
			const outcome = step(j, t);
			total += discount * outcome.reward;
			if (outcome.terminated) return total;
		}
		throw new Error('no end');
	};
	const stand = run((j) => j.step(0.05, 0, 0, 0, 0, 0, 0));
	for (let metres = 0; metres < 1000; metres++) {
		const roll = run((j, t) => (t < metres ? j.step(0.05, t, t + 1, 0, 20, 0, 0) : j.step(0.05, metres, metres, 4, 20, 0, 0)));
		if (roll > stand) return metres;
	}
	return Infinity;
}

describe("SAC's driving reward", () => {
	it('is a valid --reward, with which a car that tries need roll far less before it beats standing still', () => {
		assert.deepEqual(parseRewardConfig(JSON.stringify(SAC_DRIVING_REWARD)), SAC_DRIVING_REWARD);
		const defaults = breakEvenMetres({});
		const sac = breakEvenMetres(SAC_DRIVING_REWARD);
		assert.ok(sac < defaults / 2, `break-even: ${sac} m with SAC's reward, ${defaults} m with the defaults`);
	});
});
