/** Per-second counting for rate limits on what a peer can repeat (messages, telemetry, episodes). */
import { ErrorCode, ProtocolError } from '../../protocol/index.ts';

export class PerSecond {
	private second = -1;
	private count = 0;

	/** Counts `n` at time `nowMs`; throws RATE_LIMITED once this wall-clock second passes `max`. */
	take(nowMs: number, max: number, what: string, n = 1): void {
		const second = Math.floor(nowMs / 1000);
		if (second !== this.second) {
			this.second = second;
			this.count = 0;
		}
		this.count += n;
		if (this.count > max) throw new ProtocolError(ErrorCode.RATE_LIMITED, `more than ${max} ${what} per second`);
	}
}

/** For what was rate-limited already where it came in (an actor's messages from the bus, limited by its gateway). */
export class NoLimit extends PerSecond {
	override take(): void {}
}
