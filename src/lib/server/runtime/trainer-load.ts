/**
 * How busy the trainer is: the share of wall time it spent computing over the last window, from
 * the worker's running total of busy milliseconds (TrainerCompute.busyMs) sampled on the
 * learner's clock. A share near 1 means the trainer is the bottleneck: actors wait for updates
 * (PPO) or the update-to-data ratio falls behind (SAC).
 */

/** The window the share is taken over, ms. */
export const LOAD_WINDOW_MS = 30_000;

export class TrainerLoad {
	/** [at, busyMs] samples, oldest first; the first may be older than the window (the baseline). */
	private samples: [number, number][] = [];

	constructor(private readonly windowMs = LOAD_WINDOW_MS) {}

	/** The worker's busy total as last reported, at the learner's time `at`. A smaller total (a new trainer) starts over. */
	observe(busyMs: number, at: number): void {
		const last = this.samples.at(-1);
		if (last && busyMs < last[1]) this.samples = [];
		if (last && last[0] === at) last[1] = busyMs;
		else this.samples.push([at, busyMs]);
		// Keep one sample at or before the window's start as the baseline.
		while (this.samples.length > 2 && this.samples[1][0] <= at - this.windowMs) this.samples.shift();
	}

	/** The share of wall time spent computing over the window up to `now`, in [0, 1]; 0 before two samples. */
	busy(now: number): number {
		if (this.samples.length < 2) return 0;
		const [from, busyFrom] = this.samples[0];
		const busyTo = this.samples.at(-1)![1];
		const span = now - from;
		return span > 0 ? Math.min(1, Math.max(0, (busyTo - busyFrom) / span)) : 0;
	}
}
