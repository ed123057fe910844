/**
 * PPO inside the trainer worker: one update per `update` request, through the training guard.
 */
import { loadCheckpoint, saveCheckpoint } from '../../ppo/checkpoint.ts';
import { guardedUpdate } from '../../ppo/guard.ts';
import { RolloutBuffer } from '../../ppo/rollout-buffer.ts';
import { PpoTrainer } from '../../ppo/trainer.ts';
import type { Rollout } from '../../transitions/index.ts';
import type { TrainerCompute, TrainerResult, TrainerSnapshot, WorkerReply } from './messages.ts';

/** PPO's live-editable settings. */
export const PPO_LIVE = ['learningRate', 'entCoef'] as const;

export class PpoWorker {
	/** Milliseconds spent in updates. */
	private busyMs = 0;
	private threadsAsked = 1;
	/** Why the threads asked for could not be started. */
	private threadsFailed: string | undefined;

	constructor(
		readonly trainer: PpoTrainer,
		private readonly backend: string,
		private readonly meta?: Record<string, unknown>
	) {}

	static resume(checkpoint: Uint8Array | Record<string, Uint8Array>, backend: string): PpoWorker {
		const loaded = loadCheckpoint(checkpoint);
		return new PpoWorker(loaded.trainer, backend, loaded.meta);
	}

	/** Splits each minibatch's gradient over `threads` threads; if they cannot start, updates stay on this one and the reason is kept. */
	async useThreads(threads: number): Promise<void> {
		this.threadsAsked = threads;
		this.threadsFailed = undefined;
		try {
			await this.trainer.useThreads(threads);
		} catch (error) {
			this.threadsFailed = `trainer threads did not start: ${(error as Error).message}`;
			await this.trainer.useThreads(1);
		}
	}

	private compute(): TrainerCompute {
		const t = this.trainer;
		const reason = t.threadsError ? `a trainer thread failed, updates went on on one thread: ${t.threadsError}` : this.threadsFailed;
		return { threads: t.threads, threadsAsked: this.threadsAsked, ...(reason ? { reason } : {}), busyMs: this.busyMs };
	}

	snapshot(): TrainerSnapshot {
		const t = this.trainer;
		return {
			algo: 'ppo',
			backend: this.backend,
			config: t.config,
			counters: { ...t.counters },
			weights: t.weights(),
			obsDim: t.layout.obsDim,
			actionDim: t.layout.actionDim,
			maxPolicyLag: t.config.maxPolicyLag,
			updateSamples: t.config.nSteps,
			hyperparams: Object.fromEntries(PPO_LIVE.map((key) => [key, t.config[key]])),
			compute: this.compute(),
			meta: this.meta
		};
	}

	update(id: number, rollout: Rollout): WorkerReply {
		const t = this.trainer;
		if (rollout.obsDim !== t.layout.obsDim || rollout.actionDim !== t.layout.actionDim) {
			throw new Error(`rollout dims ${rollout.obsDim}/${rollout.actionDim} differ from the trainer's ${t.layout.obsDim}/${t.layout.actionDim}`);
		}
		const started = performance.now();
		const outcome = guardedUpdate(t, RolloutBuffer.of(rollout));
		this.busyMs += performance.now() - started;
		if (!outcome.ok) return { id, ok: true, kind: 'rejected', reason: outcome.reason, steps: rollout.n };
		return { id, ok: true, kind: 'updated', result: outcome.result as unknown as TrainerResult, snapshot: this.snapshot() };
	}

	save(meta: Record<string, unknown>, files: Record<string, Uint8Array>): Promise<Uint8Array> {
		return saveCheckpoint(this.trainer, meta, files);
	}

	relabel(policyVersion: number): void {
		this.trainer.counters = { ...this.trainer.counters, policyVersion };
	}

	setHyperparams(changes: Record<string, number>): void {
		for (const key of Object.keys(changes)) {
			if (!(PPO_LIVE as readonly string[]).includes(key)) throw new Error(`${key} cannot be edited live in a PPO run (only ${PPO_LIVE.join(', ')})`);
		}
		this.trainer.setHyperparams(changes as Parameters<PpoTrainer['setHyperparams']>[0]);
	}
}
