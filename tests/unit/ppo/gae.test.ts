import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeGae, RolloutBuffer } from '../../../src/lib/ppo/rollout-buffer.ts';

const close = (actual: ArrayLike<number>, expected: number[], eps = 1e-5) =>
	expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < eps, `[${i}] ${actual[i]} ≠ ${e}`));

describe('GAE', () => {
	// γ = 0.5, λ = 0.5 keep the hand arithmetic short. Rewards 1, 2, 3; values 0.5, 1, 1.5.
	const reward = new Float32Array([1, 2, 3]);
	const value = new Float32Array([0.5, 1, 1.5]);
	const gamma = 0.5;
	const lambda = 0.5;

	it('terminated: no bootstrap after the last step', () => {
		// δ2 = 3 − 1.5 = 1.5; δ1 = 2 + 0.5·1.5 − 1 = 1.75; δ0 = 1 + 0.5·1 − 0.5 = 1
		// A2 = 1.5; A1 = 1.75 + 0.25·1.5 = 2.125; A0 = 1 + 0.25·2.125 = 1.53125
		const { advantages, returns } = computeGae(reward, value, [{ start: 0, length: 3, terminated: true, bootstrapValue: 99, next: -1 }], gamma, lambda);
		close(advantages, [1.53125, 2.125, 1.5]);
		close(returns, [2.03125, 3.125, 3]);
	});

	it('truncated: bootstraps with γ·V(final obs) (SB3 #633)', () => {
		// V(final) = 4: δ2 = 3 + 0.5·4 − 1.5 = 3.5; A1 = 1.75 + 0.25·3.5 = 2.625; A0 = 1 + 0.25·2.625 = 1.65625
		const { advantages } = computeGae(reward, value, [{ start: 0, length: 3, terminated: false, bootstrapValue: 4, next: -1 }], gamma, lambda);
		close(advantages, [1.65625, 2.625, 3.5]);
	});

	it('a continued segment carries GAE across the cut, a new episode does not', () => {
		// Steps 0–1 continue into segment [2]: identical to one segment of 3 steps ending terminated.
		const joined = computeGae(
			reward,
			value,
			[
				{ start: 0, length: 2, terminated: false, bootstrapValue: 99, next: 1 },
				{ start: 2, length: 1, terminated: true, bootstrapValue: 0, next: -1 }
			],
			gamma,
			lambda
		);
		close(joined.advantages, [1.53125, 2.125, 1.5]);
		// Two episodes: the first ends terminated at step 1, so step 2 cannot leak into it.
		const split = computeGae(
			reward,
			value,
			[
				{ start: 0, length: 2, terminated: true, bootstrapValue: 99, next: -1 },
				{ start: 2, length: 1, terminated: true, bootstrapValue: 0, next: -1 }
			],
			gamma,
			lambda
		);
		// δ1 = 2 − 1 = 1; A0 = (1 + 0.5 − 0.5) + 0.25·1 = 1.25
		close(split.advantages, [1.25, 1, 1.5]);
	});

	it('the buffer links continuations per stream and splits segments at capacity', () => {
		const buffer = new RolloutBuffer(1, 1, 5);
		const add = (stream: string, episodeId: number, stepIndex: number, n: number, end = false) => {
			const steps = {
				obs: Float32Array.from({ length: n }, (_, i) => stepIndex + i),
				action: new Float32Array(n),
				reward: new Float32Array(n).fill(1),
				logProb: new Float32Array(n),
				policyVersion: new Uint32Array(n).fill(1)
			};
			return buffer.add(stream, { episodeId, stepIndex, length: n, finalObs: new Float32Array([9]), terminated: end, truncated: false }, steps);
		};
		add('a', 0, 0, 2);
		add('b', 4, 10, 1);
		add('a', 0, 2, 1, true);
		assert.equal(add('b', 4, 11, 3), 1); // only one step fits
		assert.equal(buffer.size, 5);
		assert.equal(buffer.segments[0].next, 2);
		assert.equal(buffer.segments[1].next, 3);
		assert.equal(buffer.segments[2].terminated, true);
		assert.equal(buffer.segments[3].terminated, false); // cut at capacity: bootstraps
		assert.deepStrictEqual([...buffer.segments[3].finalObs], [12]); // the obs of step 12, the first one cut off
	});
});
