/**
 * SacTrainer: SAC's whole training state — networks and optimisers (nets.ts), the replay buffer,
 * the observation normaliser, the RNG and the counters — and the two things a learner does with
 * it: `add` transitions, and take gradient steps while the update-to-data ratio says some are
 * owed. Every `broadcastEvery` steps the actor becomes a new policy version. Node only (tfjs).
 *
 * The training guard: a step with a non-finite figure, or a policy with a non-finite parameter,
 * puts everything back to the last published policy (the state then is kept, one copy), so
 * non-finite weights are never handed out, saved or called best.
 */
import type { WeightsUpdate } from '../protocol/index.ts';
import type { TrainerCounters } from '../ppo/trainer.ts';
import { ObsNormalizer } from '../ppo/normalizer.ts';
import { Rng } from '../ppo/random.ts';
import { policyFromWeights, type ActorPolicy } from '../policy/index.ts';
import type { Rollout } from '../transitions/index.ts';
import { resolveSacConfig, SAC_LIVE, targetEntropyOf, type SacConfig, type SacLive } from './config.ts';
import { actionScaleBias, criticLayout, initActorParams, initCriticParams, sacActorLayout, type CriticLayout, type SacActorLayout } from './layout.ts';
import { FastSac } from './fast-step.ts';
import { SacNets, type SacNetsState, type SacStepper } from './nets.ts';
import { ReplayBuffer, type ReplaySample } from './replay-buffer.ts';
import type { SacBatch, SacStepMetrics } from './update.ts';
import { sacWeightsMessage } from './weights.ts';

/** `updates`: gradient steps taken; `samples`: env steps added to the replay buffer. */
export type SacCounters = TrainerCounters;

/** The last published policy: what the guard rolls back to, and what actors are handed. */
interface GoodState {
	nets: SacNetsState;
	counters: SacCounters;
	weights: WeightsUpdate;
}

export class SacTrainer {
	/** Live edits (policyLr, qLr, utd) apply from the next step. */
	config: SacConfig;
	readonly actorLayout: SacActorLayout;
	readonly criticLayout: CriticLayout;
	/** The networks and their step: FastSac, or the autodiff reference it is tested equal to. */
	readonly nets: SacStepper;
	readonly replay: ReplayBuffer;
	readonly rng: Rng;
	readonly obsNorm: ObsNormalizer;
	counters: SacCounters = { updates: 0, samples: 0, policyVersion: 1 };
	/** Gradient steps since the current policy version was published. */
	sincePublish = 0;
	private readonly targetEntropy: number;
	private readonly sample: ReplaySample;
	private readonly batch: SacBatch;
	private good!: GoodState;

	/** `replay`: a restored buffer (checkpoint) instead of an empty one; `step`: which implementation takes the gradient steps. */
	constructor(
		obsDim: number,
		actionDim: number,
		actionLow: ArrayLike<number>,
		actionHigh: ArrayLike<number>,
		config: Partial<SacConfig> = {},
		replay?: ReplayBuffer,
		step: 'fast' | 'reference' = 'fast'
	) {
		this.config = resolveSacConfig(config);
		const c = this.config;
		this.actorLayout = sacActorLayout(obsDim, actionDim, c.hiddenSizes);
		this.criticLayout = criticLayout(obsDim, actionDim, c.hiddenSizes);
		this.rng = new Rng(c.seed);
		const actor = initActorParams(this.actorLayout, this.rng, actionLow, actionHigh);
		if (c.initActionMean.length) this.setMeanBias(actor, c.initActionMean, actionLow, actionHigh);
		const Nets = step === 'fast' ? FastSac : SacNets;
		this.nets = new Nets(this.actorLayout, this.criticLayout, actor, initCriticParams(this.criticLayout, this.rng), Math.log(c.alpha));
		this.replay = replay ?? new ReplayBuffer({ obsDim, actionDim, capacity: c.bufferSize, nStep: c.nStep, gamma: c.gamma });
		if (this.replay.obsDim !== obsDim || this.replay.actionDim !== actionDim) throw new Error('the replay buffer does not match the trainer');
		this.obsNorm = new ObsNormalizer(obsDim, c.obsClip);
		this.targetEntropy = targetEntropyOf(c, actionDim);
		const n = c.batchSize;
		this.sample = this.replay.allocSample(n);
		const block = n * actionDim;
		this.batch = {
			n,
			obs: new Float32Array(n * obsDim),
			action: this.sample.action,
			reward: this.sample.reward,
			nextObs: new Float32Array(n * obsDim),
			discount: this.sample.discount,
			epsNext: new Float32Array(block),
			epsActor: new Float32Array(2 * c.policyFrequency * block)
		};
		this.good = this.published(this.nets.read());
	}

