/**
 * The PPO update with the parameters and Adam in TypeScript: the same update as update.ts's
 * `ppoUpdate` (the backend reference, tested equal in tests/unit/ppo/fast-update.test.ts), at a
 * fraction of the kernels per minibatch. The tanh MLPs' matrix products run on the tfjs backend
 * (nn/dense-stack.ts: per-layer tensors, no split of a flat tensor, no column sums); the
 * minibatch gather, the B × A Gaussian head, the clipped surrogate and value losses with their
 * gradients (gradients.ts has the formulas), the global-norm clip and Adam run on plain arrays.
 * The flat parameters and Adam's moments are read from the model and its AdamState once per
 * update and written back at its end.
 */
import { DenseStack, layerSpecs } from '../nn/dense-stack.ts';
import { hostAdam } from '../nn/host-adam.ts';
import type { AdamState } from './adam.ts';
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import { ENTROPY_CONST, LOG_SQRT_2PI } from './gaussian.ts';
import type { ActorCriticModel } from './model.ts';
import type { Rng } from './random.ts';
import { updateMetrics, type UpdateBatch, type UpdateMetrics } from './update.ts';

export function fastPpoUpdate(model: ActorCriticModel, adam: AdamState, batch: UpdateBatch, config: PpoConfig, learningRate: number, rng: Rng): UpdateMetrics {
	const { layout } = model;
	const { n } = batch;
	const { obsDim: O, actionDim: A, hiddenSizes } = layout;
	const theta = model.params32();
	const moments = adam.moments();
	const logStdAt = layout.entries.find((e) => e.name === 'pi/log_std')!.offset;
	const pi = new DenseStack(layerSpecs(layout.entries, 'pi', hiddenSizes.length, ['mean']), 'tanh');
	const v = new DenseStack(layerSpecs(layout.entries, 'v', hiddenSizes.length, ['out']), 'tanh');
	const grad = new Float32Array(layout.size);
	const mb = minibatchBuffers(config.minibatchSize, O, A);
	const ones = new Map<number, tf.Tensor2D>();
	const sums = new Float64Array(6); // pg, v, entropy, oldKl, kl, clipfrac
	const order = new Int32Array(n).map((_, i) => i);
	let minibatches = 0;
	let epochs = 0;
	try {
		pi.upload(theta, true);
		v.upload(theta, true);
		for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
			rng.shuffle(order);
			let lastKl = 0;
			for (let start = 0; start < n; start += config.minibatchSize) {
				const size = Math.min(config.minibatchSize, n - start);
				gather(batch, order, start, size, O, A, mb, config.normAdv);
				if (!ones.has(size)) ones.set(size, tf.keep(tf.ones([1, size])));
				let figures: number[] = [];
				tf.tidy(() => {
					figures = minibatchGrad(pi, v, mb, size, theta, logStdAt, O, A, config, grad, ones.get(size)!);
				});
				for (let i = 0; i < 6; i++) sums[i] += figures[i];
				lastKl = figures[4];
				adam.step++;
				hostAdam(theta, moments, grad, adam.step, learningRate, config.adamEps, theta.length, clipScale(grad, config.maxGradNorm));
				pi.upload(theta, true);
				v.upload(theta, true);
				minibatches++;
			}
			epochs++;
			// CleanRL checks the last minibatch's approx KL after each epoch.
			if (config.targetKl !== null && lastKl > config.targetKl) break;
		}
	} finally {
		pi.dispose();
		v.dispose();
		for (const t of ones.values()) t.dispose();
	}
	tf.tidy(() => model.theta.assign(tf.tensor1d(theta)));
	adam.restore(moments, adam.step);
	return updateMetrics(sums, minibatches, epochs, batch, learningRate);
}

interface MinibatchBuffers {
	obs: Float32Array;
	obsT: Float32Array;
	action: Float32Array;
	logProb: Float32Array;
	adv: Float64Array;
	returns: Float32Array;
	values: Float32Array;
	dMean: Float32Array;
	dValue: Float32Array;
}

function minibatchBuffers(m: number, O: number, A: number): MinibatchBuffers {
	return {
		obs: new Float32Array(m * O),
		obsT: new Float32Array(m * O),
		action: new Float32Array(m * A),
		logProb: new Float32Array(m),
		adv: new Float64Array(m),
		returns: new Float32Array(m),
		values: new Float32Array(m),
		dMean: new Float32Array(m * A),
		dValue: new Float32Array(m)
	};
}

