/**
 * One PPO minibatch's loss figures and gradient — of both networks, or of the actor (policy term
 * and entropy) or the critic (value term) alone, over a range of its rows: the parts that
 * data-parallel threads split between them (ppo/grad-pool.ts). The actor's and the critic's
 * losses are separate (no shared layers), so each network's gradient needs only its own forward.
 * Rows [from, to) of a minibatch of `n` rows: every sum is divided by `n`, so the shards'
 * gradients and figures add up to the whole minibatch's; the entropy term (which no row carries)
 * belongs to the lead shard. The MLPs' products run on the tfjs backend (nn/dense-stack.ts); the
 * Gaussian head and the clipped surrogate and value losses (gradients.ts has the formulas) on
 * plain arrays.
 */
import { DenseStack, layerSpecs } from '../nn/dense-stack.ts';
import { tf } from './backend.ts';
import { ENTROPY_CONST, LOG_SQRT_2PI } from './gaussian.ts';
import type { PolicyLayout } from './layout.ts';
import type { LossCoefficients, MinibatchRows } from './minibatch-rows.ts';

export type { LossCoefficients, MinibatchRows };

/** Figures per minibatch: [pg, v, entropy, oldKl, kl, clipfrac]. */
export const FIGURES = 6;

/** Which network's gradient a shard computes. */
export type GradPart = 'both' | 'pi' | 'v';

export class PpoGradShard {
	private readonly pi?: DenseStack;
	private readonly v?: DenseStack;
	private readonly ones = new Map<number, tf.Tensor2D>();
	private readonly logStdAt: number;
	private readonly obsT: Float32Array;
	private readonly dMean: Float32Array;
	private readonly dValue: Float32Array;

	constructor(
		private readonly layout: PolicyLayout,
		capacity: number,
		readonly part: GradPart = 'both'
	) {
		const { entries, hiddenSizes, obsDim, actionDim } = layout;
		this.logStdAt = entries.find((e) => e.name === 'pi/log_std')!.offset;
		if (part !== 'v') this.pi = new DenseStack(layerSpecs(entries, 'pi', hiddenSizes.length, ['mean']), 'tanh');
		if (part !== 'pi') this.v = new DenseStack(layerSpecs(entries, 'v', hiddenSizes.length, ['out']), 'tanh');
		this.obsT = new Float32Array(capacity * obsDim);
		this.dMean = new Float32Array(capacity * actionDim);
		this.dValue = new Float32Array(capacity);
	}

	/** Puts θ (the layout's flat buffer) on the backend for the next gradients. */
	upload(theta: Float32Array): void {
		this.pi?.upload(theta, true);
		this.v?.upload(theta, true);
	}

	/**
	 * Rows [from, to) of a minibatch of `n` rows: writes their part of dL/dθ into `grad` (the
	 * entries of this shard's networks) and their part of the FIGURES into `figures` at `at` (zero
	 * for the other network's). `lead`: this shard also carries the entropy term (an actor shard).
	 * θ as uploaded; `theta` gives it (for the log-std).
	 */
	grad(
		mb: MinibatchRows,
		from: number,
		to: number,
		n: number,
		theta: Float32Array,
		c: LossCoefficients,
		lead: boolean,
		grad: Float32Array,
		figures: Float64Array,
		at = 0
	): void {
		const { obsDim: O, actionDim: A } = this.layout;
		const rows = to - from;
		const out = [0, 0, 0, 0, 0, 0];
		if (this.pi) {
			for (let i = 0; i < A; i++) {
				out[2] += lead ? theta[this.logStdAt + i] + ENTROPY_CONST : 0;
				grad[this.logStdAt + i] = lead ? -c.entCoef : 0;
			}
		}
		if (rows === 0) {
			// No rows: a zero gradient for the network's entries (the backward would write them).
			for (const stack of [this.pi, this.v])
				for (const spec of stack?.specs ?? []) for (const e of [...spec.w, ...spec.b]) grad.fill(0, e.offset, e.offset + e.size);
			figures.set(out, at);
			return;
		}
		if (!this.ones.has(rows)) this.ones.set(rows, tf.keep(tf.ones([1, rows])));
		tf.tidy(() => {
			const { obsT } = this;
			for (let r = 0; r < rows; r++) for (let k = 0; k < O; k++) obsT[k * rows + r] = mb.obs[(from + r) * O + k];
			const obs = tf.tensor2d(mb.obs.subarray(from * O, to * O), [rows, O]);
			const inputT = tf.tensor2d(obsT.subarray(0, rows * O), [O, rows]);
			const ones = this.ones.get(rows)!;
			if (this.pi) {
				const fwd = this.pi.forward(obs);
				this.policyTerm(mb, from, rows, n, fwd.out.dataSync(), theta, c, grad, out);
				this.pi.backward(fwd, tf.tensor2d(this.dMean.subarray(0, rows * A), [rows, A]), { grads: grad, inputT, ones });
			}
			if (this.v) {
				const fwd = this.v.forward(obs);
				out[1] = this.valueTerm(mb, from, rows, n, fwd.out.dataSync(), c);
				this.v.backward(fwd, tf.tensor2d(this.dValue.subarray(0, rows), [rows, 1]), { grads: grad, inputT, ones });
			}
		});
		figures.set(out, at);
	}

