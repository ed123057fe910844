/**
 * Charts of a million points in one frame. Each y column keeps a display cache, extended as points
 * arrive (a redraw costs the new points, not the whole history): its EMA-smoothed values, its
 * raw last/min/max (the chart's text alternative), and per block of 128 points the smoothed
 * minimum and maximum with their indices. A redraw then keeps, per pixel column, the first and
 * last point and every series' minimum and maximum (M4 aggregation: the drawn line has the same
 * extremes as the full one), read from the block extremes once a column spans whole blocks.
 * Everything a redraw scans is an array of unboxed doubles (NaN for "no value", turned back into
 * `null` only for the few points drawn): a million boxed numbers cost a cache miss each, 4× the time.
 * Pure TypeScript.
 */
import { gap, type Column, type Summary } from './series';

const BLOCK_BITS = 7;
export const BLOCK = 1 << BLOCK_BITS;

/** A stored value as drawn: NaN (no value) is a gap, `null`. */
const shown = (v: number): number | null => (Number.isNaN(v) ? null : v);

export class ColumnCache {
	/** The smoothed values, NaN where the raw point has none. */
	private readonly values: number[] = [];
	/** Per block: the index of the smoothed min and max (−1: no value in the block) and those values. */
	private readonly blockMin: number[] = [];
	private readonly blockMax: number[] = [];
	private readonly blockLow: number[] = [];
	private readonly blockHigh: number[] = [];
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
		if (alpha !== this.alpha || epoch !== this.epoch || raw.length < this.values.length) this.reset(alpha, epoch);
		for (let i = this.values.length; i < raw.length; i++) {
			const v = gap(raw[i]);
			const b = i >> BLOCK_BITS;
			if (b === this.blockMin.length) {
				this.blockMin.push(-1);
				this.blockMax.push(-1);
				this.blockLow.push(Infinity);
				this.blockHigh.push(-Infinity);
			}
			if (v === null) {
				this.values.push(NaN);
				continue;
			}
			this.state = this.state === null || alpha <= 0 ? v : alpha * this.state + (1 - alpha) * v;
			const smooth = this.state;
			this.values.push(smooth);
			this.last = v;
			if (v < this.min) this.min = v;
			if (v > this.max) this.max = v;
			this.count++;
			if (smooth < this.blockLow[b]) {
				this.blockLow[b] = smooth;
				this.blockMin[b] = i;
			}
			if (smooth > this.blockHigh[b]) {
				this.blockHigh[b] = smooth;
				this.blockMax[b] = i;
			}
		}
	}

	private reset(alpha: number, epoch: number): void {
		this.alpha = alpha;
		this.epoch = epoch;
		this.values.length = this.blockMin.length = this.blockMax.length = this.blockLow.length = this.blockHigh.length = 0;
		this.state = this.last = null;
		this.min = Infinity;
		this.max = -Infinity;
		this.count = 0;
	}

	/** The smoothed values at the first `count` of `indices`, gaps as `null`: a drawn column. */
	pick(indices: Int32Array, count: number): Column {
		const out: Column = new Array(count);
		for (let k = 0; k < count; k++) out[k] = shown(this.values[indices[k]]);
		return out;
	}

	/** The smoothed column, gaps as `null` (a copy: for short columns and tests). */
	get smoothed(): Column {
		return this.values.map(shown);
	}

	get summary(): Summary {
		return this.count ? { last: this.last, min: this.min, max: this.max, count: this.count } : { last: null, min: null, max: null, count: 0 };
	}

	/**
	 * Writes the indices of the smoothed min and max over [from, to) (whole blocks from the block
	 * index) at out[at] and out[at + 1]; returns how many it wrote (0 when the range has no value).
	 */
	extremes(from: number, to: number, out: Int32Array, at: number): number {
		let lo = -1;
		let hi = -1;
		let low = Infinity;
		let high = -Infinity;
		let i = from;
		while (i < to) {
			if ((i & (BLOCK - 1)) === 0 && i + BLOCK <= to) {
				const b = i >> BLOCK_BITS;
				i += BLOCK;
				if (this.blockMin[b] < 0) continue; // a block without a value
				if (this.blockLow[b] < low) {
					low = this.blockLow[b];
					lo = this.blockMin[b];
				}
				if (this.blockHigh[b] > high) {
					high = this.blockHigh[b];
					hi = this.blockMax[b];
				}
				continue;
			}
			const v = this.values[i]; // NaN (no value) fails both comparisons
			if (v < low) {
				low = v;
				lo = i;
			}
			if (v > high) {
				high = v;
				hi = i;
			}
			i++;
		}
		if (lo < 0) return 0;
		out[at] = lo;
		out[at + 1] = hi;
		return 2;
	}
}

/**
 * The columns as drawn: all points when there are at most 4 per pixel column, else the first,
 * last, and each series' min and max per pixel column, in order. Columns stay aligned with x.
 */
export function downsample(x: readonly number[], caches: readonly ColumnCache[], columns: number): [number[], ...Column[]] {
	const n = x.length;
	if (n <= 4 * columns) return [x as number[], ...caches.map((c) => c.smoothed)];
	const per = n / columns;
	// Pixel columns that span whole blocks start on a block boundary: their extremes come from the index.
	const aligned = per >= BLOCK;
	const most = 2 + 2 * caches.length;
	const picked = new Int32Array(columns * most);
	let count = 0;
	let start = 0;
	for (let c = 1; c <= columns && start < n; c++) {
		let end = c === columns ? n : Math.round(c * per);
		if (aligned && c < columns) end = Math.max(start + BLOCK, end & ~(BLOCK - 1));
		end = Math.min(n, end);
		// This column's candidates (first, last, each series' min and max), appended, then sorted in place.
		const from = count;
		picked[count++] = start;
		picked[count++] = end - 1;
		for (const cache of caches) count += cache.extremes(start, end, picked, count);
		for (let k = from + 1; k < count; k++) {
			const index = picked[k];
			let j = k - 1;
			for (; j >= from && picked[j] > index; j--) picked[j + 1] = picked[j];
			picked[j + 1] = index;
		}
		// Drop repeats (a series' extreme that is the first or last point, or another series').
		let kept = from;
		for (let k = from; k < count; k++) if (kept === 0 || picked[kept - 1] !== picked[k]) picked[kept++] = picked[k];
		count = kept;
		start = end;
	}
	const xs: number[] = new Array(count);
	for (let k = 0; k < count; k++) xs[k] = x[picked[k]];
	return [xs, ...caches.map((cache) => cache.pick(picked, count))];
}
