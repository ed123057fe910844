/**
 * The training loop on the main thread: waits for `nSteps` fresh samples, hands them to the
 * trainer worker, and reports each new policy. It never trains itself (architecture rule 3).
 */
import type { LearnerStatus, TrainingState, VectorSpec } from '../../protocol/index.ts';
import { resolvePpoConfig, type PpoConfig } from '../../ppo/config.ts';
import type { TrainerUpdateResult } from '../../ppo/trainer.ts';
import { TrainerHost } from '../trainer/host.ts';
import type { Clock } from './clock.ts';
import type { TrainerSnapshot } from '../trainer/messages.ts';
import type { HeldBatch } from './checkpoint-extras.ts';
import type { TransitionLedger } from './ledger.ts';
import { RolloutStore } from './rollout-store.ts';

export interface TrainingEvents {
	ready(snapshot: TrainerSnapshot): void;
	updated(result: TrainerUpdateResult, snapshot: TrainerSnapshot): void;
	/** The training guard rolled an update back; `steps` of the rollout were dropped as rejected. */
	rejected(reason: string, steps: number): void;
	failed(error: Error): void;
}

type Phase = Exclude<TrainingState, 'paused'>;

export class TrainingLoop {
	private phase: Phase = 'idle';
	/** Paused: an update in flight finishes, no new one starts. */
	paused = false;
	snapshot: TrainerSnapshot | undefined;
	store: RolloutStore | undefined;
	lastUpdateAt: number | null = null;
	obsSpec: VectorSpec | undefined;
	actionSpec: VectorSpec | undefined;
	private host: TrainerHost | undefined;
	/** Settles when the trainer started by start()/restore() is ready (or failed). */
	started: Promise<void> = Promise.resolve();

	constructor(
		private readonly backends: string[] | undefined,
		private readonly events: TrainingEvents,
		private readonly clock: Clock,
		private readonly ledger: TransitionLedger
	) {}

	get state(): TrainingState {
		return this.paused && this.phase === 'waiting' ? 'paused' : this.phase;
	}

	get policyVersion(): number {
		return this.snapshot?.counters.policyVersion ?? 0;
	}

	/**
	 * Starts a fresh trainer for the first actor's specs, with the PPO settings made for them. The
	 * store takes batches at once: what arrives while the trainer starts waits for it.
	 */
	async start(obsSpec: VectorSpec, actionSpec: VectorSpec, ppo: Partial<PpoConfig>): Promise<void> {
		this.obsSpec = obsSpec;
		this.actionSpec = actionSpec;
		this.phase = 'starting';
		const config = resolvePpoConfig(ppo);
		this.store = new RolloutStore(obsSpec.dim, actionSpec.dim, 2 * config.nSteps, config.maxPolicyLag, this.ledger);
		this.host = new TrainerHost();
		this.started = this.ready(this.host.init(obsSpec.dim, actionSpec.dim, ppo, this.backends));
		await this.started;
	}

	/**
	 * Restores a trainer from a checkpoint. `restoreRun` reads what the checkpoint holds beside the
	 * trainer (specs, books, seqs — from the meta the worker parsed) and returns the held batches,
	 * before anyone is told the trainer is ready.
	 */
	async restore(
		checkpoint: Uint8Array,
		restoreRun: (meta: Record<string, unknown>) => { specs: [VectorSpec?, VectorSpec?]; held: HeldBatch[] }
	): Promise<void> {
		this.phase = 'starting';
		this.host = new TrainerHost();
		let held: HeldBatch[] = [];
		this.started = this.ready(
			this.host.resume(checkpoint, this.backends).then((snapshot) => {
				const run = restoreRun(snapshot.meta ?? {});
				[this.obsSpec, this.actionSpec] = run.specs;
				held = run.held;
				return snapshot;
			}),
			() => held
		);
		await this.started;
	}

