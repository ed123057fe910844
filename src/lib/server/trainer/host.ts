/**
 * The main thread's handle on the trainer worker: promise-returning calls, one in flight at a
 * time (the worker queues them), and a clear error if the worker dies.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TrainerCounters } from '../../ppo/trainer.ts';
import { transferList, type Rollout } from '../../transitions/index.ts';
import type { TrainerChoice, TrainerResult, TrainerSnapshot, TrainerSpec, WorkerNews, WorkerOptions, WorkerReply, WorkerRequest } from './messages.ts';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };
type Body<K extends WorkerRequest['kind']> = Omit<Extract<WorkerRequest, { kind: K }>, 'id' | 'kind'>;

/**
 * The worker's code. Bundled into build/server.js (scripts/build-server.mjs), the bundled worker
 * sits beside it: plain JavaScript, no tsx. From source (tsx: tests, dev; vite.config.ts bundles
 * this file elsewhere) the TypeScript worker is found from the project root.
 */
function workerEntry(): string | URL {
	if (!import.meta.url.endsWith('.ts')) {
		const built = new URL('./trainer-worker.js', import.meta.url);
		if (existsSync(built)) return built;
	}
	const fromCwd = resolve(process.cwd(), 'src/lib/server/trainer/worker-entry.mjs');
	if (existsSync(fromCwd)) return fromCwd;
	throw new Error(`trainer worker not found at ${fromCwd}; run pitwall from its project directory (or build it: node scripts/build-server.mjs)`);
}

export class TrainerHost {
	private readonly worker: Worker;
	private readonly pending = new Map<number, Pending>();
	private nextId = 1;
	private dead: Error | undefined;

	/** `news`: what a continuously training worker (SAC) reports unasked. */
	constructor(private readonly news: (news: WorkerNews) => void = () => {}) {
		this.worker = new Worker(workerEntry());
		this.worker.on('message', (reply: WorkerReply | WorkerNews) => {
			if (reply.id === 0) return this.news(reply as WorkerNews);
			const pending = this.pending.get(reply.id);
			this.pending.delete(reply.id);
			pending?.resolve(reply as WorkerReply);
		});
		const fail = (error: Error) => {
			this.dead = error;
			for (const p of this.pending.values()) p.reject(error);
			this.pending.clear();
		};
		this.worker.on('error', fail);
		this.worker.on('exit', (code) => fail(new Error(`trainer worker exited with code ${code}`)));
	}

	private call<K extends WorkerRequest['kind']>(kind: K, body: Body<K>, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
		if (this.dead) return Promise.reject(this.dead);
		const id = this.nextId++;
		return new Promise<WorkerReply>((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.worker.postMessage({ id, kind, ...body }, transfer);
		}).then((reply) => {
			if (!reply.ok) throw new Error(`trainer: ${reply.error}`);
			return reply;
		});
	}

	async init(spec: TrainerSpec, trainer: TrainerChoice, options: WorkerOptions, backends?: string[]): Promise<TrainerSnapshot> {
		const reply = await this.call('init', { spec, trainer, options, backends });
		return (reply as Extract<WorkerReply, { kind: 'ready' }>).snapshot;
	}

	async resume(checkpoint: Uint8Array, options: WorkerOptions, backends?: string[]): Promise<TrainerSnapshot> {
		const reply = await this.call('resume', { checkpoint, options, backends });
		return (reply as Extract<WorkerReply, { kind: 'ready' }>).snapshot;
	}

	/**
	 * Runs one PPO update; the rollout's arrays are transferred (unusable here afterwards). An update
	 * the training guard rolled back comes back as `{ rejected: reason }`.
	 */
	async update(rollout: Rollout): Promise<{ result: TrainerResult; snapshot: TrainerSnapshot } | { rejected: string }> {
		const reply = (await this.call('update', { rollout }, transferList(rollout))) as Extract<WorkerReply, { kind: 'updated' | 'rejected' }>;
		return reply.kind === 'rejected' ? { rejected: reply.reason } : { result: reply.result, snapshot: reply.snapshot };
	}

	/** SAC: transitions into the replay buffer (arrays transferred); the worker trains on as the UTD ratio owes. */
	async feed(rollout: Rollout): Promise<{ added: number; snapshot: Omit<TrainerSnapshot, 'weights'> }> {
		const reply = (await this.call('feed', { rollout }, transferList(rollout))) as Extract<WorkerReply, { kind: 'fed' }>;
		return { added: reply.added, snapshot: reply.snapshot };
	}

	/** SAC: stop or go on taking gradient steps. */
	async pace(running: boolean): Promise<TrainerSnapshot> {
		const reply = await this.call('pace', { running });
		return (reply as Extract<WorkerReply, { kind: 'ready' }>).snapshot;
	}

	/** The checkpoint's bytes and the counters they hold (an update may finish while it is written). */
	async save(meta: Record<string, unknown>, files: Record<string, Uint8Array> = {}): Promise<{ checkpoint: Uint8Array; counters: TrainerCounters }> {
		const reply = (await this.call('save', { meta, files })) as Extract<WorkerReply, { kind: 'saved' }>;
		return { checkpoint: reply.checkpoint, counters: reply.counters };
	}

	/** Gives the current policy the version number `policyVersion` (weights unchanged). */
	async relabel(policyVersion: number): Promise<TrainerSnapshot> {
		const reply = await this.call('relabel', { policyVersion });
		return (reply as Extract<WorkerReply, { kind: 'ready' }>).snapshot;
	}

	async setHyperparams(changes: Record<string, number>): Promise<TrainerSnapshot> {
		const reply = (await this.call('hyperparams', { changes })) as Extract<WorkerReply, { kind: 'config' }>;
		return reply.snapshot;
	}

	async close(): Promise<void> {
		await this.worker.terminate();
	}
}
