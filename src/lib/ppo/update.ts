/**
 * The PPO update (CleanRL's ppo_continuous_action.py, "Optimizing the policy and value network"):
 * epochs × shuffled minibatches of the clipped surrogate, value loss and entropy bonus; one global
 * gradient-norm clip and Adam, both on the single flat parameter tensor. The rollout is uploaded
 * once; each minibatch is gathered on the backend. This is the backend reference: the trainer runs
 * fast-update.ts (the same update with parameters and Adam in TypeScript), tested equal to it.
 */
import { adamApply, type AdamState } from './adam.ts';
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import { ppoLossAndGradient } from './gradients.ts';
import type { Minibatch } from './loss.ts';
import type { ActorCriticModel } from './model.ts';
import type { Rng } from './random.ts';

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

const METRIC_COUNT = 6; // pg, v, entropy, oldKl, kl, clipfrac

export function ppoUpdate(model: ActorCriticModel, adam: AdamState, batch: UpdateBatch, config: PpoConfig, learningRate: number, rng: Rng): UpdateMetrics {
	const { n } = batch;
	const { obsDim, actionDim } = model.layout;
	const sums = new Float64Array(METRIC_COUNT);
	let minibatches = 0;
	let epochs = 0;
	// One packed [n, obsDim + actionDim + 4] tensor: a minibatch is one gather and one split.
	const columns = obsDim + actionDim + 4;
	const packed = new Float32Array(n * columns);
	for (let i = 0; i < n; i++) {
		const row = i * columns;
		packed.set(batch.obs.subarray(i * obsDim, (i + 1) * obsDim), row);
		packed.set(batch.action.subarray(i * actionDim, (i + 1) * actionDim), row + obsDim);
		packed[row + obsDim + actionDim] = batch.logProb[i];
		packed[row + obsDim + actionDim + 1] = batch.advantages[i];
		packed[row + obsDim + actionDim + 2] = batch.returns[i];
		packed[row + obsDim + actionDim + 3] = batch.values[i];
	}
	const all = tf.tensor2d(packed, [n, columns]);
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
				epochMetrics.push(minibatchStep(model, adam, all, perm, start, size, config, lr));
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
		all.dispose();
		lr.dispose();
	}
	return updateMetrics(sums, minibatches, epochs, batch, learningRate);
}

/** An update's metrics from the sums over its minibatches of [pg, v, entropy, oldKl, kl, clipfrac]. */
export function updateMetrics(sums: ArrayLike<number>, minibatches: number, epochs: number, batch: UpdateBatch, learningRate: number): UpdateMetrics {
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

/** One gradient step; returns [pg, v, entropy, oldKl, kl, clipfrac] as a tensor the caller disposes. */
function minibatchStep(
	model: ActorCriticModel,
	adam: AdamState,
	all: tf.Tensor2D,
	perm: tf.Tensor1D,
	start: number,
	size: number,
	config: PpoConfig,
	lr: tf.Scalar
): tf.Tensor {
	return tf.tidy(() => {
		const { obsDim, actionDim } = model.layout;
		const rows = tf.gather(all, tf.slice(perm, start, size));
		const [obs, action, logProb, advantages, returns, values] = tf.split(rows, [obsDim, actionDim, 1, 1, 1, 1], 1);
		let adv = tf.reshape(advantages, [-1]) as tf.Tensor1D;
		if (config.normAdv && size > 1) {
			const { mean, variance } = tf.moments(adv);
			// torch's std() is unbiased (Bessel's correction), as CleanRL uses it.
			const std = tf.sqrt(tf.mul(variance, size / (size - 1)));
			adv = tf.div(tf.sub(adv, mean), tf.add(std, 1e-8)) as tf.Tensor1D;
		}
		const mb: Minibatch = {
			obs: obs as tf.Tensor2D,
			action: action as tf.Tensor2D,
			logProb: tf.reshape(logProb, [-1]) as tf.Tensor1D,
			advantages: adv,
			returns: tf.reshape(returns, [-1]) as tf.Tensor1D,
			values: tf.reshape(values, [-1]) as tf.Tensor1D
		};
		const { gradient, metrics } = ppoLossAndGradient(model, mb, config);
		adamStep(model.theta, adam, gradient, config, lr);
		return metrics;
	});
}

/** Global-norm clip (torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1), then Adam. */
function adamStep(theta: tf.Variable<tf.Rank.R1>, adam: AdamState, gradient: tf.Tensor1D, config: PpoConfig, lr: tf.Scalar): void {
	const norm = tf.sqrt(tf.sum(tf.square(gradient)));
	const g = tf.mul(gradient, tf.minimum(1, tf.div(config.maxGradNorm, tf.add(norm, 1e-6)))) as tf.Tensor1D;
	adamApply(theta, adam, g, lr, config.adamEps);
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