	private published(nets: SacNetsState): GoodState {
		const { policyVersion } = this.counters;
		const weights = sacWeightsMessage(this.actorLayout, nets.actor, policyVersion, this.config.normObs ? this.obsNorm.toStats() : undefined);
		return { nets, counters: { ...this.counters }, weights };
	}

	/** The mean head's bias such that the untrained policy's deterministic action is `mean`. */
	private setMeanBias(actor: Float32Array, mean: readonly number[], low: ArrayLike<number>, high: ArrayLike<number>): void {
		const { actionDim } = this.actorLayout;
		if (mean.length !== actionDim) throw new RangeError(`initActionMean has ${mean.length} values; the action has ${actionDim}`);
		const { scale, bias } = actionScaleBias(low, high);
		const entry = this.actorLayout.entries.find((e) => e.name === 'pi/mean/b')!;
		for (let i = 0; i < actionDim; i++) {
			const y = (mean[i] - bias[i]) / scale[i];
			if (!(Math.abs(y) < 1)) throw new RangeError(`initActionMean[${i}] = ${mean[i]} must lie strictly inside [${low[i]}, ${high[i]}]`);
			actor[entry.offset + i] = Math.atanh(y);
		}
	}

	/** Live edits of the settings in SAC_LIVE (validated like the rest of the config). */
	setHyperparams(changes: Partial<Pick<SacConfig, SacLive>>): void {
		for (const key of Object.keys(changes)) {
			if (!(SAC_LIVE as readonly string[]).includes(key)) throw new RangeError(`${key} cannot be edited live in a SAC run (only ${SAC_LIVE.join(', ')})`);
		}
		this.config = resolveSacConfig({ ...this.config, ...changes });
	}

	/** Adds a rollout's transitions to the replay buffer (and their observations to the normaliser's statistics). */
	add(rollout: Rollout): number {
		if (rollout.obsDim !== this.actorLayout.obsDim || rollout.actionDim !== this.actorLayout.actionDim) {
			throw new Error(`rollout dims ${rollout.obsDim}/${rollout.actionDim} differ from the trainer's ${this.actorLayout.obsDim}/${this.actorLayout.actionDim}`);
		}
		if (this.config.normObs) this.obsNorm.stats.update(rollout.obs.subarray(0, rollout.n * rollout.obsDim), rollout.n);
		const added = this.replay.add(rollout);
		this.counters = { ...this.counters, samples: this.counters.samples + added };
		return added;
	}

	/** Enough transitions for the first step (samples are drawn with replacement, so fewer than a batch will do). */
	get learning(): boolean {
		return this.replay.size >= Math.max(1, this.config.learningStarts);
	}

	/** Gradient steps the update-to-data ratio asks for now. */
	owed(): number {
		if (!this.learning) return 0;
		const due = Math.floor(this.config.utd * Math.max(0, this.counters.samples - this.config.learningStarts));
		return Math.max(0, due - this.counters.updates);
	}

	/** Achieved gradient steps per env step since learning started. */
	achievedUtd(): number {
		const data = this.counters.samples - this.config.learningStarts;
		return data > 0 ? this.counters.updates / data : 0;
	}

