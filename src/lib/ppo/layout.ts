/**
 * The policy's parameters as ONE flat float32 buffer: actor MLP, Gaussian log-std, critic MLP, in
 * manifest order. The trainer holds it as one tf.Variable, WEIGHTS_UPDATE ships it as is, and the
 * pure-TS forward pass reads it in place. Pure TypeScript (used by the agent and the browser).
 */
import type { TensorEntry } from '../protocol/index.ts';
import type { Rng } from './random.ts';

export interface ParamEntry extends TensorEntry {
	offset: number;
	size: number;
}

export interface PolicyLayout {
	obsDim: number;
	actionDim: number;
	hiddenSizes: number[];
	entries: ParamEntry[];
	size: number;
}

export const ARCHITECTURE_PREFIX = 'mlp-tanh';

export function architectureName(hiddenSizes: readonly number[]): string {
	return `${ARCHITECTURE_PREFIX}-${hiddenSizes.join('x')}-gaussian`;
}

/** Tensor names: pi/w0, pi/b0, …, pi/mean/w, pi/mean/b, pi/log_std, v/w0, v/b0, …, v/out/w, v/out/b. */
export function policyLayout(obsDim: number, actionDim: number, hiddenSizes: readonly number[]): PolicyLayout {
	const entries: ParamEntry[] = [];
	let offset = 0;
	const add = (name: string, shape: number[]) => {
		const size = shape.reduce((a, b) => a * b, 1);
		entries.push({ name, shape, offset, size });
		offset += size;
	};
	for (const [net, outName, outDim] of [
		['pi', 'mean', actionDim],
		['v', 'out', 1]
	] as const) {
		let inDim = obsDim;
		hiddenSizes.forEach((h, i) => {
			add(`${net}/w${i}`, [inDim, h]);
			add(`${net}/b${i}`, [h]);
			inDim = h;
		});
		add(`${net}/${outName}/w`, [inDim, outDim]);
		add(`${net}/${outName}/b`, [outDim]);
		if (net === 'pi') add('pi/log_std', [actionDim]);
	}
	return { obsDim, actionDim, hiddenSizes: [...hiddenSizes], entries, size: offset };
}

/** Rebuilds a layout from a weights manifest, checking that it is one this code can run. */
export function layoutFromManifest(tensors: readonly TensorEntry[], architecture: string): PolicyLayout {
	const match = /^mlp-tanh-([0-9x]+)-gaussian$/.exec(architecture);
	if (!match) throw new Error(`unsupported policy architecture "${architecture}"`);
	const hiddenSizes = match[1].split('x').map(Number);
	const first = tensors[0];
	const logStd = tensors.find((t) => t.name === 'pi/log_std');
	if (!first || !logStd || first.shape.length !== 2) throw new Error('weights manifest lacks pi/w0 or pi/log_std');
	const layout = policyLayout(first.shape[0], logStd.shape[0], hiddenSizes);
	return checkedAgainst(layout, tensors, architecture);
}

/** `layout` when the manifest's tensors are exactly its entries (names, shapes, order); else a clear error. Either algorithm's. */
export function checkedAgainst<L extends { entries: readonly TensorEntry[] }>(layout: L, tensors: readonly TensorEntry[], architecture: string): L {
	const same =
		layout.entries.length === tensors.length && layout.entries.every((e, i) => e.name === tensors[i].name && e.shape.join() === tensors[i].shape.join());
	if (!same) throw new Error(`weights manifest does not match architecture ${architecture}`);
	return layout;
}

export function entry(layout: { entries: readonly ParamEntry[] }, name: string): ParamEntry {
	const found = layout.entries.find((e) => e.name === name);
	if (!found) throw new Error(`no parameter ${name}`);
	return found;
}

/**
 * Orthogonal initialisation as in CleanRL (gain √2 for hidden layers, 0.01 for the policy mean,
 * 1 for the value head), zero biases, log-std = initLogStd; the mean head's bias = initActionMean
 * when given (an action prior: the untrained policy's mean action). Deterministic for a given Rng.
 */
export function initParams(layout: PolicyLayout, rng: Rng, initLogStd: number, initActionMean: readonly number[] = []): Float32Array {
	if (initActionMean.length && initActionMean.length !== layout.actionDim) {
		throw new RangeError(`initActionMean has ${initActionMean.length} values; the action has ${layout.actionDim}`);
	}
	const params = new Float32Array(layout.size);
	for (const e of layout.entries) {
		const view = params.subarray(e.offset, e.offset + e.size);
		if (e.name === 'pi/log_std') view.fill(initLogStd);
		else if (e.name === 'pi/mean/b' && initActionMean.length) view.set(initActionMean);
		else if (e.shape.length === 2) {
			const gain = e.name === 'pi/mean/w' ? 0.01 : e.name === 'v/out/w' ? 1 : Math.SQRT2;
			view.set(orthogonal(e.shape[0], e.shape[1], gain, rng));
		}
	}
	return params;
}

/** A rows × cols matrix (row-major) with orthonormal rows or columns, scaled by gain. */
function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
	// Gram–Schmidt on the longer side's vectors of a Gaussian matrix.
	const tall = rows >= cols;
	const n = tall ? cols : rows; // vectors
	const m = tall ? rows : cols; // their length
	const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => rng.normal()));
	for (let i = 0; i < n; i++) {
		for (let j = 0; j < i; j++) {
			let dot = 0;
			for (let k = 0; k < m; k++) dot += q[i][k] * q[j][k];
			for (let k = 0; k < m; k++) q[i][k] -= dot * q[j][k];
		}
		let norm = 0;
		for (let k = 0; k < m; k++) norm += q[i][k] * q[i][k];
		norm = Math.sqrt(norm) || 1;
		for (let k = 0; k < m; k++) q[i][k] /= norm;
	}
	const out = new Float32Array(rows * cols);
	for (let r = 0; r < rows; r++) {
		for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? q[c][r] : q[r][c]);
	}
	return out;
}
