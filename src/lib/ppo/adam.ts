/**
 * Adam (Kingma & Ba) in PyTorch's formulation on one flat parameter variable: PPO and SAC both
 * keep each network as one tensor, so one Adam step is a handful of kernels.
 */
import { tf } from './backend.ts';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;

/** Adam's state for a flat parameter vector. */
export class AdamState {
	readonly m: tf.Variable<tf.Rank.R1>;
	readonly v: tf.Variable<tf.Rank.R1>;
	step = 0;

	constructor(size: number, m?: Float32Array, v?: Float32Array, step = 0) {
		this.m = tf.variable(m ? tf.tensor1d(m) : tf.zeros([size]), false);
		this.v = tf.variable(v ? tf.tensor1d(v) : tf.zeros([size]), false);
		this.step = step;
	}

	/** Both moments, first then second, read back. */
	moments(): Float32Array {
		const m = this.m.dataSync() as Float32Array;
		const out = new Float32Array(m.length * 2);
		out.set(m);
		out.set(this.v.dataSync() as Float32Array, m.length);
		return out;
	}

	/** Puts saved moments (as `moments()` gives them) and the step back. */
	restore(moments: Float32Array, step: number): void {
		const size = this.m.size;
		if (moments.length !== 2 * size) throw new Error(`Adam state has ${moments.length} floats, expected ${2 * size}`);
		tf.tidy(() => {
			this.m.assign(tf.tensor1d(moments.subarray(0, size)));
			this.v.assign(tf.tensor1d(moments.subarray(size)));
		});
		this.step = step;
	}

	dispose(): void {
		this.m.dispose();
		this.v.dispose();
	}
}

/** One Adam step of `theta` along gradient `g` (the caller has bumped `adam.step`). Call inside tf.tidy. */
export function adamApply(theta: tf.Variable<tf.Rank.R1>, adam: AdamState, g: tf.Tensor1D, lr: tf.Scalar | number, eps: number): void {
	const m = tf.add(tf.mul(adam.m, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1)) as tf.Tensor1D;
	const v = tf.add(tf.mul(adam.v, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2)) as tf.Tensor1D;
	const stepSize = tf.div(lr, 1 - ADAM_BETA1 ** adam.step);
	const denom = tf.add(tf.sqrt(tf.div(v, 1 - ADAM_BETA2 ** adam.step)), eps);
	adam.m.assign(m);
	adam.v.assign(v);
	theta.assign(tf.sub(theta, tf.mul(stepSize, tf.div(m, denom))) as tf.Tensor1D);
}
