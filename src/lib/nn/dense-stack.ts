/**
 * An MLP (ReLU or tanh hidden layers, a linear output) held on the tfjs backend for the fast
 * trainer steps (sac/fast-step.ts, ppo/fast-update.ts), with its forward and its hand-written
 * backward. The floats' owner is a flat buffer in the layout of layout.ts; a
 * stack uploads a copy of each layer (and, where the backward needs it, the transposed weights:
 * the wasm backend multiplies by a transposed operand ~10× slower than by an uploaded one) and
 * scatters gradients back into a flat buffer of the same layout. Per layer it costs one fused
 * matMul forward (tanh as 2·σ(2z) − 1: two cheap kernels more) and two or three matMuls backward; no autodiff tape, no split,
 * no concat.
 */
import { tf } from '../ppo/backend.ts';
import type { ParamEntry } from '../ppo/layout.ts';

/**
 * One dense layer of a network: its weight is the flat entries `w` side by side (the actor's mean
 * and log-std heads make one layer), its bias likewise `b`.
 */
export interface LayerSpec {
	w: ParamEntry[];
	b: ParamEntry[];
	inDim: number;
	outDim: number;
}

/** The layers of network `net` (e.g. q1, pi) in a layout's entries: hidden layers, then `heads` side by side. */
export function layerSpecs(entries: readonly ParamEntry[], net: string, hiddenLayers: number, heads: readonly string[]): LayerSpec[] {
	const get = (name: string) => {
		const entry = entries.find((e) => e.name === `${net}/${name}`);
		if (!entry) throw new Error(`layout has no ${net}/${name}`);
		return entry;
	};
	const specs: LayerSpec[] = [];
	for (let i = 0; i < hiddenLayers; i++) {
		const w = get(`w${i}`);
		specs.push({ w: [w], b: [get(`b${i}`)], inDim: w.shape[0], outDim: w.shape[1] });
	}
	const w = heads.map((h) => get(`${h}/w`));
	specs.push({ w, b: heads.map((h) => get(`${h}/b`)), inDim: w[0].shape[0], outDim: w.reduce((sum, e) => sum + e.shape[1], 0) });
	return specs;
}

interface DeviceLayer {
	w: tf.Tensor2D;
	/** Wᵀ restricted to input rows [from, to), when the backward passes a gradient through this layer. */
	wT?: tf.Tensor2D;
	b: tf.Tensor1D;
}

export interface StackForward {
	/** The hidden layers' outputs (after the activation), kept for the backward. */
	hidden: tf.Tensor2D[];
	out: tf.Tensor2D;
}

export type Activation = 'relu' | 'tanh';

export class DenseStack {
	private layers: DeviceLayer[] = [];
	// Host copies per layer, reused by every upload (the tensors made from them are disposed first;
	// fresh 256 KB arrays per minibatch cost more than the copy: page faults and, with several
	// trainer threads, the unmapping that stalls every thread of the process).
	private readonly host: Float32Array[];
	private readonly hostT: (Float32Array | undefined)[];
	private readonly hostB: Float32Array[];
	/** Per layer, the input rows its backward passes a gradient to (every row but the first layer's). */
	private readonly gradRows: (readonly [number, number] | undefined)[];

	/**
	 * `activation`: the hidden layers'. `inputRows`: the input rows whose gradient the backward may
	 * be asked for ([from, to) of the first layer's input; omit when none); hidden layers always
	 * pass gradients down.
	 */
	constructor(
		readonly specs: readonly LayerSpec[],
		private readonly activation: Activation,
		inputRows?: readonly [number, number]
	) {
		this.host = specs.map((s) => new Float32Array(s.inDim * s.outDim));
		this.gradRows = specs.map((s, l) => (l > 0 ? [0, s.inDim] : inputRows));
		this.hostT = specs.map((s, l) => {
			const rows = this.gradRows[l];
			return rows && new Float32Array(s.outDim * (rows[1] - rows[0]));
		});
		this.hostB = specs.map((s) => new Float32Array(s.outDim));
	}

	/** Uploads the layers from `flat` (the layout's buffer), replacing what was there. */
	upload(flat: Float32Array, transposes: boolean): void {
		this.dispose();
		this.layers = this.specs.map((spec, l) => {
			const w = gather(flat, spec, this.host[l]);
			const rows = this.gradRows[l];
			const wT =
				transposes && rows
					? tf.keep(tf.tensor2d(transposeRows(w, spec.inDim, spec.outDim, rows[0], rows[1], this.hostT[l]!), [spec.outDim, rows[1] - rows[0]]))
					: undefined;
			const b = gatherBias(flat, spec, this.hostB[l]);
			if (this.activation === 'tanh' && l < this.specs.length - 1) {
				// The forward takes tanh(z) as 2·σ(2z) − 1 (wasm's sigmoid fuses into the matMul; its
				// tanh costs as much as the matMul): 2z from doubled weights, exact in floating point.
				for (let i = 0; i < w.length; i++) w[i] *= 2;
				for (let i = 0; i < b.length; i++) b[i] *= 2;
			}
			return { w: tf.keep(tf.tensor2d(w, [spec.inDim, spec.outDim])), wT, b: tf.keep(tf.tensor1d(b)) };
		});
	}

