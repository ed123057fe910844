/**
 * The run recorder: the run directory's writer. Metrics (metrics.jsonl, TensorBoard, the console's
 * curves), config.json, and checkpoints — periodic (every N updates and every T seconds), on
 * demand and at shutdown — with the best one tracked by recent return. A checkpoint holds beside
 * the trainer what the run needs to continue exactly (checkpoint-extras.ts): seqs, transition
 * books and held steps, taken at one instant; once it is saved, those seqs are durable.
 *
 * Steps: every point is logged at the run's env steps (as CleanRL logs at its global step), each
 * later than the one before, so TensorBoard keeps every point. A resume cuts what the crashed run
 * logged after its checkpoint (metrics.jsonl truncated, a TensorBoard purge from the next step),
 * so no curve goes backwards.
 *
 * Failure policy: a failed write (disk full, permissions) becomes a `run-error` alert and a log
 * line; it never takes the learner down. Only an explicit checkpoint request sees the error.
 */
import type { EpisodeSummary, Limits, MetricPoint } from '../../protocol/index.ts';
import type { Log } from '../log.ts';
import { LATEST, RunDir } from '../run/run-dir.ts';
import type { TrainerResult, TrainerSnapshot } from '../trainer/messages.ts';
import type { ActorEntry } from './actors.ts';
import type { Alerts } from './alerts.ts';
import { encodeHeld, HELD_FILE, heldInCheckpoint, metaInCheckpoint, specFromJson, specToJson, type SavedMeta } from './checkpoint-extras.ts';
import type { Clock } from './clock.ts';
import type { TransitionIntake } from './intake.ts';
import type { TransitionLedger } from './ledger.ts';
import { MetricsLog } from './metrics.ts';
import type { TrainingLoop } from './training.ts';

export interface RecorderOptions {
	runsDir: string;
	runId: string;
	checkpointEveryUpdates: number;
	checkpointEverySec: number;
	keepCheckpoints: number;
	maxMetricsMb: number;
}

/** The run's books the recorder saves and restores with each checkpoint. */
export interface RunBooks {
	intake: TransitionIntake;
	ledger: TransitionLedger;
	limits: Partial<Limits>;
	/** At the instant a checkpoint takes its seqs; `saved` runs once it is saved (its seqs are durable), `failed` if it could not be. */
	checkpointing(): { saved(): Promise<void>; failed(): void };
}

export class RunRecorder {
	readonly run: RunDir;
	readonly metrics: MetricsLog;
	/** True when the run directory had a checkpoint to resume from. */
	readonly resuming: boolean;
	private bestReturn: number | null = null;
	private lastCheckpointAt: number;
	private saving: Promise<unknown> = Promise.resolve();
	/** The last point's step: each point gets a later one. */
	private lastStep = -1;
	/** The highest policy version marked in the run directory, by this process or an earlier one. */
	private markedVersion: number;
	/** The previous process's policy-version mark (undefined: runs from before the mark). */
	private readonly crashedMark: number | undefined;
	/** The latest checkpoint's bytes (read when resuming) until the trainer is restored from them. */
	private latest: Uint8Array | undefined;

	constructor(
		private readonly o: RecorderOptions,
		private readonly training: TrainingLoop,
		private readonly books: RunBooks,
		private readonly clock: Clock,
		private readonly log: Log,
		private readonly alerts: Alerts
	) {
		this.resuming = RunDir.hasCheckpoint(o.runsDir, o.runId);
		this.run = new RunDir(o.runsDir, o.runId, o.maxMetricsMb * 2 ** 20);
		// Read before anything is handed out: the mark only ever rises, across processes too.
		this.crashedMark = this.run.policyVersionMark();
		this.markedVersion = this.crashedMark ?? 0;
		if (this.resuming) this.cutAfterCheckpoint();
		this.metrics = new MetricsLog(this.run);
		this.lastCheckpointAt = clock.now();
		for (const p of this.metrics.points) this.lastStep = Math.max(this.lastStep, p.step);
	}

