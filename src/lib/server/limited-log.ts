/**
 * Log lines a peer can repeat at will (a refused connection, a refused frame) are limited per
 * kind: the first `burst` lines of a kind in each window are written, the rest only counted, and
 * one line per kind says how many were left out once the window has passed ("312 more like
 * 'actor refused: RATE_LIMITED' in the last 10 s were not logged"). A hostile client that makes
 * the learner refuse a hundred connections a second can then neither fill the disk behind stdout
 * nor spend the learner's time on logging. Every line is counted by kind, written or not
 * (`totals()`: the refusals in /api/status).
 */
import type { Clock } from './runtime/clock.ts';
import type { Log } from './log.ts';

export interface LimitedLogOptions {
	/** Lines of one kind written per window. */
	burst: number;
	windowMs: number;
}

export const DEFAULT_LIMITED_LOG: LimitedLogOptions = { burst: 20, windowMs: 10_000 };

interface Kind {
	windowStart: number;
	written: number;
	suppressed: number;
	/** The kind's first line in this window, for the summary. */
	example: string;
	log: Log;
	level: 'warn' | 'error';
}

export class LimitedLog {
	private readonly kinds = new Map<string, Kind>();
	private readonly counts = new Map<string, number>();

	constructor(
		private readonly clock: Clock,
		private readonly options: LimitedLogOptions = DEFAULT_LIMITED_LOG
	) {}

	/** A warn line of kind `key` (e.g. the error code) to `log`, written unless the kind is over its burst. */
	warn(log: Log, key: string, fields: object, message: string): void {
		this.write('warn', log, key, fields, message);
	}

	/** The same at error level (a refusal that is the learner's own fault, INTERNAL, can be repeated by a peer too). */
	error(log: Log, key: string, fields: object, message: string): void {
		this.write('error', log, key, fields, message);
	}

	private write(level: 'warn' | 'error', log: Log, key: string, fields: object, message: string): void {
		this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
		const now = this.clock.now();
		let kind = this.kinds.get(key);
		if (kind && now - kind.windowStart >= this.options.windowMs) {
			this.summarise(key, kind);
			kind = undefined;
		}
		if (!kind) {
			kind = { windowStart: now, written: 0, suppressed: 0, example: message, log, level };
			this.kinds.set(key, kind);
		}
		if (kind.written < this.options.burst) {
			kind.written++;
			log[level](fields, message);
		} else kind.suppressed++;
	}

	/** Writes the summary of every kind whose window has passed (called by the runtime's tick). */
	flush(): void {
		const now = this.clock.now();
		for (const [key, kind] of this.kinds) {
			if (now - kind.windowStart < this.options.windowMs) continue;
			this.summarise(key, kind);
		}
	}

	/** Lines of each kind since start, written or not. */
	totals(): Record<string, number> {
		return Object.fromEntries(this.counts);
	}

	private summarise(key: string, kind: Kind): void {
		this.kinds.delete(key);
		if (kind.suppressed === 0) return;
		const seconds = Math.round(this.options.windowMs / 1000);
		kind.log[kind.level]({ kind: key, suppressed: kind.suppressed }, `${kind.suppressed} more like '${kind.example}' in the last ${seconds} s were not logged`);
	}
}