	/** x [n, in] → the network's output [n, out]; call inside tf.tidy. */
	forward(x: tf.Tensor2D): StackForward {
		const hidden: tf.Tensor2D[] = [];
		let h = x;
		const last = this.layers.length - 1;
		for (let l = 0; l < last; l++) {
			const { w, b } = this.layers[l];
			h =
				this.activation === 'relu'
					? (tf.fused.matMul({ a: h, b: w, bias: b, activation: 'relu' }) as tf.Tensor2D)
					: tf.sub(tf.mul(tf.fused.matMul({ a: h, b: w, bias: b, activation: 'sigmoid' }), 2), 1);
			hidden.push(h);
		}
		return { hidden, out: tf.fused.matMul({ a: h, b: this.layers[last].w, bias: this.layers[last].b }) as tf.Tensor2D };
	}

	/**
	 * Back-propagates dOut [n, out] through a forward pass. With `grads`, adds nothing but writes
	 * dL/dθ into `grads` (a flat buffer in the layout's order; `inputT` is the forward's input,
	 * transposed, [in, n]; `ones` is a [1, n] row of ones). Returns dL/dx for the input rows given
	 * at construction when `inputGrad`. Call inside tf.tidy.
	 */
	backward(
		fwd: StackForward,
		dOut: tf.Tensor2D,
		o: { grads?: Float32Array; inputT?: tf.Tensor2D; ones?: tf.Tensor2D; inputGrad?: boolean }
	): tf.Tensor2D | undefined {
		let g = dOut;
		for (let l = this.layers.length - 1; l >= 0; l--) {
			if (o.grads) {
				const inT = l === 0 ? o.inputT! : tf.transpose(fwd.hidden[l - 1]);
				const dW = tf.matMul(inT, g);
				const db = tf.matMul(o.ones!, g);
				scatter(floats(dW), floats(db), this.specs[l], o.grads);
			}
			if (l > 0) g = tf.mul(tf.matMul(g, this.layers[l].wT!), this.slope(fwd.hidden[l - 1]));
			else if (o.inputGrad) return tf.matMul(g, this.layers[0].wT!);
		}
		return undefined;
	}

	/** The hidden activation's derivative, from its output h: ReLU's step(h), tanh's 1 − h². */
	private slope(h: tf.Tensor2D): tf.Tensor2D {
		return (this.activation === 'relu' ? tf.step(h) : tf.sub(1, tf.square(h))) as tf.Tensor2D;
	}

	dispose(): void {
		for (const layer of this.layers) {
			layer.w.dispose();
			layer.b.dispose();
			layer.wT?.dispose();
		}
		this.layers = [];
	}
}

/**
 * The layer's weight [in, out] from the flat buffer (its entries side by side), copied: the cpu
 * backend keeps the array a tensor is made from, and the flat buffer changes in place.
 */
function gather(flat: Float32Array, spec: LayerSpec, out: Float32Array): Float32Array {
	if (spec.w.length === 1) {
		out.set(flat.subarray(spec.w[0].offset, spec.w[0].offset + spec.w[0].size));
		return out;
	}
	let column = 0;
	for (const e of spec.w) {
		const width = e.shape[1];
		for (let i = 0; i < spec.inDim; i++) {
			for (let j = 0; j < width; j++) out[i * spec.outDim + column + j] = flat[e.offset + i * width + j];
		}
		column += width;
	}
	return out;
}

function gatherBias(flat: Float32Array, spec: LayerSpec, out: Float32Array): Float32Array {
	let column = 0;
	for (const e of spec.b) {
		out.set(flat.subarray(e.offset, e.offset + e.size), column);
		column += e.size;
	}
	return out;
}

/** dW [in, out] and db [out] into the flat gradient buffer at the layer's entries. */
function scatter(dW: Float32Array, db: Float32Array, spec: LayerSpec, grads: Float32Array): void {
	let column = 0;
	for (let k = 0; k < spec.w.length; k++) {
		const e = spec.w[k];
		const width = e.shape[1];
		if (spec.w.length === 1) grads.set(dW, e.offset);
		else for (let i = 0; i < spec.inDim; i++) for (let j = 0; j < width; j++) grads[e.offset + i * width + j] = dW[i * spec.outDim + column + j];
		grads.set(db.subarray(column, column + width), spec.b[k].offset);
		column += width;
	}
}

/**
 * A tensor's floats: a view of the wasm backend's heap (no copy; valid until the next tfjs call),
 * else a copy (dataSync).
 */
function floats(t: tf.Tensor): Float32Array {
	const backend = tf.backend() as { typedArrayFromHeap?: (t: tf.Tensor) => Float32Array };
	return backend.typedArrayFromHeap ? backend.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/** Rows [from, to) of w [rows, cols], transposed into `out`: [cols, to − from]. */
function transposeRows(w: Float32Array, rows: number, cols: number, from: number, to: number, out: Float32Array): Float32Array {
	const width = to - from;
	for (let i = from; i < to; i++) for (let j = 0; j < cols; j++) out[j * width + (i - from)] = w[i * cols + j];
	return out;
}
