/**
 * The policy's forward pass in plain TypeScript over the flat parameter buffer: what actors and
 * the browser run (no tfjs). Matches the trainer's tfjs forward within float32 rounding.
 *
 * It sits in the agent's control loop, so it is built for that: the weights are copied once,
 * transposed to float64 rows (one output's weights contiguous, summed in a register), and `act`
 * allocates nothing — its result is reused by the next call. The pieces that are not PPO's own
 * (ActResult, the transposed layers, matVec, the observation input) are exported for SAC's
 * squashed actor (sac/forward.ts); policy/index.ts runs either.
 */
import type { ObsNormStats } from '../protocol/index.ts';
import { LOG_SQRT_2PI } from './gaussian.ts';
import { entry, type PolicyLayout } from './layout.ts';
import type { Rng } from './random.ts';

export interface ActResult {
	/**
	 * Sampled action. PPO's is unclipped (the caller clips to bounds before the car sees it); SAC's
	 * squashed one already lies in bounds.
	 */
	action: Float32Array;
	/** The deterministic action: PPO's Gaussian mean, SAC's tanh(mean)·scale + bias. */
	mean: Float32Array;
	logProb: number;
	/** The critic's value; 0 when computeValue is off or the policy has no critic. */
	value: number;
}

export interface Dense {
	/** [outDim, inDim] row-major: output j's weights are wT[j·inDim … (j+1)·inDim). */
	wT: Float64Array;
	b: Float64Array;
	inDim: number;
	outDim: number;
}

/**
 * One layer from a flat buffer as float64 transposed rows. Several [w, b] pairs with the same
 * input size become one layer whose outputs are theirs back to back (two heads, one matVec).
 */
export function denseLayer(layout: PolicyLayout, params: Float32Array, heads: readonly (readonly [string, string])[]): Dense {
	const parts = heads.map(([w, b]) => ({ w: entry(layout, w), b: entry(layout, b) }));
	const inDim = parts[0].w.shape[0];
	const outDim = parts.reduce((n, p) => n + p.w.shape[1], 0);
	const wT = new Float64Array(inDim * outDim);
	const bias = new Float64Array(outDim);
	let j0 = 0;
	for (const { w, b } of parts) {
		const out = w.shape[1];
		if (w.shape[0] !== inDim) throw new Error(`${w.name} has ${w.shape[0]} inputs, expected ${inDim}`);
		for (let i = 0; i < inDim; i++) for (let j = 0; j < out; j++) wT[(j0 + j) * inDim + i] = params[w.offset + i * out + j];
		bias.set(params.subarray(b.offset, b.offset + b.size), j0);
		j0 += out;
	}
	return { wT, b: bias, inDim, outDim };
}

/** The network's input: obs normalised with the manifest's statistics and clipped, into a reused buffer. */
export class ObsInput {
	private readonly out: Float64Array;
	private readonly normMean: Float32Array | undefined;
	private readonly normInvStd: Float32Array | undefined;
	private readonly normClip: number;

	constructor(obsDim: number, obsNorm?: ObsNormStats) {
		this.out = new Float64Array(obsDim);
		if (obsNorm) {
			if (obsNorm.mean.length !== obsDim) throw new Error('obs normalisation stats do not match obsDim');
			this.normMean = obsNorm.mean;
			this.normInvStd = Float32Array.from(obsNorm.var, (v) => 1 / Math.sqrt(v + obsNorm.epsilon));
		}
		this.normClip = obsNorm?.clip ?? Infinity;
	}

	/** obs as the network sees it: normalised and clipped when stats were given. Reused by the next call. */
	of(obs: ArrayLike<number>): Float64Array {
		const out = this.out;
		for (let i = 0; i < out.length; i++) {
			let x = obs[i];
			if (this.normMean) x = (x - this.normMean[i]) * this.normInvStd![i];
			out[i] = x > this.normClip ? this.normClip : x < -this.normClip ? -this.normClip : x;
		}
		return out;
	}
}

export class PolicyForward {
	readonly logStd: Float32Array;
	/**
	 * act() also runs the critic. Actors may turn it off: the learner recomputes every value with
	 * its current critic before GAE, so an actor's value column is informational (0 when off).
	 */
	computeValue = true;
	private readonly std: Float64Array;
	private readonly pi: Dense[];
	private readonly v: Dense[];
	private readonly scratch: Float64Array[];
	private readonly obsInput: ObsInput;
	private readonly result: ActResult;
	private readonly valueOut = new Float64Array(1);

