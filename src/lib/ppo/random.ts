/**
 * Seeded PRNG (mulberry32) with a Box–Muller normal. Its whole state is two numbers, so
 * checkpoints can save it and resume the exact same stream.
 */
export interface RngState {
	state: number;
	spare: number | null;
}

export class Rng {
	private state: number;
	private spare: number | null = null;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** Uniform in [0, 1). */
	next(): number {
		let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** Integer in [0, maxExclusive). */
	int(maxExclusive: number): number {
		return Math.floor(this.next() * maxExclusive);
	}

	/** Standard normal. */
	normal(): number {
		if (this.spare !== null) {
			const s = this.spare;
			this.spare = null;
			return s;
		}
		const u = 1 - this.next();
		const v = this.next();
		const r = Math.sqrt(-2 * Math.log(u));
		this.spare = r * Math.sin(2 * Math.PI * v);
		return r * Math.cos(2 * Math.PI * v);
	}

	/** Fisher–Yates shuffle in place. */
	shuffle(values: Int32Array | Uint32Array | number[]): void {
		for (let i = values.length - 1; i > 0; i--) {
			const j = this.int(i + 1);
			const t = values[i];
			values[i] = values[j];
			values[j] = t;
		}
	}

	save(): RngState {
		return { state: this.state, spare: this.spare };
	}

	restore(saved: RngState): void {
		this.state = saved.state >>> 0;
		this.spare = saved.spare;
	}
}
