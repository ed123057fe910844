/**
 * Charts of a million points in one frame. Each y column keeps a display cache, extended as points
 * arrive (a redraw costs the new points, not the whole history): its EMA-smoothed values, its
 * raw last/min/max (the chart's text alternative), and per block of 128 points the indices of the
 * smoothed minimum and maximum. A redraw then keeps, per pixel column, the first and last point
 * and every series' minimum and maximum (M4 aggregation: the drawn line has the same extremes as
 * the full one), read from the block extremes once a column spans whole blocks. Pure TypeScript.
 */
import { gap, type Column, type Summary } from './series';

const BLOCK_BITS = 7;
export const BLOCK = 1 << BLOCK_BITS;

export class ColumnCache {
	readonly smoothed: Column = [];
	private readonly blockMin: number[] = [];
	private readonly blockMax: number[] = [];
	private alpha = -1;
	private epoch = -1;
	private state: number | null = null;
	private last: number | null = null;
	private min = Infinity;
	private max = -Infinity;
	private count = 0;

	/**
	 * Brings the cache up to `raw` (a column that only grows, until its epoch changes: thinned or
	 * cleared). `alpha`: EMA weight of the past (0 = none), applied to the points that have a value.
	 */
	sync(raw: readonly unknown[], alpha: number, epoch: number): void {
		if (alpha !== this.alpha || epoch !== this.epoch || raw.length < this.smoothed.length) this.reset(alpha, epoch);
		for (let i = this.smoothed.length; i < raw.length; i++) {
			const v = gap(raw[i]);
			let shown: number | null = null;
			if (v !== null) {
				this.state = this.state === null || alpha <= 0 ? v : alpha * this.state + (1 - alpha) * v;
				shown = this.state;
				this.last = v;
				if (v < this.min) this.min = v;
				if (v > this.max) this.max = v;
				this.count++;
			}
			this.smoothed.push(shown);
			if (shown === null) continue;
			const b = i >> BLOCK_BITS;
			while (this.blockMin.length <= b) {
				this.blockMin.push(-1);
				this.blockMax.push(-1);
			}
			if (this.blockMin[b] < 0 || shown < (this.smoothed[this.blockMin[b]] as number)) this.blockMin[b] = i;
			if (this.blockMax[b] < 0 || shown > (this.smoothed[this.blockMax[b]] as number)) this.blockMax[b] = i;
		}
	}

	private reset(alpha: number, epoch: number): void {
		this.alpha = alpha;
		this.epoch = epoch;
		this.smoothed.length = this.blockMin.length = this.blockMax.length = 0;
		this.state = this.last = null;
		this.min = Infinity;
		this.max = -Infinity;
		this.count = 0;
	}

	get summary(): Summary {
		return this.count ? { last: this.last, min: this.min, max: this.max, count: this.count } : { last: null, min: null, max: null, count: 0 };
	}

	/** Indices of the smoothed min and max over [from, to) (whole blocks from the block index). */
	extremes(from: number, to: number, out: number[]): void {
		const v = this.smoothed;
		let lo = -1;
		let hi = -1;
		const consider = (i: number) => {
			if (i < 0) return;
			const value = v[i];
			if (value === null) return;
			if (lo < 0 || value < (v[lo] as number)) lo = i;
			if (hi < 0 || value > (v[hi] as number)) hi = i;
		};
		let i = from;
		while (i < to) {
			if ((i & (BLOCK - 1)) === 0 && i + BLOCK <= to) {
				consider(this.blockMin[i >> BLOCK_BITS] ?? -1);
				consider(this.blockMax[i >> BLOCK_BITS] ?? -1);
				i += BLOCK;
			} else consider(i++);
		}
		if (lo >= 0) out.push(lo, hi);
	}
}

/**
 * The columns as drawn: all points when there are at most 4 per pixel column, else the first,
 * last, and each series' min and max per pixel column, in order. Columns stay aligned with x.
 */
export function downsample(x: readonly number[], caches: readonly ColumnCache[], columns: number): [number[], ...Column[]] {
	const n = x.length;
	if (n <= 4 * columns) return [x as number[], ...caches.map((c) => c.smoothed)];
	const picked: number[] = [];
	const per = n / columns;
	// Pixel columns that span whole blocks start on a block boundary: their extremes come from the index.
	const aligned = per >= BLOCK;
	let start = 0;
	for (let c = 1; c <= columns && start < n; c++) {
		let end = c === columns ? n : Math.round(c * per);
		if (aligned && c < columns) end = Math.max(start + BLOCK, end & ~(BLOCK - 1));
		end = Math.min(n, end);
		const bucket: number[] = [start, end - 1];
		for (const cache of caches) cache.extremes(start, end, bucket);
		bucket.sort((a, b) => a - b);
		for (const i of bucket) if (picked[picked.length - 1] !== i) picked.push(i);
		start = end;
	}
	return [picked.map((i) => x[i]), ...caches.map((cache) => picked.map((i) => cache.smoothed[i]))];
}
