/**
 * The policy's forward pass in plain TypeScript over the flat parameter buffer: what actors and
 * the browser run (no tfjs). Matches the trainer's tfjs forward within float32 rounding.
 */
import type { ObsNormStats } from '../protocol/index.ts';
import { LOG_SQRT_2PI } from './gaussian.ts';
import { entry, type PolicyLayout } from './layout.ts';
import type { Rng } from './random.ts';

export interface ActResult {
	/** Sampled (unclipped) action; the caller clips to bounds before the car sees it. */
	action: Float32Array;
	mean: Float32Array;
	logProb: number;
	value: number;
}

interface Dense {
	w: Float32Array;
	b: Float32Array;
	inDim: number;
	outDim: number;
}

export class PolicyForward {
	readonly logStd: Float32Array;
	private readonly std: Float64Array;
	private readonly pi: Dense[];
	private readonly v: Dense[];
	private readonly scratch: Float32Array[];
	private readonly acc: Float64Array;
	private readonly normObs: Float32Array;
	private readonly normMean: Float32Array | undefined;
	private readonly normInvStd: Float32Array | undefined;
	private readonly normClip: number;

	constructor(
		readonly layout: PolicyLayout,
		params: Float32Array,
		obsNorm?: ObsNormStats
	) {
		if (params.length !== layout.size) throw new Error(`expected ${layout.size} parameters, got ${params.length}`);
		const dense = (net: string, names: [string, string][]): Dense[] =>
			names.map(([w, b]) => {
				const we = entry(layout, `${net}/${w}`);
				const be = entry(layout, `${net}/${b}`);
				return { w: params.subarray(we.offset, we.offset + we.size), b: params.subarray(be.offset, be.offset + be.size), inDim: we.shape[0], outDim: we.shape[1] };
			});
		const hidden = layout.hiddenSizes.map((_, i) => [`w${i}`, `b${i}`] as [string, string]);
		this.pi = dense('pi', [...hidden, ['mean/w', 'mean/b']]);
		this.v = dense('v', [...hidden, ['out/w', 'out/b']]);
		const ls = entry(layout, 'pi/log_std');
		this.logStd = params.subarray(ls.offset, ls.offset + ls.size);
		this.std = Float64Array.from(this.logStd, Math.exp);
		const widest = Math.max(layout.obsDim, layout.actionDim, ...layout.hiddenSizes);
		this.scratch = [new Float32Array(widest), new Float32Array(widest)];
		this.acc = new Float64Array(widest);
		this.normObs = new Float32Array(layout.obsDim);
		if (obsNorm) {
			if (obsNorm.mean.length !== layout.obsDim) throw new Error('obs normalisation stats do not match obsDim');
			this.normMean = obsNorm.mean;
			this.normInvStd = Float32Array.from(obsNorm.var, (v) => 1 / Math.sqrt(v + obsNorm.epsilon));
		}
		this.normClip = obsNorm?.clip ?? Infinity;
	}

	/** obs as the network sees it: normalised and clipped when stats were given. */
	private input(obs: ArrayLike<number>): Float32Array {
		const out = this.normObs;
		for (let i = 0; i < out.length; i++) {
			let x = obs[i];
			if (this.normMean) x = (x - this.normMean[i]) * this.normInvStd![i];
			out[i] = x > this.normClip ? this.normClip : x < -this.normClip ? -this.normClip : x;
		}
		return out;
	}

	private run(layers: Dense[], x: Float32Array, out: Float32Array): Float32Array {
		let input = x;
		for (let l = 0; l < layers.length; l++) {
			const { w, b, inDim, outDim } = layers[l];
			const last = l === layers.length - 1;
			const y = last ? out : this.scratch[l & 1];
			const acc = this.acc;
			for (let j = 0; j < outDim; j++) acc[j] = b[j];
			// Row by row: w is [inDim, outDim] row-major, so the inner loop reads it contiguously.
			for (let i = 0; i < inDim; i++) {
				const xi = input[i];
				if (xi === 0) continue;
				const row = i * outDim;
				for (let j = 0; j < outDim; j++) acc[j] += xi * w[row + j];
			}
			for (let j = 0; j < outDim; j++) y[j] = last ? acc[j] : Math.tanh(acc[j]);
			input = y;
		}
		return out;
	}

	/** Mean of the action distribution (the deterministic policy). */
	mean(obs: ArrayLike<number>, out = new Float32Array(this.layout.actionDim)): Float32Array {
		return this.run(this.pi, this.input(obs), out);
	}

	value(obs: ArrayLike<number>): number {
		const out = new Float32Array(1);
		return this.run(this.v, this.input(obs), out)[0];
	}

	/** Samples an action (or takes the mean when no rng is given) with its log-prob and value. */
	act(obs: ArrayLike<number>, rng?: Rng): ActResult {
		const x = this.input(obs);
		const mean = this.run(this.pi, x, new Float32Array(this.layout.actionDim));
		const value = this.run(this.v, x, new Float32Array(1))[0];
		const action = new Float32Array(mean.length);
		let logProb = 0;
		for (let i = 0; i < mean.length; i++) {
			action[i] = mean[i] + this.std[i] * (rng ? rng.normal() : 0);
			// z from the stored float32 action, so the log-prob is that of what is sent
			const z = (action[i] - mean[i]) / this.std[i];
			logProb += -0.5 * z * z - this.logStd[i] - LOG_SQRT_2PI;
		}
		return { action, mean, logProb, value };
	}
}
