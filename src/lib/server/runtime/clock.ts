/** Time as the runtime's services see it: injected, so tests move it by hand. */
export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told (tests). */
export class ManualClock implements Clock {
	constructor(private t = 1_700_000_000_000) {}

	now(): number {
		return this.t;
	}

	advance(ms: number): void {
		this.t += ms;
	}
}