	/** Before anything is logged: what the crashed run wrote after its checkpoint goes. */
	private cutAfterCheckpoint(): void {
		this.latest = this.run.read(LATEST)!;
		const { metricsStep } = metaInCheckpoint(this.latest);
		if (metricsStep === undefined) return; // saved before 0.2: nothing to cut by
		const removed = this.run.cutMetricsAfter(metricsStep);
		this.run.events.sessionStart(metricsStep + 1, this.clock.now());
		if (removed > 0) this.log.warn({ removed, after: metricsStep }, 'metrics written after the last checkpoint were cut (the run restarts from it)');
	}

	/** The next point's step: the run's env steps, and always later than the last point's. */
	private step(): number {
		return (this.lastStep = Math.max(this.books.intake.envSteps, this.lastStep + 1));
	}

	/** Appends a point; a failed write is an alert, never a crash; so is a full metrics file (once). */
	private record(point: MetricPoint): void {
		try {
			if (!this.metrics.add(point) && this.run.metrics.refused === 1) {
				const mb = Math.round(this.run.metrics.size / 2 ** 20);
				this.failed('metrics write', new Error(`metrics.jsonl reached its cap (${mb} MB, --max-metrics-mb): new points stay in memory only`));
			}
		} catch (error) {
			this.failed('metrics write', error);
		}
	}

	private failed(what: string, error: unknown): void {
		const message = (error as Error)?.message ?? String(error);
		this.log.error({ err: error }, `${what} failed`);
		this.alerts.raise('run-error', `${what} failed: ${message}`);
	}

	event(event: string, detail: Record<string, unknown> = {}): void {
		this.record({ kind: 'event', step: this.step(), time: this.clock.now(), event, detail });
	}

	started(snapshot: TrainerSnapshot, learner: Record<string, unknown>): void {
		const { obsSpec, actionSpec } = this.training;
		try {
			this.run.writeConfig({
				runId: this.o.runId,
				algo: snapshot.algo,
				[snapshot.algo]: snapshot.config,
				obsSpec: obsSpec && specToJson(obsSpec),
				actionSpec: actionSpec && specToJson(actionSpec),
				learner
			});
		} catch (error) {
			this.failed('config.json write', error);
		}
	}

	updated(result: TrainerResult, snapshot: TrainerSnapshot): void {
		const { policyVersion: _v, samples: _s, ...scalars } = result;
		const { counters } = snapshot;
		this.record({
			kind: 'update',
			step: this.step(),
			update: counters.updates,
			samples: counters.samples,
			time: this.clock.now(),
			policyVersion: counters.policyVersion,
			...scalars
		});
		this.log.debug(
			{ update: counters.updates, policyVersion: counters.policyVersion, samples: result.samples, updateMs: Math.round(result.updateMs) },
			'update'
		);
		// SAC counts gradient steps as updates, hundreds per policy: its period is in policy versions.
		const period = snapshot.algo === 'sac' ? counters.policyVersion : counters.updates;
		if (period % this.o.checkpointEveryUpdates === 0) this.checkpointInBackground('periodic');
	}

	episode(entry: ActorEntry, summary: EpisodeSummary): void {
		const { return: ret, length, lapTimesMs, cleanLaps, policyVersion, evalId } = summary;
		this.record({
			kind: 'episode',
			step: this.step(),
			time: this.clock.now(),
			actorId: entry.id,
			return: ret,
			length,
			lapTimesMs,
			cleanLaps,
			policyVersion,
			...(evalId === undefined ? {} : { evalId })
		});
	}

	/** Before actors get `version`: the run's mark of the highest version ever handed out. */
	handingOut(version: number): void {
		if (version <= this.markedVersion) return;
		try {
			this.run.markPolicyVersion(version);
			this.markedVersion = version;
		} catch (error) {
			this.failed('policy-version mark', error);
		}
	}

