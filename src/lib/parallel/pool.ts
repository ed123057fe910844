/**
 * Worker threads for data-parallel work: starts `count` threads running a job module
 * (parallel/worker.ts loads it), each with its index and the shared buffers, and waits until each
 * says it is ready. A thread that dies later marks the rounds broken, so the leader's next round
 * throws instead of waiting. From the bundle (build/) the worker is build/parallel-worker.js.
 */
import { Worker } from 'node:worker_threads';
import { RoundsLeader, roundsBuffer } from './rounds.ts';

export interface PoolJob {
	/** A module under src/lib that exports `serve(data: JobData): Promise<void>` (see worker.ts). */
	job: 'ppo-grad';
	backend: string;
	/** Job-specific data: shared buffers and plain values (structured-cloned). */
	shared: Record<string, unknown>;
}

export interface JobData extends PoolJob {
	index: number;
	count: number;
	rounds: SharedArrayBuffer;
}

function workerUrl(): URL {
	// Under tsx the sources run as .ts; the bundle ships parallel-worker.js beside the server.
	return import.meta.url.endsWith('.ts') ? new URL('./worker-entry.mjs', import.meta.url) : new URL('./parallel-worker.js', import.meta.url);
}

export class WorkerPool {
	private constructor(
		private readonly threads: Worker[],
		readonly rounds: RoundsLeader
	) {}

	/** Starts `count` worker threads on `job`; rejects (and stops them) when one fails to start. */
	static async start(count: number, job: PoolJob, timeoutMs?: number): Promise<WorkerPool> {
		const buffer = roundsBuffer();
		const rounds = new RoundsLeader(buffer, count, timeoutMs);
		const threads: Worker[] = [];
		const ready: Promise<void>[] = [];
		for (let index = 1; index <= count; index++) {
			const data: JobData = { ...job, index, count, rounds: buffer };
			const worker = new Worker(workerUrl(), { workerData: data });
			worker.unref();
			threads.push(worker);
			ready.push(
				new Promise<void>((resolve, reject) => {
					worker.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`trainer thread ${index}: ${m.error}`))));
					worker.once('error', reject);
					worker.once('exit', (code) => reject(new Error(`trainer thread ${index} exited (code ${code}) while starting`)));
				})
			);
		}
		try {
			await Promise.all(ready);
		} catch (error) {
			rounds.stop();
			await Promise.all(threads.map((t) => t.terminate()));
			throw error;
		}
		threads.forEach((t, i) => {
			t.on('error', (e) => (rounds.broken ??= `trainer thread ${i + 1} failed: ${e.message}`));
			t.on('exit', (code) => (rounds.broken ??= `trainer thread ${i + 1} exited (code ${code})`));
		});
		return new WorkerPool(threads, rounds);
	}

	get size(): number {
		return this.threads.length;
	}

	/** Stops the threads (they leave their loop, then are terminated). */
	async close(): Promise<void> {
		this.rounds.broken ??= 'the trainer threads were closed';
		this.rounds.stop();
		await Promise.all(this.threads.map((t) => t.terminate()));
	}
}
