/**
 * The PPO loss as CleanRL writes it, differentiated by tfjs autodiff. It is the reference the
 * hand-derived gradient in gradients.ts is tested against; the trainer runs the faster one.
 */
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import { ENTROPY_CONST, LOG_SQRT_2PI } from './gaussian.ts';
import type { ActorCriticModel } from './model.ts';

export interface Minibatch {
	obs: tf.Tensor2D;
	action: tf.Tensor2D;
	logProb: tf.Tensor1D;
	/** Already normalised when normAdv is on. */
	advantages: tf.Tensor1D;
	returns: tf.Tensor1D;
	values: tf.Tensor1D;
}

/** The loss and the flat gradient w.r.t. theta, by autodiff. */
export function autodiffLossAndGradient(model: ActorCriticModel, mb: Minibatch, config: PpoConfig): { loss: tf.Scalar; gradient: tf.Tensor1D } {
	const { value: loss, grads } = tf.variableGrads(() => {
		const { mean, logStd, value } = model.forward(mb.obs);
		const z = tf.div(tf.sub(mb.action, mean), tf.exp(logStd));
		const newLogProb = tf.sum(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), LOG_SQRT_2PI), 1);
		const entropy = tf.sum(tf.add(logStd, ENTROPY_CONST));
		const ratio = tf.exp(tf.sub(newLogProb, mb.logProb));
		const negAdv = tf.neg(mb.advantages);
		const pgLoss = tf.mean(tf.maximum(tf.mul(negAdv, ratio), tf.mul(negAdv, tf.clipByValue(ratio, 1 - config.clipCoef, 1 + config.clipCoef))));
		const unclipped = tf.square(tf.sub(value, mb.returns));
		const vLoss = config.clipVloss
			? tf.mul(
					tf.mean(
						tf.maximum(unclipped, tf.square(tf.sub(tf.add(mb.values, tf.clipByValue(tf.sub(value, mb.values), -config.clipCoef, config.clipCoef)), mb.returns)))
					),
					0.5
				)
			: tf.mul(tf.mean(unclipped), 0.5);
		return tf.add(tf.sub(pgLoss, tf.mul(entropy, config.entCoef)), tf.mul(vLoss, config.vfCoef)) as tf.Scalar;
	}, [model.theta]);
	return { loss, gradient: grads[model.theta.name] as tf.Tensor1D };
}
