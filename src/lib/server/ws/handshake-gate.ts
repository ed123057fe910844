/**
 * Actor connections that have not handshaken yet, counted per runtime: at most
 * `maxPendingHandshakes` wait at once (the next is refused with TOO_MANY_ACTORS, close 4005, right
 * after its upgrade), each for at most `handshakeTimeoutMs` (then HANDSHAKE_REQUIRED, close 4004).
 * A connection leaves the count when its HANDSHAKE passes the version and token checks (from then
 * on --max-actors applies, in the registry) or when its socket has closed: a refused one counts
 * until it is gone. Timers are injectable (tests) and always cleared.
 */
import { ErrorCode, ProtocolError } from '../../protocol/index.ts';

export interface Timers {
	setTimeout(run: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a waiting connection never keeps the process alive. */
export const systemTimers: Timers = {
	setTimeout: (run, ms) => setTimeout(run, ms).unref(),
	clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export interface GateOptions {
	handshakeTimeoutMs: number;
	maxPendingHandshakes: number;
}

const waiting = new WeakMap<object, number>();

/** Connections of `owner` (the runtime) that wait for their HANDSHAKE. */
export function pendingHandshakes(owner: object): number {
	return waiting.get(owner) ?? 0;
}

export class HandshakeGate {
	private clock: unknown;
	private counted = true;

	/**
	 * Counts a new connection of `owner` and starts its clock (`onTimeout` gets the error to refuse
	 * it with); throws TOO_MANY_ACTORS, counting nothing, when `maxPendingHandshakes` already wait.
	 */
	constructor(
		private readonly owner: object,
		o: GateOptions,
		private readonly timers: Timers,
		onTimeout: (error: ProtocolError) => void
	) {
		const count = pendingHandshakes(owner);
		if (count >= o.maxPendingHandshakes) {
			throw new ProtocolError(ErrorCode.TOO_MANY_ACTORS, `${count} connections are already waiting for their HANDSHAKE (--max-pending-handshakes)`);
		}
		waiting.set(owner, count + 1);
		this.clock = timers.setTimeout(() => {
			this.clock = undefined;
			onTimeout(new ProtocolError(ErrorCode.HANDSHAKE_REQUIRED, `no HANDSHAKE within ${o.handshakeTimeoutMs} ms`));
		}, o.handshakeTimeoutMs);
	}

	/** No timeout any more (the connection is being refused or has handshaken); still counted. */
	stopClock(): void {
		if (this.clock === undefined) return;
		this.timers.clearTimeout(this.clock);
		this.clock = undefined;
	}

	/** The connection handshook or its socket closed: no clock, not counted. Idempotent. */
	leave(): void {
		this.stopClock();
		if (!this.counted) return;
		this.counted = false;
		waiting.set(this.owner, pendingHandshakes(this.owner) - 1);
	}
}
