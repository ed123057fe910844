/**
 * The PPO update with the parameters and Adam in TypeScript: the same update as update.ts's
 * `ppoUpdate` (the backend reference, tested equal in tests/unit/ppo/fast-update.test.ts), at a
 * fraction of the kernels per minibatch. Each minibatch is gathered on plain arrays, its gradient
 * computed by minibatch-grad.ts (the MLPs' products on the tfjs backend), clipped to the global
 * norm and applied by Adam — on this thread alone, or split across a PpoGradPool's threads. The
 * flat parameters and Adam's moments are read from the model and its AdamState once per update
 * and written back at its end, so an update that throws changes nothing but the RNG and Adam's
 * step count (the caller restores those to retry).
 */
import { hostAdam } from '../nn/host-adam.ts';
import type { AdamState } from './adam.ts';
import { tf } from './backend.ts';
import type { PpoConfig } from './config.ts';
import type { PpoGradPool } from './grad-pool.ts';
import { clipFactor, squaredNorm } from './grad-shares.ts';
import { FIGURES, PpoGradShard } from './minibatch-grad.ts';
import { minibatchRows, type MinibatchRows } from './minibatch-rows.ts';
import type { ActorCriticModel } from './model.ts';
import type { Rng } from './random.ts';
import { updateMetrics, type UpdateBatch, type UpdateMetrics } from './update.ts';

export function fastPpoUpdate(
	model: ActorCriticModel,
	adam: AdamState,
	batch: UpdateBatch,
	config: PpoConfig,
	learningRate: number,
	rng: Rng,
	pool?: PpoGradPool
): UpdateMetrics {
	const { layout } = model;
	const { n } = batch;
	const { obsDim: O, actionDim: A } = layout;
	if (pool && pool.capacity < config.minibatchSize) throw new Error(`the gradient pool holds ${pool.capacity} rows, the minibatch is ${config.minibatchSize}`);
	const theta = model.params32();
	const moments = adam.moments();
	const shard = pool ? undefined : new PpoGradShard(layout, config.minibatchSize);
	const mb = pool ? pool.rows : minibatchRows(config.minibatchSize, O, A);
	pool?.begin(theta, moments, config);
	const grad = new Float32Array(layout.size);
	const figures = new Float64Array(FIGURES);
	const sums = new Float64Array(FIGURES); // pg, v, entropy, oldKl, kl, clipfrac
	const order = new Int32Array(n).map((_, i) => i);
	const settings = { learningRate, adamEps: config.adamEps, maxGradNorm: config.maxGradNorm };
	let minibatches = 0;
	let epochs = 0;
	try {
		for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
			rng.shuffle(order);
			let lastKl = 0;
			for (let start = 0; start < n; start += config.minibatchSize) {
				const size = Math.min(config.minibatchSize, n - start);
				gather(batch, order, start, size, O, A, mb, config.normAdv);
				adam.step++;
				if (pool) pool.step(size, adam.step, settings, figures);
				else {
					shard!.upload(theta);
					shard!.grad(mb, 0, size, size, theta, config, true, grad, figures);
					hostAdam(
						theta,
						moments,
						grad,
						adam.step,
						learningRate,
						config.adamEps,
						theta.length,
						clipFactor(squaredNorm(grad, 0, grad.length), config.maxGradNorm)
					);
				}
				for (let i = 0; i < FIGURES; i++) sums[i] += figures[i];
				lastKl = figures[4];
				minibatches++;
			}
			epochs++;
			// CleanRL checks the last minibatch's approx KL after each epoch.
			if (config.targetKl !== null && lastKl > config.targetKl) break;
		}
		pool?.finish(theta, moments);
	} finally {
		shard?.dispose();
	}
	tf.tidy(() => model.theta.assign(tf.tensor1d(theta)));
	adam.restore(moments, adam.step);
	return updateMetrics(sums, minibatches, epochs, batch, learningRate);
}

/** The minibatch's rows (order[start, start + size)) into `mb`, advantages normalised as CleanRL does (torch's unbiased std). */
function gather(batch: UpdateBatch, order: Int32Array, start: number, size: number, O: number, A: number, mb: MinibatchRows, normAdv: boolean): void {
	let mean = 0;
	for (let r = 0; r < size; r++) {
		const i = order[start + r];
		mb.obs.set(batch.obs.subarray(i * O, (i + 1) * O), r * O);
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
