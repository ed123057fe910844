/**
 * The PPO loss and its gradient w.r.t. the flat parameters, derived by hand: about a third of the
 * tfjs kernels autodiff launches, which is what bounds speed at minibatch 64. Checked against
 * loss.ts (autodiff) in tests/unit/ppo/gradients.test.ts.
 *
 * With z = (a − μ)/σ, log π = Σ(−z²/2 − log σ − log√2π), r = exp(log π − log π_old), B = batch:
 *   L = mean(max(−A·r, −A·clip(r, 1±ε))) − c_ent·Σ(log σ + ½ + log√2π) + c_vf·½·mean((V − R)²)
 *   ∂L/∂log π_i = −A_i·r_i/B where the unclipped term is the max, else 0
 *   ∂log π/∂μ = z/σ,  ∂log π/∂log σ = z² − 1,  ∂L/∂log σ += −c_ent,  ∂L/∂V_i = c_vf·(V_i − R_i)/B
 * then ordinary backpropagation through each tanh MLP.
 */
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import { ENTROPY_CONST, LOG_SQRT_2PI } from './gaussian.ts';
import type { Minibatch } from './loss.ts';
import type { ActorCriticModel } from './model.ts';

interface Layer {
	w: tf.Tensor2D;
	b: tf.Tensor1D;
}

/** Activations kept for the backward pass: each layer's input, and the tanh outputs. */
function mlpForward(layers: Layer[], x: tf.Tensor2D): { out: tf.Tensor2D; inputs: tf.Tensor2D[] } {
	const inputs: tf.Tensor2D[] = [];
	let h = x;
	layers.forEach((layer, i) => {
		inputs.push(h);
		const y = tf.fused.matMul({ a: h, b: layer.w, bias: layer.b }) as tf.Tensor2D;
		h = i < layers.length - 1 ? (tf.tanh(y) as tf.Tensor2D) : y;
	});
	return { out: h, inputs };
}

/** Gradients [dW, db] per layer, output layer last, for dOut = ∂L/∂out. */
function mlpBackward(layers: Layer[], inputs: tf.Tensor2D[], dOut: tf.Tensor2D): tf.Tensor[][] {
	const grads: tf.Tensor[][] = new Array(layers.length);
	let dy = dOut;
	for (let i = layers.length - 1; i >= 0; i--) {
		const x = inputs[i];
		// Explicit transposes: the wasm backend's matMul with transpose flags is several times slower.
		grads[i] = [tf.matMul(tf.transpose(x), dy), tf.sum(dy, 0)];
		if (i > 0) {
			const dh = tf.matMul(dy, tf.transpose(layers[i].w));
			dy = tf.mul(dh, tf.sub(1, tf.square(x))) as tf.Tensor2D; // x = tanh(previous pre-activation)
		}
	}
	return grads;
}

export interface LossParts {
	loss: tf.Scalar;
	/** [policy_loss, value_loss, entropy, old_approx_kl, approx_kl, clipfrac] */
	metrics: tf.Tensor1D;
	gradient: tf.Tensor1D;
}

/** Loss, metrics and flat gradient in layout order. Call inside tf.tidy. */
export function ppoLossAndGradient(model: ActorCriticModel, mb: Minibatch, config: PpoConfig): LossParts {
	const { layout } = model;
	const pieces = tf.split(
		model.theta,
		layout.entries.map((e) => e.size)
	);
	const byName = new Map(layout.entries.map((e, i) => [e.name, e.shape.length === 2 ? tf.reshape(pieces[i], e.shape) : pieces[i]]));
	const layers = (net: string, out: string): Layer[] => [
		...layout.hiddenSizes.map((_, i) => ({ w: byName.get(`${net}/w${i}`) as tf.Tensor2D, b: byName.get(`${net}/b${i}`) as tf.Tensor1D })),
		{ w: byName.get(`${net}/${out}/w`) as tf.Tensor2D, b: byName.get(`${net}/${out}/b`) as tf.Tensor1D }
	];
	const piLayers = layers('pi', 'mean');
	const vLayers = layers('v', 'out');
	const logStd = byName.get('pi/log_std') as tf.Tensor1D;
	const size = mb.returns.shape[0];

	const pi = mlpForward(piLayers, mb.obs);
	const v = mlpForward(vLayers, mb.obs);
	const value = tf.reshape(v.out, [-1]) as tf.Tensor1D;

	// Policy term.
	const std = tf.exp(logStd);
	const z = tf.div(tf.sub(mb.action, pi.out), std);
	const zz = tf.square(z);
	const newLogProb = tf.sum(tf.sub(tf.sub(tf.mul(zz, -0.5), logStd), LOG_SQRT_2PI), 1);
	const logRatio = tf.sub(newLogProb, mb.logProb);
	const ratio = tf.exp(logRatio);
	const negAdv = tf.neg(mb.advantages);
	const unclippedPg = tf.mul(negAdv, ratio);
	const clippedPg = tf.mul(negAdv, tf.clipByValue(ratio, 1 - config.clipCoef, 1 + config.clipCoef));
	const pgLoss = tf.mean(tf.maximum(unclippedPg, clippedPg));
	const pgActive = tf.cast(tf.greaterEqual(unclippedPg, clippedPg), 'float32');
	const dLogProb = tf.mul(tf.mul(unclippedPg, pgActive), 1 / size); // −A·r/B where active
	const dLogProbCol = tf.expandDims(dLogProb, 1);
	const dMean = tf.div(tf.mul(dLogProbCol, z), std) as tf.Tensor2D;
	const dLogStd = tf.sub(tf.sum(tf.mul(dLogProbCol, tf.sub(zz, 1)), 0), config.entCoef);
	const entropy = tf.sum(tf.add(logStd, ENTROPY_CONST));

	// Value term.
	const err = tf.sub(value, mb.returns);
	let vLoss: tf.Tensor;
	let dValue: tf.Tensor;
	if (config.clipVloss) {
		const delta = tf.sub(value, mb.values);
		const errClipped = tf.sub(tf.add(mb.values, tf.clipByValue(delta, -config.clipCoef, config.clipCoef)), mb.returns);
		const sqU = tf.square(err);
		const sqC = tf.square(errClipped);
		vLoss = tf.mul(tf.mean(tf.maximum(sqU, sqC)), 0.5);
		const useU = tf.greaterEqual(sqU, sqC);
		const inside = tf.lessEqual(tf.abs(delta), config.clipCoef);
		dValue = tf.where(useU, err, tf.mul(errClipped, tf.cast(inside, 'float32')));
	} else {
		vLoss = tf.mul(tf.mean(tf.square(err)), 0.5);
		dValue = err;
	}
	const dOutV = tf.reshape(tf.mul(dValue, config.vfCoef / size), [-1, 1]) as tf.Tensor2D;

	const piGrads = mlpBackward(piLayers, pi.inputs, dMean);
	const vGrads = mlpBackward(vLayers, v.inputs, dOutV);
	const flat = (t: tf.Tensor) => tf.reshape(t, [-1]);
	const gradient = tf.concat([...piGrads.flat().map(flat), dLogStd, ...vGrads.flat().map(flat)]) as tf.Tensor1D;

	const loss = tf.add(tf.sub(pgLoss, tf.mul(entropy, config.entCoef)), tf.mul(vLoss, config.vfCoef)) as tf.Scalar;
	const oldKl = tf.mean(tf.neg(logRatio));
	const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
	const clipfrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipCoef), 'float32'));
	const metrics = tf.stack([pgLoss, vLoss, entropy, oldKl, kl, clipfrac]) as tf.Tensor1D;
	return { loss, metrics, gradient };
}
