/**
 * The squashed-Gaussian head of SAC's actor on plain arrays, forward and backward, for the fast
 * step (fast-step.ts): the network's matrices run on the tfjs backend, these B × A element-wise
 * parts in TypeScript, where they cost microseconds instead of a kernel launch each.
 *
 * For one row with head outputs mean m and raw log-std r, noise ε, and the bounds' scale s and
 * bias c (networks.ts `actorSample` is the autodiff reference):
 *   ℓ = LOG_STD_MIN + ½(LOG_STD_MAX − LOG_STD_MIN)(tanh r + 1),  σ = e^ℓ
 *   u = m + σε,  y = tanh u,  a = y·s + c
 *   log π = Σᵢ −½εᵢ² − ℓᵢ − log √(2π) − log(sᵢ(1 − yᵢ²) + 10⁻⁶)
 */
import { LOG_SQRT_2PI } from '../ppo/gaussian.ts';
import { LOG_STD_MAX, LOG_STD_MIN, SQUASH_EPSILON } from './layout.ts';

const HALF_RANGE = 0.5 * (LOG_STD_MAX - LOG_STD_MIN);

/** What a forward pass leaves for its backward pass, per row and dimension (n × A). */
export class SquashState {
	readonly y: Float64Array;
	readonly std: Float64Array;
	readonly tanhRaw: Float64Array;
	readonly eps: Float64Array;
	/** The squashed action, in bounds (n × A). */
	readonly action: Float32Array;
	/** log π per row (n). */
	readonly logProb: Float64Array;

	constructor(
		readonly n: number,
		readonly actionDim: number
	) {
		const size = n * actionDim;
		this.y = new Float64Array(size);
		this.std = new Float64Array(size);
		this.tanhRaw = new Float64Array(size);
		this.eps = new Float64Array(size);
		this.action = new Float32Array(size);
		this.logProb = new Float64Array(n);
	}

	/** Mean of log π over the rows. */
	meanLogProb(): number {
		let sum = 0;
		for (let b = 0; b < this.n; b++) sum += this.logProb[b];
		return sum / this.n;
	}
}

/**
 * Samples the squashed action for every row of `head` (n × 2A: the mean head's A outputs, then
 * the log-std head's) with noise `eps` (n × A, standard normal); fills `out`.
 */
export function squashForward(head: ArrayLike<number>, eps: ArrayLike<number>, scale: ArrayLike<number>, bias: ArrayLike<number>, out: SquashState): void {
	const { n, actionDim: A } = out;
	for (let b = 0; b < n; b++) {
		let logProb = 0;
		for (let i = 0; i < A; i++) {
			const k = b * A + i;
			const tanhRaw = Math.tanh(head[b * 2 * A + A + i]);
			const logStd = LOG_STD_MIN + HALF_RANGE * (tanhRaw + 1);
			const std = Math.exp(logStd);
			const e = eps[k];
			const y = Math.tanh(head[b * 2 * A + i] + std * e);
			out.y[k] = y;
			out.std[k] = std;
			out.tanhRaw[k] = tanhRaw;
			out.eps[k] = e;
			out.action[k] = y * scale[i] + bias[i];
			logProb += -0.5 * e * e - logStd - LOG_SQRT_2PI - Math.log(scale[i] * (1 - y * y) + SQUASH_EPSILON);
		}
		out.logProb[b] = logProb;
	}
}

/**
 * The gradient of L = Σ_b (dAction[b]·a[b] + logProbWeight·log π[b]) with respect to the head's
 * outputs (n × 2A, laid out like `head`), where dAction (n × A) is dL/da from downstream (the
 * critics) and a, log π are the forward pass in `state`.
 */
export function squashBackward(state: SquashState, dAction: ArrayLike<number>, logProbWeight: number, scale: ArrayLike<number>, dHead: Float32Array): void {
	const { n, actionDim: A } = state;
	for (let b = 0; b < n; b++) {
		for (let i = 0; i < A; i++) {
			const k = b * A + i;
			const y = state.y[k];
			const s = scale[i];
			// d log π / dy = 2sy / (s(1 − y²) + ε) (from the correction term).
			const dy = dAction[k] * s + (logProbWeight * 2 * s * y) / (s * (1 - y * y) + SQUASH_EPSILON);
			const du = dy * (1 - y * y);
			// ℓ enters through u = m + e^ℓ·ε and through log π's −ℓ.
			const dLogStd = du * state.std[k] * state.eps[k] - logProbWeight;
			const tanhRaw = state.tanhRaw[k];
			dHead[b * 2 * A + i] = du;
			dHead[b * 2 * A + A + i] = dLogStd * HALF_RANGE * (1 - tanhRaw * tanhRaw);
		}
	}
}
