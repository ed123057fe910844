/**
 * The PPO update (CleanRL's ppo_continuous_action.py, "Optimizing the policy and value network"):
 * epochs × shuffled minibatches of the clipped surrogate, value loss and entropy bonus; one global
 * gradient-norm clip and Adam, both on the single flat parameter tensor.
 */
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import { ENTROPY_CONST, LOG_SQRT_2PI } from './gaussian.ts';
import type { ActorCriticModel } from './model.ts';
import type { Rng } from './random.ts';

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;

/** Flattened rollout, everything aligned by sample index. */
export interface UpdateBatch {
	n: number;
	/** Normalised observations, n × obsDim. */
	obs: Float32Array;
	action: Float32Array;
	/** Behaviour log-probabilities (whichever policy version chose each action). */
	logProb: Float32Array;
	advantages: Float32Array;
	returns: Float32Array;
	/** Values before this update (for value clipping). */
	values: Float32Array;
}

export interface UpdateMetrics {
	'losses/value_loss': number;
	'losses/policy_loss': number;
	'losses/entropy': number;
	'losses/old_approx_kl': number;
	'losses/approx_kl': number;
	'losses/clipfrac': number;
	'losses/explained_variance': number;
	'charts/learning_rate': number;
	/** Epochs run (fewer than updateEpochs after a target-KL stop). */
	epochs: number;
	minibatches: number;
}

/** Adam's state for the flat parameter vector. */
export class AdamState {
	readonly m: tf.Variable<tf.Rank.R1>;
	readonly v: tf.Variable<tf.Rank.R1>;
	step = 0;

	constructor(size: number, m?: Float32Array, v?: Float32Array, step = 0) {
		this.m = tf.variable(m ? tf.tensor1d(m) : tf.zeros([size]), false);
		this.v = tf.variable(v ? tf.tensor1d(v) : tf.zeros([size]), false);
		this.step = step;
	}

	dispose(): void {
		this.m.dispose();
		this.v.dispose();
	}
}

const METRIC_COUNT = 6; // pg, v, entropy, oldKl, kl, clipfrac

export function ppoUpdate(model: ActorCriticModel, adam: AdamState, batch: UpdateBatch, config: PpoConfig, learningRate: number, rng: Rng): UpdateMetrics {
	const { n } = batch;
	const { obsDim, actionDim } = model.layout;
	const sums = new Float64Array(METRIC_COUNT);
	let minibatches = 0;
	let epochs = 0;
	const b = tf.tidy(() => ({
		obs: tf.keep(tf.tensor2d(batch.obs, [n, obsDim])),
		action: tf.keep(tf.tensor2d(batch.action, [n, actionDim])),
		logProb: tf.keep(tf.tensor1d(batch.logProb)),
		advantages: tf.keep(tf.tensor1d(batch.advantages)),
		returns: tf.keep(tf.tensor1d(batch.returns)),
		values: tf.keep(tf.tensor1d(batch.values))
	}));
	const lr = tf.scalar(learningRate);
	const order = new Int32Array(n).map((_, i) => i);
	try {
		for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
			rng.shuffle(order);
			const perm = tf.tensor1d(order, 'int32');
			const epochMetrics: tf.Tensor[] = [];
			for (let start = 0; start < n; start += config.minibatchSize) {
				const size = Math.min(config.minibatchSize, n - start);
				adam.step++;
				epochMetrics.push(minibatchStep(model, adam, b, perm, start, size, config, lr));
				minibatches++;
			}
			perm.dispose();
			const stacked = tf.stack(epochMetrics);
			const values = stacked.dataSync();
			stacked.dispose();
			epochMetrics.forEach((t) => t.dispose());
			let lastKl = 0;
			for (let i = 0; i < values.length; i++) {
				sums[i % METRIC_COUNT] += values[i];
				if (i % METRIC_COUNT === 4) lastKl = values[i];
			}
			epochs++;
			// CleanRL checks the last minibatch's approx KL after each epoch.
			if (config.targetKl !== null && lastKl > config.targetKl) break;
		}
	} finally {
		Object.values(b).forEach((t) => t.dispose());
		lr.dispose();
	}
	const mean = (i: number) => sums[i] / minibatches;
	return {
		'losses/value_loss': mean(1),
		'losses/policy_loss': mean(0),
		'losses/entropy': mean(2),
		'losses/old_approx_kl': mean(3),
		'losses/approx_kl': mean(4),
		'losses/clipfrac': mean(5),
		'losses/explained_variance': explainedVariance(batch.values, batch.returns),
		'charts/learning_rate': learningRate,
		epochs,
		minibatches
	};
}