	/** The clipped surrogate: dL/dμ into dMean, dL/dlog σ added into grad, pg/oldKl/kl/clipfrac into out. */
	private policyTerm(
		mb: MinibatchRows,
		from: number,
		rows: number,
		n: number,
		mean: ArrayLike<number>,
		theta: Float32Array,
		c: LossCoefficients,
		grad: Float32Array,
		out: number[]
	): void {
		const A = this.layout.actionDim;
		const { logStdAt, dMean } = this;
		// ∂L/∂log π = −A·r/B where the unclipped term is the max; ∂log π/∂μ = z/σ, ∂log π/∂log σ = z² − 1.
		let pg = 0;
		let oldKl = 0;
		let kl = 0;
		let clipped = 0;
		for (let r = 0; r < rows; r++) {
			const b = from + r;
			let logProb = 0;
			for (let i = 0; i < A; i++) {
				const z = (mb.action[b * A + i] - mean[r * A + i]) / Math.exp(theta[logStdAt + i]);
				logProb += -0.5 * z * z - theta[logStdAt + i] - LOG_SQRT_2PI;
			}
			const logRatio = logProb - mb.logProb[b];
			const ratio = Math.exp(logRatio);
			const unclippedPg = -mb.adv[b] * ratio;
			const clippedPg = -mb.adv[b] * Math.min(Math.max(ratio, 1 - c.clipCoef), 1 + c.clipCoef);
			pg += Math.max(unclippedPg, clippedPg);
			oldKl -= logRatio;
			kl += ratio - 1 - logRatio;
			if (Math.abs(ratio - 1) > c.clipCoef) clipped++;
			const dLogProb = unclippedPg >= clippedPg ? unclippedPg / n : 0;
			for (let i = 0; i < A; i++) {
				const std = Math.exp(theta[logStdAt + i]);
				const z = (mb.action[b * A + i] - mean[r * A + i]) / std;
				dMean[r * A + i] = (dLogProb * z) / std;
				grad[logStdAt + i] += dLogProb * (z * z - 1);
			}
		}
		out[0] = pg / n;
		out[3] = oldKl / n;
		out[4] = kl / n;
		out[5] = clipped / n;
	}

	/** The value loss (clipped as CleanRL's clip_vloss): dL/dv into dValue; returns its share of the loss. */
	private valueTerm(mb: MinibatchRows, from: number, rows: number, n: number, value: ArrayLike<number>, c: LossCoefficients): number {
		let vLoss = 0;
		for (let r = 0; r < rows; r++) {
			const b = from + r;
			const err = value[r] - mb.returns[b];
			let dv = err;
			if (c.clipVloss) {
				const delta = value[r] - mb.values[b];
				const errClipped = mb.values[b] + Math.min(Math.max(delta, -c.clipCoef), c.clipCoef) - mb.returns[b];
				const useUnclipped = err * err >= errClipped * errClipped;
				vLoss += Math.max(err * err, errClipped * errClipped);
				dv = useUnclipped ? err : Math.abs(delta) <= c.clipCoef ? errClipped : 0;
			} else vLoss += err * err;
			this.dValue[r] = (dv * c.vfCoef) / n;
		}
		return (0.5 * vLoss) / n;
	}

	dispose(): void {
		this.pi?.dispose();
		this.v?.dispose();
		for (const t of this.ones.values()) t.dispose();
		this.ones.clear();
	}
}
