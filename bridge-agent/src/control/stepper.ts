/**
 * The real-time stepper: ticks on an absolute schedule (tick k at start + k·period, so errors never
 * accumulate and the first tick after start is one period away, not immediate). Sleeps with a
 * timer until just before the deadline, then spins for the last stretch. A tick that starts more
 * than one period late skips the missed slots (counted as overruns) instead of bursting to catch up.
 * With time scale `max` it just yields to the event loop between ticks.
 *
 * Time comes from a `StepperClock` (default: the real one), so tests can run the schedule on a
 * fake clock; real-time accuracy is measured by `npm run bench -- tick`.
 */
export const SPIN_MS = 1.5;
/** Nap of a max-speed loop with nothing to do (waiting for weights). */
export const WAIT_MS = 2;

export interface StepperStats {
	ticks: number;
	overruns: number;
	jitterP50Ms: number;
	jitterP99Ms: number;
	achievedHz: number;
}

/** What the stepper needs of time: a monotonic clock in ms, timers, and a busy-wait. */
export interface StepperClock {
	now(): number;
	setTimeout(callback: () => void, delayMs: number): void;
	setImmediate(callback: () => void): void;
	/** Returns once now() ≥ deadlineMs (the real clock spins for it). */
	spinUntil(deadlineMs: number): void;
}

export const REAL_CLOCK: StepperClock = {
	now: () => performance.now(),
	setTimeout: (callback, delayMs) => void setTimeout(callback, delayMs),
	setImmediate: (callback) => void setImmediate(callback),
	spinUntil(deadlineMs) {
		while (performance.now() < deadlineMs); // spin the last stretch for sub-ms accuracy
	}
};

const JITTER_WINDOW = 2000;

export class Stepper {
	private running = false;
	private readonly jitter: number[] = [];
	ticks = 0;
	overruns = 0;
	private startedAt = 0;

	/** periodMs = control period ÷ time scale; 0 runs as fast as possible. */
	constructor(
		private readonly periodMs: number,
		private readonly clock: StepperClock = REAL_CLOCK
	) {}

	stats(): StepperStats {
		const sorted = [...this.jitter].sort((a, b) => a - b);
		const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
		const elapsed = (this.clock.now() - this.startedAt) / 1000;
		return { ticks: this.ticks, overruns: this.overruns, jitterP50Ms: at(0.5), jitterP99Ms: at(0.99), achievedHz: elapsed > 0 ? this.ticks / elapsed : 0 };
	}

	/**
	 * Calls `tick` until stop() or until it returns false. In `max` mode a tick that returns 'wait'
	 * (nothing to do yet) is not counted and the loop naps WAIT_MS instead of spinning.
	 */
	run(tick: () => boolean | 'wait' | void): Promise<void> {
		const clock = this.clock;
		this.running = true;
		this.startedAt = clock.now();
		return new Promise((resolve) => {
			if (this.periodMs <= 0) {
				const loop = () => {
					if (!this.running) return resolve();
					const result = tick();
					if (result === false) return resolve();
					if (result === 'wait') return clock.setTimeout(loop, WAIT_MS);
					this.ticks++;
					clock.setImmediate(loop);
				};
				return clock.setImmediate(loop);
			}
			let k = 1;
			const schedule = () => {
				if (!this.running) return resolve();
				const deadline = this.startedAt + k * this.periodMs;
				const wait = deadline - clock.now() - SPIN_MS;
				clock.setTimeout(
					() => {
						clock.spinUntil(deadline);
						const late = clock.now() - deadline;
						this.jitter.push(late);
						if (this.jitter.length > JITTER_WINDOW) this.jitter.shift();
						if (tick() === false) return resolve();
						this.ticks++;
						k++;
						const behind = Math.floor((clock.now() - (this.startedAt + k * this.periodMs)) / this.periodMs);
						if (behind >= 0) {
							this.overruns += behind + 1;
							k += behind + 1;
						}
						schedule();
					},
					Math.max(0, wait)
				);
			};
			schedule();
		});
	}

	stop(): void {
		this.running = false;
	}
}