	private async ready(starting: Promise<TrainerSnapshot>, held?: () => HeldBatch[]): Promise<void> {
		try {
			const snapshot = await starting;
			this.snapshot = snapshot;
			const { nSteps, maxPolicyLag } = snapshot.config;
			if (this.store) [this.store.capacity, this.store.maxPolicyLag] = [2 * nSteps, maxPolicyLag];
			else this.store = new RolloutStore(snapshot.obsDim, snapshot.actionDim, 2 * nSteps, maxPolicyLag, this.ledger);
			if (held) this.store.restoreHeld(held());
			this.phase = 'waiting';
			this.report(() => this.events.ready(snapshot));
			this.maybeUpdate();
		} catch (error) {
			this.phase = 'idle';
			this.events.failed(error as Error);
		}
	}

	/** Runs an update when enough fresh samples wait and nothing else is going on. */
	maybeUpdate(): void {
		const store = this.store;
		if (this.phase !== 'waiting' || this.paused || !store || !this.host || !this.snapshot) return;
		if (store.fresh(this.policyVersion) < this.snapshot.config.nSteps) return;
		this.phase = 'updating';
		const rollout = store.take(this.policyVersion);
		const perActor = new Map<string, number>();
		for (const s of rollout.segments) perActor.set(s.stream, (perActor.get(s.stream) ?? 0) + s.length);
		this.host.update(rollout).then(
			(outcome) => {
				if ('rejected' in outcome) {
					this.ledger.reject(perActor);
					this.phase = 'waiting';
					this.report(() => this.events.rejected(outcome.rejected, rollout.n));
					return this.maybeUpdate();
				}
				const { result, snapshot } = outcome;
				this.snapshot = snapshot;
				this.lastUpdateAt = this.clock.now();
				this.phase = 'waiting';
				this.report(() => this.events.updated(result, snapshot));
				this.maybeUpdate();
			},
			(error: Error) => {
				this.phase = 'waiting';
				this.report(() => this.events.failed(error));
			}
		);
	}

	/** A listener that throws must not leave an update's promise rejected with nobody to hear it. */
	private report(notify: () => void): void {
		try {
			notify();
		} catch (error) {
			this.events.failed(error as Error);
		}
	}

	/** The rollout store as the console shows it: fresh vs needed, drops by reason, the lag histogram. */
	bufferStatus(): LearnerStatus['buffer'] {
		const store = this.store;
		const { stale, overflow } = this.ledger.totals();
		const version = this.policyVersion;
		return {
			fresh: store?.fresh(version) ?? 0,
			needed: this.snapshot?.config.nSteps ?? 0,
			droppedStale: stale,
			droppedOverflow: overflow,
			lag: store?.lagHistogram(version) ?? {}
		};
	}

	pause(): void {
		this.paused = true;
	}

	resume(): void {
		this.paused = false;
		this.maybeUpdate();
	}

	/** Saves the trainer with `meta` and extra `files` (paths in the checkpoint's zip). */
	async save(meta: Record<string, unknown>, files: Record<string, Uint8Array> = {}): ReturnType<TrainerHost['save']> {
		if (!this.host) throw new Error('no trainer yet: nothing to save');
		return this.host.save(meta, files);
	}

	/** Renumbers the current policy (before any actor sees it: a resume does this while restoring). */
	async relabel(policyVersion: number): Promise<void> {
		if (!this.host || !this.snapshot) throw new Error('no trainer yet');
		this.snapshot = await this.host.relabel(policyVersion);
	}

	async setHyperparams(changes: Partial<Pick<PpoConfig, 'learningRate' | 'entCoef'>>): Promise<PpoConfig> {
		if (!this.host || !this.snapshot) throw new Error('no trainer yet');
		const config = await this.host.setHyperparams(changes);
		this.snapshot = { ...this.snapshot, config };
		return config;
	}

	async close(): Promise<void> {
		await this.host?.close();
	}
}
