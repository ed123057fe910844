/** Synthetic rollouts for trainer tests: seeded, independent of any policy. */
import { Rng } from '../../../src/lib/ppo/random.ts';
import { RolloutBuffer } from '../../../src/lib/ppo/rollout-buffer.ts';

export function syntheticBuffer(obsDim: number, actionDim: number, n: number, seed: number): RolloutBuffer {
	const rng = new Rng(seed);
	const f = (k: number, shift = 0) => Float32Array.from({ length: k }, () => rng.normal() + shift);
	const buffer = new RolloutBuffer(obsDim, actionDim, n);
	const half = Math.floor(n / 2);
	for (const [stream, length, truncated] of [
		['a', half, true],
		['b', n - half, false]
	] as const) {
		const steps = {
			obs: f(length * obsDim, 3),
			action: f(length * actionDim),
			reward: f(length),
			logProb: f(length, -3),
			policyVersion: new Uint32Array(length).fill(1)
		};
		buffer.add(stream, { episodeId: seed, stepIndex: 0, length, finalObs: f(obsDim, 3), terminated: false, truncated }, steps);
	}
	return buffer;
}