	/** Time-based checkpoints; called by the runtime's timer. */
	tick(): void {
		if (this.training.snapshot && this.clock.now() - this.lastCheckpointAt > this.o.checkpointEverySec * 1000) this.checkpointInBackground('periodic');
	}

	private checkpointInBackground(reason: string): void {
		this.checkpoint(reason).catch((error: unknown) => this.failed(`${reason} checkpoint`, error));
	}

	/** Saves a checkpoint (latest, numbered, best when the recent return is the best yet); one at a time. */
	checkpoint(reason: string): Promise<string> {
		this.lastCheckpointAt = this.clock.now();
		const saving = this.saving.then(() => this.save(reason));
		this.saving = saving.catch(() => undefined);
		return saving;
	}

	private async save(reason: string): Promise<string> {
		const recent = this.metrics.recentReturn();
		const isBest = Number.isFinite(recent) && (this.bestReturn === null || recent > this.bestReturn);
		const { obsSpec, actionSpec, store } = this.training;
		const { intake, ledger } = this.books;
		// One instant: the seqs, the books and the held steps agree (an update in flight is in the trainer's save).
		const meta: SavedMeta = {
			runId: this.o.runId,
			lastSeq: intake.seqs(),
			envSteps: intake.envSteps,
			metricsStep: this.lastStep,
			ledger: ledger.save(),
			bestReturn: isBest ? recent : this.bestReturn,
			obsSpec: obsSpec && specToJson(obsSpec),
			actionSpec: actionSpec && specToJson(actionSpec)
		};
		const held = encodeHeld(store?.heldBatches() ?? []);
		const saved = this.books.checkpointing();
		let info: ReturnType<RunDir['saveCheckpoint']>;
		let updates: number;
		try {
			const { checkpoint, counters } = await this.training.save(meta, { [HELD_FILE]: held });
			updates = counters.updates; // what the checkpoint holds, even if an update finished meanwhile
			info = this.run.saveCheckpoint(checkpoint, updates, this.o.keepCheckpoints, isBest);
		} catch (error) {
			saved.failed();
			throw error;
		}
		if (isBest) this.bestReturn = recent;
		intake.markDurable(meta.lastSeq);
		await saved.saved();
		this.log.info({ id: info.id, reason, best: isBest, updates, heldBytes: held.length }, 'checkpoint saved');
		this.event('checkpoint', { id: info.id, reason, best: isBest });
		return info.id;
	}

	/** Restores the trainer, the seqs, the books and the held steps from the latest checkpoint. */
	async resume(): Promise<void> {
		const checkpoint = this.latest!;
		this.latest = undefined;
		await this.training.restore(checkpoint, (saved) => {
			const meta = saved as Partial<SavedMeta>;
			this.books.intake.restore(meta.lastSeq ?? {}, meta.envSteps ?? 0); // before 0.2 no envSteps: points continue after the last logged one
			this.books.ledger.restore(meta.ledger);
			this.bestReturn = meta.bestReturn ?? null;
			return {
				specs: [meta.obsSpec && specFromJson(meta.obsSpec), meta.actionSpec && specFromJson(meta.actionSpec)],
				held: heldInCheckpoint(checkpoint, this.books.limits)
			};
		});
		const snapshot = this.training.snapshot;
		if (!snapshot) return; // the trainer failed to restore: that is alerted
		// The crashed process may have handed out later versions than the checkpoint's: their steps
		// will come back (resent) and must be stale, and their numbers must never name another policy.
		const saved = snapshot.counters.policyVersion;
		const handedOut = Math.max(saved, this.crashedMark ?? saved + this.o.checkpointEveryUpdates);
		const version = handedOut > saved ? handedOut + (snapshot.maxPolicyLag ?? 0) + 1 : saved;
		if (version !== saved) await this.training.relabel(version);
		this.handingOut(version);
		this.log.info({ runId: this.o.runId, updates: snapshot.counters.updates, savedVersion: saved, policyVersion: version }, 'run resumed');
		this.event('resumed', { updates: snapshot.counters.updates, policyVersion: version });
	}
}