interface BatchTensors {
	obs: tf.Tensor2D;
	action: tf.Tensor2D;
	logProb: tf.Tensor1D;
	advantages: tf.Tensor1D;
	returns: tf.Tensor1D;
	values: tf.Tensor1D;
}

/** One gradient step; returns [pg, v, entropy, oldKl, kl, clipfrac] as a kept tensor. */
function minibatchStep(
	model: ActorCriticModel,
	adam: AdamState,
	b: BatchTensors,
	perm: tf.Tensor1D,
	start: number,
	size: number,
	config: PpoConfig,
	lr: tf.Scalar
): tf.Tensor {
	return tf.tidy(() => {
		const idx = tf.slice(perm, start, size);
		const mbObs = tf.gather(b.obs, idx);
		const mbAction = tf.gather(b.action, idx);
		const mbLogProb = tf.gather(b.logProb, idx);
		const mbReturns = tf.gather(b.returns, idx);
		const mbValues = tf.gather(b.values, idx);
		let mbAdv = tf.gather(b.advantages, idx);
		if (config.normAdv && size > 1) {
			const { mean, variance } = tf.moments(mbAdv);
			// torch's std() is unbiased (Bessel's correction), as CleanRL uses it.
			const std = tf.sqrt(tf.mul(variance, size / (size - 1)));
			mbAdv = tf.div(tf.sub(mbAdv, mean), tf.add(std, 1e-8));
		}
		const negAdv = tf.neg(mbAdv);
		let metrics: tf.Tensor | undefined;
		const { grads } = tf.variableGrads(() => {
			const { mean, logStd, value } = model.forward(mbObs);
			const z = tf.div(tf.sub(mbAction, mean), tf.exp(logStd));
			const newLogProb = tf.sum(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), LOG_SQRT_2PI), 1);
			const entropy = tf.sum(tf.add(logStd, ENTROPY_CONST));
			const logRatio = tf.sub(newLogProb, mbLogProb);
			const ratio = tf.exp(logRatio);
			const clippedRatio = tf.clipByValue(ratio, 1 - config.clipCoef, 1 + config.clipCoef);
			const pgLoss = tf.mean(tf.maximum(tf.mul(negAdv, ratio), tf.mul(negAdv, clippedRatio)));
			const unclipped = tf.square(tf.sub(value, mbReturns));
			let vLoss: tf.Tensor;
			if (config.clipVloss) {
				const vClipped = tf.add(mbValues, tf.clipByValue(tf.sub(value, mbValues), -config.clipCoef, config.clipCoef));
				vLoss = tf.mul(tf.mean(tf.maximum(unclipped, tf.square(tf.sub(vClipped, mbReturns)))), 0.5);
			} else {
				vLoss = tf.mul(tf.mean(unclipped), 0.5);
			}
			const oldKl = tf.mean(tf.neg(logRatio));
			const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
			const clipfrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipCoef), 'float32'));
			metrics = tf.keep(tf.stack([pgLoss, vLoss, entropy, oldKl, kl, clipfrac]));
			return tf.add(tf.sub(pgLoss, tf.mul(entropy, config.entCoef)), tf.mul(vLoss, config.vfCoef)) as tf.Scalar;
		}, [model.theta]);
		let g = grads[model.theta.name];
		// torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
		const norm = tf.sqrt(tf.sum(tf.square(g)));
		g = tf.mul(g, tf.minimum(1, tf.div(config.maxGradNorm, tf.add(norm, 1e-6))));
		// Adam (Kingma & Ba), in torch's formulation.
		const m = tf.add(tf.mul(adam.m, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1)) as tf.Tensor1D;
		const v = tf.add(tf.mul(adam.v, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2)) as tf.Tensor1D;
		const mHat = tf.div(m, 1 - ADAM_BETA1 ** adam.step);
		const vHat = tf.div(v, 1 - ADAM_BETA2 ** adam.step);
		adam.m.assign(m);
		adam.v.assign(v);
		model.theta.assign(tf.sub(model.theta, tf.div(tf.mul(lr, mHat), tf.add(tf.sqrt(vHat), config.adamEps))));
		return metrics!;
	});
}

/** 1 − Var(returns − values) / Var(returns); NaN when the returns do not vary. */
export function explainedVariance(values: Float32Array, returns: Float32Array): number {
	const n = returns.length;
	let meanY = 0;
	let meanD = 0;
	for (let i = 0; i < n; i++) {
		meanY += returns[i];
		meanD += returns[i] - values[i];
	}
	meanY /= n;
	meanD /= n;
	let varY = 0;
	let varD = 0;
	for (let i = 0; i < n; i++) {
		varY += (returns[i] - meanY) ** 2;
		varD += (returns[i] - values[i] - meanD) ** 2;
	}
	return varY === 0 ? NaN : 1 - varD / varY;
}
