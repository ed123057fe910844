/**
 * PpoTrainer: the learner's whole training state — network, Adam, normalisers, RNG, counters —
 * and the one method that turns a rollout buffer into a new policy version. Node only (tfjs).
 */
import { type WeightsUpdate } from '../protocol/index.ts';
import { tf } from './backend.ts';
import { resolvePpoConfig, type PpoConfig } from './config.ts';
import { PolicyForward } from './forward.ts';
import { initParams, policyLayout, type PolicyLayout } from './layout.ts';
import { ActorCriticModel } from './model.ts';
import { ObsNormalizer, RewardScaler } from './normalizer.ts';
import { Rng } from './random.ts';
import { computeGae, type RolloutBuffer } from './rollout-buffer.ts';
import { AdamState } from './adam.ts';
import { fastPpoUpdate } from './fast-update.ts';
import { PpoGradPool } from './grad-pool.ts';
import type { UpdateBatch, UpdateMetrics } from './update.ts';
import { weightsMessage } from './weights.ts';

export interface TrainerCounters {
	updates: number;
	samples: number;
	policyVersion: number;
}

export interface TrainerUpdateResult extends UpdateMetrics {
	policyVersion: number;
	samples: number;
	updateMs: number;
	'charts/update_samples_per_sec': number;
}

export class PpoTrainer {
	config: PpoConfig;
	readonly layout: PolicyLayout;
	readonly model: ActorCriticModel;
	readonly adam: AdamState;
	readonly rng: Rng;
	readonly obsNorm: ObsNormalizer;
	readonly rewardScaler: RewardScaler;
	counters: TrainerCounters = { updates: 0, samples: 0, policyVersion: 1 };
	/** Why the trainer threads were given up (a thread failed; the updates go on on this thread). */
	threadsError: string | undefined;
	private pool: PpoGradPool | undefined;

	constructor(obsDim: number, actionDim: number, config: Partial<PpoConfig> = {}, params?: Float32Array) {
		this.config = resolvePpoConfig(config);
		this.layout = policyLayout(obsDim, actionDim, this.config.hiddenSizes);
		this.rng = new Rng(this.config.seed);
		this.model = new ActorCriticModel(this.layout, params ?? initParams(this.layout, this.rng, this.config.initLogStd, this.config.initActionMean));
		this.adam = new AdamState(this.layout.size);
		this.obsNorm = new ObsNormalizer(obsDim, this.config.obsClip);
		this.rewardScaler = new RewardScaler(this.config.gamma, this.config.rewardClip);
	}

	/** Learning rate for the next update (linear annealing when enabled). */
	currentLearningRate(): number {
		const { learningRate, annealLr, totalUpdates } = this.config;
		return annealLr ? learningRate * Math.max(0, 1 - this.counters.updates / totalUpdates) : learningRate;
	}

	/** Live edits of lr and entCoef (validated like the rest of the config). */
	setHyperparams(changes: Partial<Pick<PpoConfig, 'learningRate' | 'entCoef'>>): void {
		this.config = resolvePpoConfig({ ...this.config, ...changes });
	}

	/**
	 * Splits each minibatch's gradient across `threads` threads, this one included (1: this thread
	 * alone), on the active tfjs backend. A resource setting, not part of the config: a checkpoint
	 * resumes under any thread count (the sums differ in rounding only).
	 */
	async useThreads(threads: number): Promise<void> {
		const old = this.pool;
		this.pool = undefined;
		await old?.close();
		if (threads > 1) this.pool = await PpoGradPool.start(this.layout, threads, this.config.minibatchSize, tf.getBackend());
		this.threadsError = undefined;
	}

	get threads(): number {
		return this.pool?.threads ?? 1;
	}

	/** Normalises observations with the current statistics (identity when normObs is off). */
	normalize(obs: Float32Array, rows: number): Float32Array {
		return this.config.normObs ? this.obsNorm.normalize(obs, rows) : obs.slice(0, rows * this.layout.obsDim);
	}

