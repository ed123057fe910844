/**
 * Running mean/variance (Chan et al.'s parallel Welford update, as in Gymnasium's
 * NormalizeObservation) and the reward scaler that divides rewards by the running std of the
 * discounted return (Gymnasium's NormalizeReward). Pure TypeScript; state is plain arrays.
 */
import type { ObsNormStats } from '../protocol/index.ts';

export const NORM_EPSILON = 1e-8;

export class RunningMeanStd {
	mean: Float64Array;
	var: Float64Array;
	/** Starts at ε so the first update does not divide by zero (as Gymnasium). */
	count = 1e-4;

	constructor(readonly dim: number) {
		this.mean = new Float64Array(dim);
		this.var = new Float64Array(dim).fill(1);
	}

	/** Adds `rows` samples of `dim` values (row-major). */
	update(values: ArrayLike<number>, rows: number): void {
		if (rows === 0) return;
		const d = this.dim;
		const batchMean = new Float64Array(d);
		const batchVar = new Float64Array(d);
		for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) batchMean[j] += values[r * d + j];
		for (let j = 0; j < d; j++) batchMean[j] /= rows;
		for (let r = 0; r < rows; r++) {
			for (let j = 0; j < d; j++) {
				const x = values[r * d + j] - batchMean[j];
				batchVar[j] += x * x;
			}
		}
		const total = this.count + rows;
		for (let j = 0; j < d; j++) {
			const delta = batchMean[j] - this.mean[j];
			const m2 = this.var[j] * this.count + batchVar[j] + (delta * delta * this.count * rows) / total;
			this.mean[j] += (delta * rows) / total;
			this.var[j] = m2 / total;
		}
		this.count = total;
	}
}

export class ObsNormalizer {
	readonly stats: RunningMeanStd;

	constructor(
		dim: number,
		readonly clip: number
	) {
		this.stats = new RunningMeanStd(dim);
	}

	/** Normalises `rows` observations into `out` with the current statistics. */
	normalize(obs: ArrayLike<number>, rows: number, out: Float32Array = new Float32Array(rows * this.stats.dim)): Float32Array {
		const { mean, dim } = this.stats;
		const inv = this.stats.var.map((v) => 1 / Math.sqrt(v + NORM_EPSILON));
		for (let r = 0; r < rows; r++) {
			for (let j = 0; j < dim; j++) {
				const x = (obs[r * dim + j] - mean[j]) * inv[j];
				out[r * dim + j] = x > this.clip ? this.clip : x < -this.clip ? -this.clip : x;
			}
		}
		return out;
	}

	/** The statistics as shipped in WEIGHTS_UPDATE. */
	toStats(): ObsNormStats {
		return {
			mean: Float32Array.from(this.stats.mean),
			var: Float32Array.from(this.stats.var),
			count: this.stats.count,
			clip: this.clip,
			epsilon: NORM_EPSILON
		};
	}
}

/** Per-stream (actor or env) discounted return accumulators feeding one shared RunningMeanStd. */
export class RewardScaler {
	readonly returnStats = new RunningMeanStd(1);
	private readonly returns = new Map<string, number>();

	constructor(
		readonly gamma: number,
		readonly clip: number
	) {}

	/**
	 * Updates the return statistics with one stream's rewards in time order (`ends[i]` = the
	 * episode ended after step i) and returns the scaled rewards.
	 */
	scale(stream: string, rewards: ArrayLike<number>, ends: ArrayLike<number>): Float32Array {
		let ret = this.returns.get(stream) ?? 0;
		const seen = new Float64Array(rewards.length);
		for (let i = 0; i < rewards.length; i++) {
			ret = ret * this.gamma + rewards[i];
			seen[i] = ret;
			if (ends[i]) ret = 0;
		}
		this.returns.set(stream, ret);
		this.returnStats.update(seen, rewards.length);
		const std = Math.sqrt(this.returnStats.var[0] + NORM_EPSILON);
		return Float32Array.from(rewards, (r) => Math.max(-this.clip, Math.min(this.clip, r / std)));
	}

	saveReturns(): Record<string, number> {
		return Object.fromEntries(this.returns);
	}

	restoreReturns(saved: Record<string, number>): void {
		this.returns.clear();
		for (const [stream, value] of Object.entries(saved)) this.returns.set(stream, value);
	}
}
