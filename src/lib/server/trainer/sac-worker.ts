/**
 * SAC inside the trainer worker: transitions come in (`feed`), and between messages the worker
 * takes the gradient steps the update-to-data ratio owes, in slices of at most SLICE_MS so that
 * requests (feeds, saves, edits) are answered within one slice. Every `broadcastEvery` steps the
 * actor becomes a new policy version and the main thread hears of it unasked (WorkerNews).
 */
import { loadSacCheckpoint, saveSacCheckpoint } from '../../sac/checkpoint.ts';
import { SAC_LIVE, type SacLive } from '../../sac/config.ts';
import { MetricMeans } from '../../sac/metric-means.ts';
import type { SacTrainer } from '../../sac/trainer.ts';
import type { Rollout } from '../../transitions/index.ts';
import type { TrainerCompute, TrainerResult, TrainerSnapshot, WorkerNews } from './messages.ts';

/** The longest run of gradient steps between two looks at the message queue. */
export const SLICE_MS = 20;

export class SacWorker {
	/** Paused from the console: no gradient steps (feeds still fill the buffer). */
	running = true;
	private scheduled = false;
	private readonly means = new MetricMeans();
	private stretchStartedAt = performance.now();
	private stretchSteps = 0;
	private gradStepsPerSec = 0;
	/** Milliseconds spent in gradient steps. */
	private busyMs = 0;
	private threadsAsked = 1;

	constructor(
		readonly trainer: SacTrainer,
		private readonly backend: string,
		private readonly post: (news: WorkerNews) => void,
		private readonly meta?: Record<string, unknown>,
		/** Replay bytes a checkpoint may hold (0 = none). */
		private readonly replayBytes = 0
	) {}

	static resume(checkpoint: Uint8Array | Record<string, Uint8Array>, backend: string, post: (news: WorkerNews) => void, replayBytes = 0): SacWorker {
		const loaded = loadSacCheckpoint(checkpoint);
		return new SacWorker(loaded.trainer, backend, post, loaded.meta, replayBytes);
	}

	snapshot(): TrainerSnapshot {
		const t = this.trainer;
		const c = t.config;
		const stats = t.replay.stats();
		return {
			algo: 'sac',
			backend: this.backend,
			config: c,
			counters: { ...t.counters },
			weights: t.weights(),
			obsDim: t.actorLayout.obsDim,
			actionDim: t.actorLayout.actionDim,
			maxPolicyLag: null,
			updateSamples: 0,
			hyperparams: Object.fromEntries(SAC_LIVE.map((key) => [key, c[key]])),
			replay: {
				size: stats.size,
				capacity: stats.capacity,
				inserted: stats.inserted,
				overwritten: stats.overwritten,
				oldestAge: stats.oldestAge,
				perActor: stats.perActor,
				utdTarget: c.utd,
				utdAchieved: t.achievedUtd(),
				owed: t.owed(),
				learningStarts: c.learningStarts,
				gradStepsPerSec: this.gradStepsPerSec
			},
			compute: this.compute(),
			meta: this.meta
		};
	}

	/** SAC's gradient steps run on this thread alone; a larger count is recorded with the reason. */
	useThreads(threads: number): void {
		this.threadsAsked = threads;
	}

	private compute(): TrainerCompute {
		const reason = this.threadsAsked > 1 ? 'SAC trains on one thread (its data-parallel update is not built yet)' : undefined;
		return { threads: 1, threadsAsked: this.threadsAsked, ...(reason ? { reason } : {}), busyMs: this.busyMs };
	}

	feed(rollout: Rollout): number {
		const added = this.trainer.add(rollout);
		if (this.trainer.publishDue) this.publish();
		this.schedule();
		return added;
	}

	pace(running: boolean): void {
		this.running = running;
		this.schedule();
	}

	setHyperparams(changes: Record<string, number>): void {
		this.trainer.setHyperparams(changes as Partial<Record<SacLive, number>>);
		this.schedule();
	}

	relabel(policyVersion: number): void {
		this.trainer.relabel(policyVersion);
	}

	save(meta: Record<string, unknown>, files: Record<string, Uint8Array>): Promise<Uint8Array> {
		return saveSacCheckpoint(this.trainer, meta, files, { replayBytes: this.replayBytes });
	}

	private schedule(): void {
		if (this.scheduled || !this.running || this.trainer.owed() === 0) return;
		this.scheduled = true;
		setImmediate(() => {
			this.scheduled = false;
			this.slice();
			this.schedule();
		});
	}

	/** Gradient steps for up to SLICE_MS; a new policy is announced as soon as one is due. */
	private slice(): void {
		const t = this.trainer;
		const started = performance.now();
		const until = started + SLICE_MS;
		while (this.running && t.owed() > 0 && performance.now() < until) {
			const outcome = t.step();
			if ('rejected' in outcome) {
				this.means.clear();
				this.post({ id: 0, ok: true, kind: 'rejected', reason: outcome.rejected, steps: 0 });
				continue;
			}
			this.stretchSteps++;
			this.means.add(outcome.metrics);
			if (t.publishDue) this.publish();
		}
		if (t.owed() === 0 && t.publishDue) this.publish();
		this.busyMs += performance.now() - started;
	}

	private publish(): void {
		const t = this.trainer;
		const published = t.publish();
		if ('rejected' in published) {
			this.means.clear();
			this.post({ id: 0, ok: true, kind: 'rejected', reason: published.rejected, steps: 0 });
			return;
		}
		const now = performance.now();
		const updateMs = now - this.stretchStartedAt;
		this.gradStepsPerSec = (this.stretchSteps * 1000) / Math.max(updateMs, 1e-3);
		const result: TrainerResult = {
			...this.means.take(),
			'charts/grad_steps_per_sec': this.gradStepsPerSec,
			'charts/utd_achieved': t.achievedUtd(),
			'charts/utd_target': t.config.utd,
			'replay/size': t.replay.size,
			policyVersion: t.counters.policyVersion,
			samples: t.counters.samples,
			updateMs
		};
		this.stretchStartedAt = now;
		this.stretchSteps = 0;
		this.post({ id: 0, ok: true, kind: 'updated', result, snapshot: this.snapshot() });
	}
}