	/** One PPO update on everything in `buffer`; bumps policyVersion. The buffer is left as is. */
	update(buffer: RolloutBuffer): TrainerUpdateResult {
		const started = performance.now();
		const n = buffer.size;
		if (n === 0) throw new Error('cannot update on an empty rollout buffer');
		const { obsDim } = this.layout;
		const rawObs = buffer.steps.obs.subarray(0, n * obsDim);
		if (this.config.normObs) this.obsNorm.stats.update(rawObs, n);
		const obs = this.normalize(rawObs, n);

		// Values from the current critic (samples may come from older policies), then GAE.
		const values = this.model.values(obs, n);
		const segments = buffer.segments;
		const finals = new Float32Array(segments.length * obsDim);
		segments.forEach((s, i) => finals.set(s.finalObs, i * obsDim));
		const bootstrap = this.model.values(this.normalize(finals, segments.length), segments.length);
		const reward = this.config.normReward ? this.scaledRewards(buffer) : buffer.steps.reward.subarray(0, n);
		const { advantages, returns } = computeGae(
			reward,
			values,
			segments.map((s, i) => ({ start: s.start, length: s.length, terminated: s.terminated, bootstrapValue: bootstrap[i], next: s.next })),
			this.config.gamma,
			this.config.gaeLambda
		);

		const learningRate = this.currentLearningRate();
		const batch = {
			n,
			obs,
			action: buffer.steps.action.subarray(0, n * this.layout.actionDim),
			logProb: buffer.steps.logProb.subarray(0, n),
			advantages,
			returns,
			values
		};
		const metrics = this.runUpdate(batch, learningRate);
		this.counters = { updates: this.counters.updates + 1, samples: this.counters.samples + n, policyVersion: this.counters.policyVersion + 1 };
		const updateMs = performance.now() - started;
		return {
			...metrics,
			policyVersion: this.counters.policyVersion,
			samples: n,
			updateMs,
			'charts/update_samples_per_sec': (n * metrics.epochs * 1000) / updateMs
		};
	}

	/** The update on the pool when there is one; when a thread fails, the same update again on this thread alone. */
	private runUpdate(batch: UpdateBatch, learningRate: number): UpdateMetrics {
		const rng = this.rng.save();
		const step = this.adam.step;
		try {
			return fastPpoUpdate(this.model, this.adam, batch, this.config, learningRate, this.rng, this.pool);
		} catch (error) {
			if (!this.pool) throw error;
			this.threadsError = (error as Error).message;
			void this.pool.close();
			this.pool = undefined;
			this.rng.restore(rng);
			this.adam.step = step;
			return fastPpoUpdate(this.model, this.adam, batch, this.config, learningRate, this.rng);
		}
	}

	private scaledRewards(buffer: RolloutBuffer): Float32Array {
		const out = new Float32Array(buffer.size);
		for (const s of buffer.segments) {
			const rewards = buffer.steps.reward.subarray(s.start, s.start + s.length);
			const ends = new Uint8Array(s.length);
			if (s.terminated || s.truncated) ends[s.length - 1] = 1;
			out.set(this.rewardScaler.scale(s.stream, rewards, ends), s.start);
		}
		return out;
	}

	params(): Float32Array {
		return this.model.params32();
	}

	/** The current policy as a WEIGHTS_UPDATE (with obs normalisation stats when enabled). */
	weights(): WeightsUpdate {
		return weightsMessage(this.layout, this.params(), this.counters.policyVersion, this.config.normObs ? this.obsNorm.toStats() : undefined);
	}

	/** The current policy as actors run it (pure TypeScript). */
	policy(): PolicyForward {
		const w = this.weights();
		return new PolicyForward(this.layout, w.data, w.manifest.obsNorm);
	}

	dispose(): void {
		void this.pool?.close();
		this.pool = undefined;
		this.model.dispose();
		this.adam.dispose();
	}
}

export { tf };