/** The minibatch's rows (order[start, start + size)) into `mb`, advantages normalised as CleanRL does (torch's unbiased std). */
function gather(batch: UpdateBatch, order: Int32Array, start: number, size: number, O: number, A: number, mb: MinibatchBuffers, normAdv: boolean): void {
	let mean = 0;
	for (let r = 0; r < size; r++) {
		const i = order[start + r];
		mb.obs.set(batch.obs.subarray(i * O, (i + 1) * O), r * O);
		for (let k = 0; k < O; k++) mb.obsT[k * size + r] = batch.obs[i * O + k];
		mb.action.set(batch.action.subarray(i * A, (i + 1) * A), r * A);
		mb.logProb[r] = batch.logProb[i];
		mb.adv[r] = batch.advantages[i];
		mb.returns[r] = batch.returns[i];
		mb.values[r] = batch.values[i];
		mean += mb.adv[r];
	}
	if (!normAdv || size < 2) return;
	mean /= size;
	let sq = 0;
	for (let r = 0; r < size; r++) sq += (mb.adv[r] - mean) ** 2;
	const std = Math.sqrt(sq / (size - 1));
	for (let r = 0; r < size; r++) mb.adv[r] = (mb.adv[r] - mean) / (std + 1e-8);
}

/** Loss figures [pg, v, entropy, oldKl, kl, clipfrac] of one minibatch; its gradient into `grad` (layout order). Call inside tf.tidy. */
function minibatchGrad(
	pi: DenseStack,
	v: DenseStack,
	mb: MinibatchBuffers,
	size: number,
	theta: Float32Array,
	logStdAt: number,
	O: number,
	A: number,
	c: PpoConfig,
	grad: Float32Array,
	ones: tf.Tensor2D
): number[] {
	const obs = tf.tensor2d(mb.obs.subarray(0, size * O), [size, O]);
	const obsT = tf.tensor2d(mb.obsT.subarray(0, size * O), [O, size]);
	const piFwd = pi.forward(obs);
	const vFwd = v.forward(obs);
	const mean = piFwd.out.dataSync();
	const value = vFwd.out.dataSync();

	// Policy term: ∂L/∂log π = −A·r/B where the unclipped term is the max; ∂log π/∂μ = z/σ, ∂log π/∂log σ = z² − 1.
	let entropy = 0;
	for (let i = 0; i < A; i++) {
		entropy += theta[logStdAt + i] + ENTROPY_CONST;
		grad[logStdAt + i] = -c.entCoef;
	}
	let pg = 0;
	let oldKl = 0;
	let kl = 0;
	let clipped = 0;
	for (let b = 0; b < size; b++) {
		let logProb = 0;
		for (let i = 0; i < A; i++) {
			const z = (mb.action[b * A + i] - mean[b * A + i]) / Math.exp(theta[logStdAt + i]);
			logProb += -0.5 * z * z - theta[logStdAt + i] - LOG_SQRT_2PI;
		}
		const logRatio = logProb - mb.logProb[b];
		const ratio = Math.exp(logRatio);
		const unclippedPg = -mb.adv[b] * ratio;
		const clippedPg = -mb.adv[b] * Math.min(Math.max(ratio, 1 - c.clipCoef), 1 + c.clipCoef);
		pg += Math.max(unclippedPg, clippedPg);
		oldKl -= logRatio;
		kl += ratio - 1 - logRatio;
		if (Math.abs(ratio - 1) > c.clipCoef) clipped++;
		const dLogProb = unclippedPg >= clippedPg ? unclippedPg / size : 0;
		for (let i = 0; i < A; i++) {
			const std = Math.exp(theta[logStdAt + i]);
			const z = (mb.action[b * A + i] - mean[b * A + i]) / std;
			mb.dMean[b * A + i] = (dLogProb * z) / std;
			grad[logStdAt + i] += dLogProb * (z * z - 1);
		}
	}

	// Value term (clipped as CleanRL's clip_vloss).
	let vLoss = 0;
	for (let b = 0; b < size; b++) {
		const err = value[b] - mb.returns[b];
		let dValue = err;
		if (c.clipVloss) {
			const delta = value[b] - mb.values[b];
			const errClipped = mb.values[b] + Math.min(Math.max(delta, -c.clipCoef), c.clipCoef) - mb.returns[b];
			const useUnclipped = err * err >= errClipped * errClipped;
			vLoss += Math.max(err * err, errClipped * errClipped);
			dValue = useUnclipped ? err : Math.abs(delta) <= c.clipCoef ? errClipped : 0;
		} else vLoss += err * err;
		mb.dValue[b] = (dValue * c.vfCoef) / size;
	}
	vLoss = (0.5 * vLoss) / size;

	pi.backward(piFwd, tf.tensor2d(mb.dMean.subarray(0, size * A), [size, A]), { grads: grad, inputT: obsT, ones });
	v.backward(vFwd, tf.tensor2d(mb.dValue.subarray(0, size), [size, 1]), { grads: grad, inputT: obsT, ones });
	return [pg / size, vLoss, entropy, oldKl / size, kl / size, clipped / size];
}

/** torch.nn.utils.clip_grad_norm_'s factor: max_norm / (norm + 1e-6) when that is below 1, else 1. */
function clipScale(grad: Float32Array, maxNorm: number): number {
	let sq = 0;
	for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
	return Math.min(1, maxNorm / (Math.sqrt(sq) + 1e-6));
}