	constructor(
		readonly layout: PolicyLayout,
		params: Float32Array,
		obsNorm?: ObsNormStats
	) {
		if (params.length !== layout.size) throw new Error(`expected ${layout.size} parameters, got ${params.length}`);
		const dense = (net: string, names: [string, string][]): Dense[] => names.map(([w, b]) => denseLayer(layout, params, [[`${net}/${w}`, `${net}/${b}`]]));
		const hidden = layout.hiddenSizes.map((_, i) => [`w${i}`, `b${i}`] as [string, string]);
		this.pi = dense('pi', [...hidden, ['mean/w', 'mean/b']]);
		this.v = dense('v', [...hidden, ['out/w', 'out/b']]);
		const ls = entry(layout, 'pi/log_std');
		this.logStd = params.slice(ls.offset, ls.offset + ls.size);
		this.std = Float64Array.from(this.logStd, Math.exp);
		const widest = Math.max(layout.obsDim, layout.actionDim, ...layout.hiddenSizes);
		this.scratch = [new Float64Array(widest), new Float64Array(widest), new Float64Array(widest)];
		this.obsInput = new ObsInput(layout.obsDim, obsNorm);
		this.result = { action: new Float32Array(layout.actionDim), mean: new Float32Array(layout.actionDim), logProb: 0, value: 0 };
	}

	get obsDim(): number {
		return this.layout.obsDim;
	}

	get actionDim(): number {
		return this.layout.actionDim;
	}

	/** obs as the network sees it: normalised and clipped when stats were given. */
	private input(obs: ArrayLike<number>): Float64Array {
		return this.obsInput.of(obs);
	}

	/** The MLP: tanh hidden layers, linear output (written to `out`, returned). */
	private run<T extends Float32Array | Float64Array>(layers: Dense[], x: Float64Array, out: T): T {
		let input = x;
		for (let l = 0; l < layers.length; l++) {
			const { wT, b, inDim, outDim } = layers[l];
			const y = this.scratch[l & 1 ? 2 : 1];
			matVec(wT, b, input, y, inDim, outDim);
			if (l === layers.length - 1) for (let j = 0; j < outDim; j++) out[j] = y[j];
			else for (let j = 0; j < outDim; j++) y[j] = Math.tanh(y[j]);
			input = y;
		}
		return out;
	}

	/** Mean of the action distribution (the deterministic policy). */
	mean(obs: ArrayLike<number>, out = new Float32Array(this.layout.actionDim)): Float32Array {
		return this.run(this.pi, this.input(obs), out);
	}

	value(obs: ArrayLike<number>): number {
		return this.run(this.v, this.input(obs), this.valueOut)[0];
	}

	/**
	 * Samples an action (or takes the mean when no rng is given) with its log-prob and value.
	 * The returned object and its arrays are reused by the next call: copy what you keep.
	 */
	act(obs: ArrayLike<number>, rng?: Rng): ActResult {
		const x = this.input(obs);
		const r = this.result;
		const { action, mean } = r;
		this.run(this.pi, x, mean);
		r.value = this.computeValue ? this.run(this.v, x, this.valueOut)[0] : 0;
		let logProb = 0;
		for (let i = 0; i < mean.length; i++) {
			action[i] = mean[i] + this.std[i] * (rng ? rng.normal() : 0);
			// z from the stored float32 action, so the log-prob is that of what is sent
			const z = (action[i] - mean[i]) / this.std[i];
			logProb += -0.5 * z * z - this.logStd[i] - LOG_SQRT_2PI;
		}
		r.logProb = logProb;
		return r;
	}
}

/**
 * y = Wᵀ·x + b with wT as [outDim, inDim] rows. Four outputs per pass share each x[i] load and
 * keep four independent sums, so the adds do not wait on each other (≈ 2× a one-sum loop).
 */
export function matVec(wT: Float64Array, b: Float64Array, x: Float64Array, y: Float64Array, inDim: number, outDim: number): void {
	let j = 0;
	for (; j + 4 <= outDim; j += 4) {
		const r0 = j * inDim;
		const r1 = r0 + inDim;
		const r2 = r1 + inDim;
		const r3 = r2 + inDim;
		let s0 = b[j];
		let s1 = b[j + 1];
		let s2 = b[j + 2];
		let s3 = b[j + 3];
		for (let i = 0; i < inDim; i++) {
			const xi = x[i];
			s0 += xi * wT[r0 + i];
			s1 += xi * wT[r1 + i];
			s2 += xi * wT[r2 + i];
			s3 += xi * wT[r3 + i];
		}
		y[j] = s0;
		y[j + 1] = s1;
		y[j + 2] = s2;
		y[j + 3] = s3;
	}
	for (; j < outDim; j++) {
		const row = j * inDim;
		let sum = b[j];
		for (let i = 0; i < inDim; i++) sum += x[i] * wT[row + i];
		y[j] = sum;
	}
}
