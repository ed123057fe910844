/**
 * SAC's squashed-Gaussian actor in plain TypeScript over its flat parameter buffer (layout.ts):
 * what local-mode actors and remote inference run (no tfjs). The same computation as the
 * learner's `actorSample` (networks.ts, CleanRL sac_continuous_action.py): ReLU hidden layers, a
 * mean head and a log-std head squashed into [LOG_STD_MIN, LOG_STD_MAX], u = mean + σ·ε,
 * action = tanh(u)·scale + bias — always in bounds — and the log-prob with CleanRL's tanh
 * correction.
 *
 * Built like PPO's PolicyForward (ppo/forward.ts, whose layers, matVec and observation input it
 * reuses): weights copied once to float64 transposed rows, and `act` allocates nothing — its
 * result is reused by the next call.
 */
import type { ObsNormStats } from '../protocol/index.ts';
import { denseLayer, matVec, ObsInput, type ActResult, type Dense } from '../ppo/forward.ts';
import { LOG_SQRT_2PI } from '../ppo/gaussian.ts';
import type { Rng } from '../ppo/random.ts';
import { LOG_STD_MAX, LOG_STD_MIN, SQUASH_EPSILON, type SacActorLayout } from './layout.ts';

const LOG_STD_HALF_RANGE = 0.5 * (LOG_STD_MAX - LOG_STD_MIN);

export class SquashedPolicyForward {
	/** Kept for the shape of PolicyForward's API: the actor has no critic, so `value` is always 0. */
	computeValue = false;
	readonly obsDim: number;
	readonly actionDim: number;
	private readonly hidden: Dense[];
	/** The mean head's outputs, then the log-std head's: one matVec for both. */
	private readonly heads: Dense;
	private readonly scale: Float64Array;
	private readonly bias: Float64Array;
	private readonly scratch: [Float64Array, Float64Array];
	private readonly headOut: Float64Array;
	private readonly obsInput: ObsInput;
	private readonly result: ActResult;

	constructor(
		readonly layout: SacActorLayout,
		params: Float32Array,
		obsNorm?: ObsNormStats
	) {
		if (params.length !== layout.size) throw new Error(`expected ${layout.size} parameters, got ${params.length}`);
		const { obsDim, actionDim, hiddenSizes } = layout;
		this.obsDim = obsDim;
		this.actionDim = actionDim;
		this.hidden = hiddenSizes.map((_, i) => denseLayer(layout, params, [[`pi/w${i}`, `pi/b${i}`]]));
		this.heads = denseLayer(layout, params, [
			['pi/mean/w', 'pi/mean/b'],
			['pi/log_std/w', 'pi/log_std/b']
		]);
		this.scale = Float64Array.from(params.subarray(layout.trainable, layout.trainable + actionDim));
		this.bias = Float64Array.from(params.subarray(layout.trainable + actionDim, layout.trainable + 2 * actionDim));
		for (let i = 0; i < actionDim; i++) {
			if (!(this.scale[i] > 0)) throw new Error(`pi/action_scale[${i}] is ${this.scale[i]}: it must be > 0 (half the action range)`);
		}
		const widest = Math.max(obsDim, ...hiddenSizes);
		this.scratch = [new Float64Array(widest), new Float64Array(widest)];
		this.headOut = new Float64Array(2 * actionDim);
		this.obsInput = new ObsInput(obsDim, obsNorm);
		this.result = { action: new Float32Array(actionDim), mean: new Float32Array(actionDim), logProb: 0, value: 0 };
	}

	/** Both heads for obs, pre-squash: headOut[0 … A) the mean, headOut[A … 2A) the raw log-std. */
	private run(obs: ArrayLike<number>): Float64Array {
		let input = this.obsInput.of(obs);
		for (let l = 0; l < this.hidden.length; l++) {
			const { wT, b, inDim, outDim } = this.hidden[l];
			const y = this.scratch[l & 1];
			matVec(wT, b, input, y, inDim, outDim);
			for (let j = 0; j < outDim; j++) if (y[j] < 0) y[j] = 0; // ReLU (a NaN stays NaN, as in torch)
			input = y;
		}
		const { wT, b, inDim, outDim } = this.heads;
		matVec(wT, b, input, this.headOut, inDim, outDim);
		return this.headOut;
	}

	/** The deterministic action tanh(mean)·scale + bias (evaluation). */
	mean(obs: ArrayLike<number>, out = new Float32Array(this.actionDim)): Float32Array {
		const head = this.run(obs);
		for (let i = 0; i < this.actionDim; i++) out[i] = Math.tanh(head[i]) * this.scale[i] + this.bias[i];
		return out;
	}

	/**
	 * Samples an action (ε = 0 when no rng is given) with its log-prob; `mean` is the deterministic
	 * action and `value` 0. The returned object and its arrays are reused by the next call: copy
	 * what you keep.
	 */
	act(obs: ArrayLike<number>, rng?: Rng): ActResult {
		const head = this.run(obs);
		const r = this.result;
		const { action, mean } = r;
		const A = this.actionDim;
		let logProb = 0;
		for (let i = 0; i < A; i++) {
			const m = head[i];
			const logStd = LOG_STD_MIN + LOG_STD_HALF_RANGE * (Math.tanh(head[A + i]) + 1);
			const eps = rng ? rng.normal() : 0;
			const y = Math.tanh(m + Math.exp(logStd) * eps);
			const scale = this.scale[i];
			action[i] = y * scale + this.bias[i];
			mean[i] = Math.tanh(m) * scale + this.bias[i];
			logProb += -0.5 * eps * eps - logStd - LOG_SQRT_2PI - Math.log(scale * (1 - y * y) + SQUASH_EPSILON);
		}
		r.logProb = logProb;
		r.value = 0;
		return r;
	}
}
