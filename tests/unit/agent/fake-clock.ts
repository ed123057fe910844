/**
 * A virtual clock for the stepper: time moves only when a timer fires (to its due time plus the
 * lateness the test asks for), when a tick does work (`work(ms)`), or when the stepper spins.
 * `runAll()` fires timers in due order until none is left, so a run resolves without real waiting.
 */
import type { StepperClock } from '../../../bridge-agent/src/control/stepper.ts';

interface Timer {
	dueMs: number;
	order: number;
	callback: () => void;
}

export class FakeClock implements StepperClock {
	nowMs = 0;
	/** Requested timer delays, in the order they were set. */
	readonly delays: number[] = [];
	/** Spins the stepper asked for, as [from, until] in ms. */
	readonly spins: [number, number][] = [];
	private timers: Timer[] = [];
	private order = 0;

	/** `lateMs(n)` is how late the n-th timer (0-based) fires after its due time. */
	constructor(private readonly lateMs: (n: number) => number = () => 0) {}

	now(): number {
		return this.nowMs;
	}

	setTimeout(callback: () => void, delayMs: number): void {
		this.delays.push(delayMs);
		this.timers.push({ dueMs: this.nowMs + delayMs + this.lateMs(this.delays.length - 1), order: this.order++, callback });
	}

	setImmediate(callback: () => void): void {
		this.timers.push({ dueMs: this.nowMs, order: this.order++, callback });
	}

	spinUntil(deadlineMs: number): void {
		this.spins.push([this.nowMs, deadlineMs]);
		this.nowMs = Math.max(this.nowMs, deadlineMs);
	}

	/** A tick that takes `ms` of work. */
	work(ms: number): void {
		this.nowMs += ms;
	}

	/** Fires timers in due order until none is left (or `maxTimers` fired, against runaway loops). */
	runAll(maxTimers = 100_000): number {
		let fired = 0;
		while (this.timers.length) {
			if (++fired > maxTimers) throw new Error(`more than ${maxTimers} timers: the loop does not end`);
			this.timers.sort((a, b) => a.dueMs - b.dueMs || a.order - b.order);
			const timer = this.timers.shift()!;
			this.nowMs = Math.max(this.nowMs, timer.dueMs);
			timer.callback();
		}
		return fired;
	}
}