	/** One gradient step; returns its metrics, or the reason the guard rolled the trainer back to the last policy. */
	step(): { metrics: SacStepMetrics } | { rejected: string } {
		const c = this.config;
		const { obsDim, actionDim } = this.actorLayout;
		const n = c.batchSize;
		this.replay.sample(n, this.rng, this.sample);
		if (c.normObs) {
			this.obsNorm.normalize(this.sample.obs, n, this.batch.obs);
			this.obsNorm.normalize(this.sample.nextObs, n, this.batch.nextObs);
		} else {
			this.batch.obs.set(this.sample.obs.subarray(0, n * obsDim));
			this.batch.nextObs.set(this.sample.nextObs.subarray(0, n * obsDim));
		}
		const step = this.counters.updates + 1;
		const actorSteps = step % c.policyFrequency === 0 ? c.policyFrequency : 0;
		this.fillNormal(this.batch.epsNext, n * actionDim);
		this.fillNormal(this.batch.epsActor, 2 * actorSteps * n * actionDim);
		let metrics: SacStepMetrics;
		try {
			metrics = this.nets.step(this.batch, {
				actorSteps,
				updateTargets: step % c.targetNetworkFrequency === 0,
				autotune: c.autotune,
				targetEntropy: this.targetEntropy,
				tau: c.tau,
				policyLr: c.policyLr,
				qLr: c.qLr,
				adamEps: c.adamEps
			});
		} catch (error) {
			return this.rollBack((error as Error)?.message ?? String(error));
		}
		const nonFinite = Object.entries(metrics).find(([key, value]) => !Number.isFinite(value) && !absent(key, value, actorSteps, c.autotune));
		if (nonFinite) return this.rollBack(`${nonFinite[0]} is ${nonFinite[1]}`);
		this.counters = { ...this.counters, updates: step };
		this.sincePublish++;
		return { metrics };
	}

	private fillNormal(out: Float32Array, count: number): void {
		for (let i = 0; i < count; i++) out[i] = this.rng.normal();
	}

	/**
	 * A new policy version is due: broadcastEvery gradient steps since the last — or, when no step
	 * is owed (before learning starts, or right at it), the env steps behind as many at the UTD
	 * ratio: the actor is re-issued under a new number, so actors paced per version keep stepping
	 * and bring the data the next steps need (no deadlock at learningStarts).
	 */
	get publishDue(): boolean {
		if (this.sincePublish >= this.config.broadcastEvery) return true;
		return this.owed() === 0 && this.counters.samples - this.good.counters.samples >= this.config.broadcastEvery / this.config.utd;
	}

	/**
	 * Makes the current actor the next policy version, unless a parameter is non-finite (then the
	 * trainer goes back to the last good one and says why).
	 */
	publish(): { ok: true } | { rejected: string } {
		const state = this.nets.read();
		const checked = {
			actor: state.actor,
			critic: state.critic,
			target: state.target,
			'actor Adam': state.actorAdam,
			'critic Adam': state.criticAdam,
			'α Adam': state.alphaAdam
		};
		for (const [name, values] of Object.entries(checked)) {
			for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return this.rollBack(`${name} parameter ${i} is ${values[i]}`);
		}
		if (!Number.isFinite(state.logAlpha)) return this.rollBack(`log α is ${state.logAlpha}`);
		this.counters = { ...this.counters, policyVersion: this.counters.policyVersion + 1 };
		this.sincePublish = 0;
		this.good = this.published(state);
		return { ok: true };
	}

	private rollBack(reason: string): { rejected: string } {
		this.nets.write(this.good.nets);
		this.counters = { ...this.good.counters, samples: this.counters.samples };
		this.sincePublish = 0;
		return { rejected: reason };
	}

	/** Renumbers the current policy (weights unchanged); the guard's copy follows. */
	relabel(policyVersion: number): void {
		this.counters = { ...this.counters, policyVersion };
		this.good = {
			...this.good,
			counters: { ...this.good.counters, policyVersion },
			weights: { ...this.good.weights, manifest: { ...this.good.weights.manifest, policyVersion } }
		};
	}

	/** Puts saved networks and counters back (a checkpoint), and takes them as the last good state. */
	restore(nets: SacNetsState, counters: SacCounters): void {
		this.nets.write(nets);
		this.counters = { ...counters };
		this.sincePublish = 0;
		this.good = this.published(nets);
	}

	/**
	 * The current policy version as a WEIGHTS_UPDATE: the actor and normaliser statistics as they
	 * were published (never an actor halfway to the next version).
	 */
	weights(): WeightsUpdate {
		return this.good.weights;
	}

	/** The current policy as actors run it (pure TypeScript). */
	policy(): ActorPolicy {
		return policyFromWeights(this.weights());
	}

	dispose(): void {
		this.nets.dispose();
	}
}

/** Actor figures are NaN on steps without an actor update, α's loss without autotune: not a failure. */
function absent(key: string, value: number, actorSteps: number, autotune: boolean): boolean {
	if (!Number.isNaN(value)) return false;
	if (key === 'losses/alpha_loss') return actorSteps === 0 || !autotune;
	return actorSteps === 0 && (key === 'losses/actor_loss' || key === 'losses/entropy');
}
