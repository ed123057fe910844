/**
 * The actor-critic in TensorFlow.js over ONE flat parameter variable (layout.ts): each weight is
 * a slice of it, so gradients, gradient clipping and Adam each work on a single tensor.
 */
import { tf } from './backend.ts';
import type { PolicyLayout } from './layout.ts';

export interface PolicyOutput {
	mean: tf.Tensor2D;
	logStd: tf.Tensor1D;
	value: tf.Tensor1D;
}

export class ActorCriticModel {
	readonly theta: tf.Variable<tf.Rank.R1>;

	constructor(
		readonly layout: PolicyLayout,
		params: Float32Array
	) {
		if (params.length !== layout.size) throw new Error(`expected ${layout.size} parameters, got ${params.length}`);
		this.theta = tf.variable(tf.tensor1d(params), true);
	}

	/** Views of theta by name (call inside tf.tidy / a gradient function). */
	private params(): Map<string, tf.Tensor> {
		const pieces = tf.split(
			this.theta,
			this.layout.entries.map((e) => e.size)
		);
		return new Map(this.layout.entries.map((e, i) => [e.name, e.shape.length === 1 ? pieces[i] : tf.reshape(pieces[i], e.shape)]));
	}

	private mlp(p: Map<string, tf.Tensor>, net: string, outName: string, x: tf.Tensor2D): tf.Tensor2D {
		let h = x;
		this.layout.hiddenSizes.forEach((_, i) => {
			h = tf.tanh(tf.fused.matMul({ a: h, b: p.get(`${net}/w${i}`) as tf.Tensor2D, bias: p.get(`${net}/b${i}`) })) as tf.Tensor2D;
		});
		return tf.fused.matMul({ a: h, b: p.get(`${net}/${outName}/w`) as tf.Tensor2D, bias: p.get(`${net}/${outName}/b`) }) as tf.Tensor2D;
	}

	/** Policy mean, log-std and value for a batch of (normalised) observations. */
	forward(obs: tf.Tensor2D): PolicyOutput {
		const p = this.params();
		return {
			mean: this.mlp(p, 'pi', 'mean', obs),
			logStd: p.get('pi/log_std') as tf.Tensor1D,
			value: tf.reshape(this.mlp(p, 'v', 'out', obs), [-1]) as tf.Tensor1D
		};
	}

	/** Values of many observations, read back (for GAE). */
	values(obs: Float32Array, rows: number): Float32Array {
		if (rows === 0) return new Float32Array(0);
		return tf.tidy(() => this.forward(tf.tensor2d(obs, [rows, this.layout.obsDim])).value.dataSync() as Float32Array).slice();
	}

	/** Policy means of many observations, read back. */
	means(obs: Float32Array, rows: number): Float32Array {
		return tf.tidy(() => this.forward(tf.tensor2d(obs, [rows, this.layout.obsDim])).mean.dataSync() as Float32Array).slice();
	}

	params32(): Float32Array {
		return (this.theta.dataSync() as Float32Array).slice();
	}

	dispose(): void {
		this.theta.dispose();
	}
}
