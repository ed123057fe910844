/**
 * The run recorder: the run directory's writer. Metrics (metrics.jsonl, TensorBoard, the console's
 * curves), config.json, and checkpoints — periodic (every N updates and every T seconds), on
 * demand and at shutdown — with the best one tracked by recent return. What a checkpoint holds
 * beside the trainer (each actor's last seq, the best return, the run's specs) comes from here.
 *
 * Failure policy: a failed write (disk full, permissions) becomes a `run-error` alert and a log
 * line; it never takes the learner down. Only an explicit checkpoint request sees the error.
 */
import type { EpisodeSummary, MetricPoint, VectorSpec } from '../../protocol/index.ts';
import type { TrainerUpdateResult } from '../../ppo/trainer.ts';
import type { Log } from '../log.ts';
import { LATEST, RunDir } from '../run/run-dir.ts';
import type { TrainerSnapshot } from '../trainer/messages.ts';
import type { ActorEntry } from './actors.ts';
import type { Alerts } from './alerts.ts';
import type { Clock } from './clock.ts';
import { MetricsLog } from './metrics.ts';
import type { TrainingLoop } from './training.ts';

export interface RecorderOptions {
	runsDir: string;
	runId: string;
	checkpointEveryUpdates: number;
	checkpointEverySec: number;
	keepCheckpoints: number;
}

/** What a checkpoint's meta holds beside the trainer. */
export interface SavedMeta extends Record<string, unknown> {
	runId: string;
	lastSeq: Record<string, number>;
	/** Env steps the run had accepted when this was saved (the episodes' step clock). */
	envSteps?: number;
	bestReturn: number | null;
	obsSpec?: SpecJson;
	actionSpec?: SpecJson;
}
// JSON has no ±Infinity (observation bounds often are): bounds travel as strings.
type SpecJson = { dim: number; names: string[]; low: string[]; high: string[] };
export const specToJson = (s: VectorSpec): SpecJson => ({ dim: s.dim, names: s.names, low: [...s.low].map(String), high: [...s.high].map(String) });
export const specFromJson = (s: SpecJson): VectorSpec => ({
	dim: s.dim,
	names: s.names,
	low: Float32Array.from(s.low, Number),
	high: Float32Array.from(s.high, Number)
});

export class RunRecorder {
	readonly run: RunDir;
	readonly metrics: MetricsLog;
	/** True when the run directory had a checkpoint to resume from. */
	readonly resuming: boolean;
	private bestReturn: number | null = null;
	private lastCheckpointAt: number;
	private saving: Promise<unknown> = Promise.resolve();
	/** The last episode's step: each episode gets a later one, so no two share a TensorBoard step. */
	private lastEpisodeStep = -1;

	constructor(
		private readonly o: RecorderOptions,
		private readonly training: TrainingLoop,
		/** Each actor's highest stored seq and the run's env steps, saved with every checkpoint. */
		private readonly intake: { seqs(): Record<string, number>; envSteps: number },
		private readonly clock: Clock,
		private readonly log: Log,
		private readonly alerts: Alerts
	) {
		this.resuming = RunDir.hasCheckpoint(o.runsDir, o.runId);
		this.run = new RunDir(o.runsDir, o.runId);
		this.metrics = new MetricsLog(this.run);
		this.lastCheckpointAt = clock.now();
		for (const p of this.metrics.points) if (p.kind === 'episode') this.lastEpisodeStep = Math.max(this.lastEpisodeStep, p.step);
	}

	private get samples(): number {
		return this.training.snapshot?.counters.samples ?? 0;
	}

	/** Appends a point; a failed write is an alert, never a crash. */
	private record(point: MetricPoint): void {
		try {
			this.metrics.add(point);
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
		this.record({ kind: 'event', step: this.samples, time: this.clock.now(), event, detail });
	}

	started(snapshot: TrainerSnapshot, learner: Record<string, unknown>): void {
		const { obsSpec, actionSpec } = this.training;
		try {
			this.run.writeConfig({
				runId: this.o.runId,
				ppo: snapshot.config,
				obsSpec: obsSpec && specToJson(obsSpec),
				actionSpec: actionSpec && specToJson(actionSpec),
				learner
			});
		} catch (error) {
			this.failed('config.json write', error);
		}
	}

	updated(result: TrainerUpdateResult, snapshot: TrainerSnapshot): void {
		const { policyVersion: _v, samples: _s, ...scalars } = result;
		const { counters } = snapshot;
		this.record({
			kind: 'update',
			step: counters.samples,
			update: counters.updates,
			time: this.clock.now(),
			policyVersion: counters.policyVersion,
			...scalars
		});
		this.log.debug(
			{ update: counters.updates, policyVersion: counters.policyVersion, samples: result.samples, updateMs: Math.round(result.updateMs) },
			'update'
		);
		if (counters.updates % this.o.checkpointEveryUpdates === 0) this.checkpointInBackground('periodic');
	}

	episode(entry: ActorEntry, summary: EpisodeSummary): void {
		const { return: ret, length, lapTimesMs, cleanLaps, policyVersion } = summary;
		// At the run's env steps, as CleanRL logs at its global step; strictly increasing, since
		// TensorBoard keeps one point per step and several episodes can end between two batches.
		const step = (this.lastEpisodeStep = Math.max(this.intake.envSteps, this.lastEpisodeStep + 1));
		this.record({ kind: 'episode', step, time: this.clock.now(), actorId: entry.id, return: ret, length, lapTimesMs, cleanLaps, policyVersion });
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
		const { obsSpec, actionSpec } = this.training;
		const meta: SavedMeta = {
			runId: this.o.runId,
			lastSeq: this.intake.seqs(),
			envSteps: this.intake.envSteps,
			bestReturn: isBest ? recent : this.bestReturn,
			obsSpec: obsSpec && specToJson(obsSpec),
			actionSpec: actionSpec && specToJson(actionSpec)
		};
		const { checkpoint, counters } = await this.training.save(meta);
		const { updates } = counters; // what the checkpoint holds, even if an update finished meanwhile
		const info = this.run.saveCheckpoint(checkpoint, updates, this.o.keepCheckpoints, isBest);
		if (isBest) this.bestReturn = recent;
		this.log.info({ id: info.id, reason, best: isBest, updates }, 'checkpoint saved');
		this.event('checkpoint', { id: info.id, reason, best: isBest });
		return info.id;
	}

	/** Restores the trainer from the latest checkpoint; hands the saved seqs and env steps to `restore`. */
	async resume(restore: (seqs: Record<string, number>, envSteps: number) => void): Promise<void> {
		await this.training.restore(this.run.read(LATEST)!, (saved) => {
			const meta = saved as Partial<SavedMeta>;
			restore(meta.lastSeq ?? {}, meta.envSteps ?? 0); // checkpoints before 0.2 have no envSteps: episodes then continue after the last logged one
			this.bestReturn = meta.bestReturn ?? null;
			return [meta.obsSpec && specFromJson(meta.obsSpec), meta.actionSpec && specFromJson(meta.actionSpec)];
		});
		const updates = this.training.snapshot?.counters.updates ?? 0;
		this.log.info({ runId: this.o.runId, updates }, 'run resumed');
		this.event('resumed', { updates });
	}
}
