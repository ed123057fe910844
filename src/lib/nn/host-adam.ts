/**
 * Adam on plain float32 arrays (PyTorch's formulation, as ppo/adam.ts's adamApply runs it on the
 * backend), for the fast trainer steps whose parameters live in TypeScript.
 */
import { ADAM_BETA1, ADAM_BETA2 } from '../ppo/adam.ts';

/**
 * One Adam step of θ[from, count) along gScale·g (the caller counts `step`, from 1), with the moments
 * laid out first then second in `moments` (as checkpoints keep them). Indexes `moments` directly
 * and multiplies by the inverse bias correction: twice as fast as subarrays and a division.
 */
export function hostAdam(
	theta: Float32Array,
	moments: Float32Array,
	g: Float32Array,
	step: number,
	lr: number,
	eps: number,
	count = theta.length,
	gScale = 1,
	from = 0
): void {
	const size = moments.length >> 1;
	const b1 = ADAM_BETA1;
	const b2 = ADAM_BETA2;
	const c1 = 1 - b1;
	const c2 = 1 - b2;
	const stepSize = lr / (1 - b1 ** step);
	const invBias2 = 1 / (1 - b2 ** step);
	for (let i = from; i < count; i++) {
		const gi = gScale * g[i];
		const m = b1 * moments[i] + c1 * gi;
		const v = b2 * moments[size + i] + c2 * gi * gi;
		moments[i] = m;
		moments[size + i] = v;
		theta[i] -= (stepSize * m) / (Math.sqrt(v * invBias2) + eps);
	}
}
