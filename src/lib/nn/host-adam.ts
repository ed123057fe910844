/**
 * Adam on plain float32 arrays (PyTorch's formulation, as ppo/adam.ts's adamApply runs it on the
 * backend), for the fast trainer steps whose parameters live in TypeScript.
 */
import { ADAM_BETA1, ADAM_BETA2 } from '../ppo/adam.ts';

/**
 * One Adam step of θ[0, count) along gScale·g (the caller counts `step`, from 1), with the moments
 * laid out first then second in `moments` (as checkpoints keep them).
 */
export function hostAdam(
	theta: Float32Array,
	moments: Float32Array,
	g: Float32Array,
	step: number,
	lr: number,
	eps: number,
	count = theta.length,
	gScale = 1
): void {
	const size = moments.length >> 1;
	const m = moments.subarray(0, size);
	const v = moments.subarray(size);
	const b1 = ADAM_BETA1;
	const b2 = ADAM_BETA2;
	const stepSize = lr / (1 - b1 ** step);
	const bias2 = 1 - b2 ** step;
	for (let i = 0; i < count; i++) {
		const gi = gScale * g[i];
		m[i] = b1 * m[i] + (1 - b1) * gi;
		v[i] = b2 * v[i] + (1 - b2) * gi * gi;
		theta[i] -= (stepSize * m[i]) / (Math.sqrt(v[i] / bias2) + eps);
	}
}
