/**
 * Rounds between a leader thread and its worker threads over shared memory, without messages:
 * the leader fills shared buffers, starts a round, does its own share and waits for the workers'
 * (Atomics.wait with a deadline, so a dead or stuck worker is an error, never a deadlock); a
 * worker blocks until the next round, does its share and reports done or the error it hit.
 * Synchronous on both sides: a minibatch's round trip costs two futex wakes, no event loop.
 */
const GEN = 0; // round counter, bumped by the leader
const CMD = 1; // what the round asks for
const DONE = 2; // workers finished with this round
const ERROR = 3; // 1 + index of the first worker that failed, 0 when none
const ARG = 4; // one integer argument (e.g. the minibatch's rows)
const SLOTS = 8;
const MESSAGE_BYTES = 2048;

export const CMD_EXIT = -1;

/** The control block's shared memory: hand it to each worker. */
export function roundsBuffer(): SharedArrayBuffer {
	return new SharedArrayBuffer(SLOTS * 4 + MESSAGE_BYTES);
}

export class RoundsLeader {
	private readonly ctrl: Int32Array;
	private readonly message: Uint8Array;
	/** Set when a worker thread exits or fails outside a round: the next round throws at once. */
	broken: string | undefined;

	constructor(
		buffer: SharedArrayBuffer,
		private readonly workers: number,
		private readonly timeoutMs = 30_000
	) {
		this.ctrl = new Int32Array(buffer, 0, SLOTS);
		this.message = new Uint8Array(buffer, SLOTS * 4, MESSAGE_BYTES);
	}

	/** Starts a round for every worker: they see `cmd` and `arg`. */
	start(cmd: number, arg = 0): void {
		if (this.broken) throw new Error(this.broken);
		Atomics.store(this.ctrl, CMD, cmd);
		Atomics.store(this.ctrl, ARG, arg);
		Atomics.store(this.ctrl, DONE, 0);
		Atomics.add(this.ctrl, GEN, 1);
		Atomics.notify(this.ctrl, GEN);
	}

	/** Blocks until every worker has finished the round; throws the first worker's error, or on the deadline. */
	finish(): void {
		const deadline = performance.now() + this.timeoutMs;
		for (;;) {
			const done = Atomics.load(this.ctrl, DONE);
			const failed = Atomics.load(this.ctrl, ERROR);
			if (failed) throw new Error(`trainer thread ${failed} failed: ${new TextDecoder().decode(this.message).replace(/\0+$/, '')}`);
			if (done >= this.workers) return;
			if (this.broken) throw new Error(this.broken);
			const left = deadline - performance.now();
			if (left <= 0) throw new Error(`trainer threads did not finish a round within ${this.timeoutMs} ms (${done} of ${this.workers} did)`);
			Atomics.wait(this.ctrl, DONE, done, Math.min(left, 100));
		}
	}

	/** Asks the workers to leave their loop (no wait). */
	stop(): void {
		Atomics.store(this.ctrl, CMD, CMD_EXIT);
		Atomics.add(this.ctrl, GEN, 1);
		Atomics.notify(this.ctrl, GEN);
	}
}

export class RoundsWorker {
	private readonly ctrl: Int32Array;
	private readonly message: Uint8Array;
	private seen: number;

	/** `index`: this worker's number, from 1 (the leader is 0). */
	constructor(
		buffer: SharedArrayBuffer,
		readonly index: number
	) {
		this.ctrl = new Int32Array(buffer, 0, SLOTS);
		this.message = new Uint8Array(buffer, SLOTS * 4, MESSAGE_BYTES);
		this.seen = Atomics.load(this.ctrl, GEN);
	}

	/** Blocks until the next round; its command and argument. */
	next(): { cmd: number; arg: number } {
		Atomics.wait(this.ctrl, GEN, this.seen);
		this.seen = Atomics.load(this.ctrl, GEN);
		return { cmd: Atomics.load(this.ctrl, CMD), arg: Atomics.load(this.ctrl, ARG) };
	}

	done(): void {
		Atomics.add(this.ctrl, DONE, 1);
		Atomics.notify(this.ctrl, DONE);
	}

	/** Reports an error for this round (the leader throws it) and counts the round as done. */
	fail(error: unknown): void {
		const text = new TextEncoder().encode(((error as Error)?.message ?? String(error)).slice(0, 500));
		if (Atomics.compareExchange(this.ctrl, ERROR, 0, this.index) === 0) {
			this.message.fill(0);
			this.message.set(text.subarray(0, MESSAGE_BYTES));
		}
		this.done();
	}
}
