/**
 * The training loop on the main thread. It never trains itself (architecture rule 3):
 *   PPO  waits for `nSteps` fresh samples, hands them to the trainer worker, reports the policy;
 *   SAC  feeds every stored batch to the worker's replay buffer as it comes; the worker trains
 *        continuously and reports each new policy unasked.
 */
import type { LearnerStatus, TrainingState, VectorSpec } from '../../protocol/index.ts';
import { TrainerHost } from '../trainer/host.ts';
import type { Clock } from './clock.ts';
import type { TrainerChoice, TrainerResult, TrainerSnapshot, WorkerNews, WorkerOptions } from '../trainer/messages.ts';
import type { HeldBatch } from './checkpoint-extras.ts';
import type { TransitionLedger } from './ledger.ts';
import { RolloutStore } from './rollout-store.ts';

export interface TrainingEvents {
	ready(snapshot: TrainerSnapshot): void;
	updated(result: TrainerResult, snapshot: TrainerSnapshot): void;
	/** The training guard rolled an update back; `steps` of the rollout were dropped as rejected. */
	rejected(reason: string, steps: number): void;
	failed(error: Error): void;
}

type Phase = Exclude<TrainingState, 'paused'>;

/** SAC's staging store: what waits while a feed is in flight (beyond it, the oldest go, counted). */
const SAC_STAGING_STEPS = 100_000;
/** The store's lag bound when nothing is ever stale (off-policy). */
const NEVER_STALE = Number.MAX_SAFE_INTEGER;

/** How the store is sized for a trainer. */
function storeShape(snapshot: Pick<TrainerSnapshot, 'updateSamples' | 'maxPolicyLag'>): [capacity: number, maxPolicyLag: number] {
	return [snapshot.updateSamples > 0 ? 2 * snapshot.updateSamples : SAC_STAGING_STEPS, snapshot.maxPolicyLag ?? NEVER_STALE];
}

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
	/** SAC: a feed is in flight. */
	private feeding = false;
	/** Settles when the trainer started by start()/restore() is ready (or failed). */
	started: Promise<void> = Promise.resolve();

	constructor(
		private readonly backends: string[] | undefined,
		private readonly options: WorkerOptions,
		private readonly events: TrainingEvents,
		private readonly clock: Clock,
		private readonly ledger: TransitionLedger
	) {}

	get state(): TrainingState {
		if (this.paused && this.phase === 'waiting') return 'paused';
		// SAC is updating whenever its worker owes gradient steps.
		if (this.phase === 'waiting' && (this.snapshot?.replay?.owed ?? 0) > 0) return 'updating';
		return this.phase;
	}

	get policyVersion(): number {
		return this.snapshot?.counters.policyVersion ?? 0;
	}

	/**
	 * Starts a fresh trainer for the first actor's specs, with the settings made for them. The
	 * store takes batches at once: what arrives while the trainer starts waits for it.
	 */
	async start(
		obsSpec: VectorSpec,
		actionSpec: VectorSpec,
		trainer: TrainerChoice,
		expected: Pick<TrainerSnapshot, 'updateSamples' | 'maxPolicyLag'>
	): Promise<void> {
		this.obsSpec = obsSpec;
		this.actionSpec = actionSpec;
		this.phase = 'starting';
		this.store = new RolloutStore(obsSpec.dim, actionSpec.dim, ...storeShape(expected), this.ledger);
		this.host = this.newHost();
		const spec = { obsDim: obsSpec.dim, actionDim: actionSpec.dim, actionLow: [...actionSpec.low], actionHigh: [...actionSpec.high] };
		this.started = this.ready(this.host.init(spec, trainer, this.options, this.backends));
		await this.started;
	}

	private newHost(): TrainerHost {
		return new TrainerHost((news) => this.heard(news));
	}

	/** A new policy (or a rollback) from a continuously training worker. */
	private heard(news: WorkerNews): void {
		if (news.kind === 'rejected') return this.report(() => this.events.rejected(news.reason, 0));
		this.snapshot = news.snapshot;
		this.lastUpdateAt = this.clock.now();
		this.report(() => this.events.updated(news.result, news.snapshot));
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
		this.host = this.newHost();
		let held: HeldBatch[] = [];
		this.started = this.ready(
			this.host.resume(checkpoint, this.options, this.backends).then((snapshot) => {
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
			if (this.store) [this.store.capacity, this.store.maxPolicyLag] = storeShape(snapshot);
			else this.store = new RolloutStore(snapshot.obsDim, snapshot.actionDim, ...storeShape(snapshot), this.ledger);
			if (held) this.store.restoreHeld(held());
			this.phase = 'waiting';
			this.report(() => this.events.ready(snapshot));
			this.maybeUpdate();
		} catch (error) {
			this.phase = 'idle';
			this.events.failed(error as Error);
		}
	}

	/** PPO: runs an update when enough fresh samples wait and nothing else is going on. SAC: feeds what waits. */
	maybeUpdate(): void {
		const store = this.store;
		if (this.snapshot?.algo === 'sac') return this.maybeFeed();
		if (this.phase !== 'waiting' || this.paused || !store || !this.host || !this.snapshot) return;
		if (store.fresh(this.policyVersion) < this.snapshot.updateSamples) return;
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

	/** SAC: one feed in flight at a time; what arrives meanwhile waits in the store and goes next. */
	private maybeFeed(): void {
		const store = this.store;
		if (this.feeding || this.phase === 'starting' || this.phase === 'idle' || !store || !this.host || store.heldSteps === 0) return;
		this.feeding = true;
		const rollout = store.take(this.policyVersion);
		this.host.feed(rollout).then(
			({ snapshot }) => {
				this.feeding = false;
				// Replies and news come in order: this is the newest state, and the newest weights came with their news.
				if (this.snapshot) this.snapshot = { ...snapshot, weights: this.snapshot.weights };
				this.maybeFeed();
			},
			(error: Error) => {
				this.feeding = false;
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
			needed: this.snapshot?.updateSamples ?? 0,
			droppedStale: stale,
			droppedOverflow: overflow,
			lag: store?.lagHistogram(version) ?? {}
		};
	}

	pause(): void {
		this.paused = true;
		if (this.snapshot?.algo === 'sac') void this.host?.pace(false).catch((error: Error) => this.events.failed(error));
	}

	resume(): void {
		this.paused = false;
		if (this.snapshot?.algo === 'sac') void this.host?.pace(true).catch((error: Error) => this.events.failed(error));
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

	/** Live edits of the algorithm's editable settings; returns their values after the edit. */
	async setHyperparams(changes: Record<string, number>): Promise<Record<string, number>> {
		if (!this.host || !this.snapshot) throw new Error('no trainer yet');
		const edited = await this.host.setHyperparams(changes);
		this.snapshot = edited; // replies and news come in order: this is the newest state
		return edited.hyperparams;
	}

	async close(): Promise<void> {
		await this.host?.close();
	}
}
