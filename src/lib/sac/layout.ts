/**
 * SAC's parameters as flat float32 buffers, like PPO's (ppo/layout.ts): one for the actor (what
 * WEIGHTS_UPDATE ships), one for the twin critics (the learner's alone). Pure TypeScript.
 *
 * The actor (CleanRL sac_continuous_action.py): ReLU hidden layers, then a mean head and a
 * log-std head; log σ = LOG_STD_MIN + ½(LOG_STD_MAX − LOG_STD_MIN)(tanh(raw) + 1); the action is
 * tanh(u)·scale + bias with u ~ N(mean, σ²), so it always lies in the action bounds
 * (scale = (high − low)/2, bias = (high + low)/2). The scale and bias ride at the end of the
 * actor's buffer (`pi/action_scale`, `pi/action_bias`): shipped with the weights, never trained.
 */
import type { TensorEntry } from '../protocol/index.ts';
import { checkedAgainst, type ParamEntry } from '../ppo/layout.ts';
import type { Rng } from '../ppo/random.ts';

export const LOG_STD_MIN = -5;
export const LOG_STD_MAX = 2;
/** CleanRL's guard inside the tanh correction: log(scale·(1 − y²) + ε). */
export const SQUASH_EPSILON = 1e-6;
export const SAC_ARCHITECTURE_PREFIX = 'mlp-relu';
const SAC_ARCHITECTURE = /^mlp-relu-([0-9x]+)-squashed-gaussian$/;

export interface SacActorLayout {
	obsDim: number;
	actionDim: number;
	hiddenSizes: number[];
	entries: ParamEntry[];
	/** All floats, scale and bias included. */
	size: number;
	/** The trained floats: entries before `pi/action_scale` (size − 2·actionDim). */
	trainable: number;
}

export interface CriticLayout {
	obsDim: number;
	actionDim: number;
	hiddenSizes: number[];
	entries: ParamEntry[];
	size: number;
}

export function sacArchitectureName(hiddenSizes: readonly number[]): string {
	return `${SAC_ARCHITECTURE_PREFIX}-${hiddenSizes.join('x')}-squashed-gaussian`;
}

export function isSacArchitecture(architecture: string): boolean {
	return SAC_ARCHITECTURE.test(architecture);
}

function entriesOf(build: (add: (name: string, shape: number[]) => void) => void): { entries: ParamEntry[]; size: number } {
	const entries: ParamEntry[] = [];
	let offset = 0;
	build((name, shape) => {
		const size = shape.reduce((a, b) => a * b, 1);
		entries.push({ name, shape, offset, size });
		offset += size;
	});
	return { entries, size: offset };
}

function mlp(add: (name: string, shape: number[]) => void, net: string, inDim: number, hiddenSizes: readonly number[]): number {
	hiddenSizes.forEach((h, i) => {
		add(`${net}/w${i}`, [inDim, h]);
		add(`${net}/b${i}`, [h]);
		inDim = h;
	});
	return inDim;
}

/** pi/w0, pi/b0, …, pi/mean/w, pi/mean/b, pi/log_std/w, pi/log_std/b, pi/action_scale, pi/action_bias. */
export function sacActorLayout(obsDim: number, actionDim: number, hiddenSizes: readonly number[]): SacActorLayout {
	const { entries, size } = entriesOf((add) => {
		const last = mlp(add, 'pi', obsDim, hiddenSizes);
		add('pi/mean/w', [last, actionDim]);
		add('pi/mean/b', [actionDim]);
		add('pi/log_std/w', [last, actionDim]);
		add('pi/log_std/b', [actionDim]);
		add('pi/action_scale', [actionDim]);
		add('pi/action_bias', [actionDim]);
	});
	return { obsDim, actionDim, hiddenSizes: [...hiddenSizes], entries, size, trainable: size - 2 * actionDim };
}

/** q1/w0 ([obsDim + actionDim, h₀]: the input is obs then action), …, q1/out/w, q1/out/b, then q2 alike. */
export function criticLayout(obsDim: number, actionDim: number, hiddenSizes: readonly number[]): CriticLayout {
	const { entries, size } = entriesOf((add) => {
		for (const net of ['q1', 'q2']) {
			const last = mlp(add, net, obsDim + actionDim, hiddenSizes);
			add(`${net}/out/w`, [last, 1]);
			add(`${net}/out/b`, [1]);
		}
	});
	return { obsDim, actionDim, hiddenSizes: [...hiddenSizes], entries, size };
}

/** Rebuilds an actor layout from a weights manifest, checking that it is one this code can run. */
export function sacLayoutFromManifest(tensors: readonly TensorEntry[], architecture: string): SacActorLayout {
	const match = SAC_ARCHITECTURE.exec(architecture);
	if (!match) throw new Error(`unsupported policy architecture "${architecture}"`);
	const hiddenSizes = match[1].split('x').map(Number);
	const first = tensors[0];
	const scale = tensors.find((t) => t.name === 'pi/action_scale');
	if (!first || !scale || first.shape.length !== 2) throw new Error('weights manifest lacks pi/w0 or pi/action_scale');
	const layout = sacActorLayout(first.shape[0], scale.shape[0], hiddenSizes);
	return checkedAgainst(layout, tensors, architecture);
}

/** The action bounds as the squash's scale and bias. */
export function actionScaleBias(low: ArrayLike<number>, high: ArrayLike<number>): { scale: Float32Array; bias: Float32Array } {
	const scale = new Float32Array(low.length);
	const bias = new Float32Array(low.length);
	for (let i = 0; i < low.length; i++) {
		if (!(Number.isFinite(low[i]) && Number.isFinite(high[i]) && high[i] > low[i])) {
			throw new RangeError(`SAC needs finite action bounds with high > low; dimension ${i} has [${low[i]}, ${high[i]}]`);
		}
		scale[i] = (high[i] - low[i]) / 2;
		bias[i] = (high[i] + low[i]) / 2;
	}
	return { scale, bias };
}

/**
 * PyTorch's nn.Linear default (what CleanRL's SAC uses): weights and biases uniform in
 * ±1/√fan_in. Deterministic for a given Rng.
 */
export function initLinear(entries: readonly ParamEntry[], out: Float32Array, rng: Rng): void {
	let fanIn = 1;
	for (const e of entries) {
		if (e.name.endsWith('action_scale') || e.name.endsWith('action_bias')) continue;
		if (e.shape.length === 2) fanIn = e.shape[0];
		const bound = 1 / Math.sqrt(fanIn);
		for (let i = e.offset; i < e.offset + e.size; i++) out[i] = (2 * rng.next() - 1) * bound;
	}
}

/** A fresh actor: Linear init, then the action bounds as scale and bias. */
export function initActorParams(layout: SacActorLayout, rng: Rng, low: ArrayLike<number>, high: ArrayLike<number>): Float32Array {
	const params = new Float32Array(layout.size);
	initLinear(layout.entries, params, rng);
	const { scale, bias } = actionScaleBias(low, high);
	params.set(scale, layout.trainable);
	params.set(bias, layout.trainable + layout.actionDim);
	return params;
}

export function initCriticParams(layout: CriticLayout, rng: Rng): Float32Array {
	const params = new Float32Array(layout.size);
	initLinear(layout.entries, params, rng);
	return params;
}
