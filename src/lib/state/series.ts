/**
 * Metric history as plain columnar arrays, as uPlot takes them (cheap to append, handed over as
 * is). A missing value is a gap: `null`, never NaN — uPlot skips `null`, but one NaN in a column
 * keeps its y scale from forming (no curve, no y labels). Pure TypeScript, no Svelte.
 */

/** One chart column: a number per point, `null` where there is none. */
export type Column = (number | null)[];

/** Points kept per series before the older half is thinned 2:1. */
export const MAX_POINTS = 100_000;

/** A value for a chart: finite numbers as they are, anything else a gap. */
export function gap(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A column safe for uPlot (telemetry, derived series): every non-finite value becomes `null`. */
export function chartColumn(values: readonly unknown[]): Column {
	return values.map(gap);
}

/** An episode's best lap, seconds; `null` when it drove none (or only broken times). */
export function bestLapSeconds(lapTimesMs: readonly number[]): number | null {
	const laps = lapTimesMs.filter((ms) => Number.isFinite(ms) && ms > 0);
	return laps.length ? Math.min(...laps) / 1000 : null;
}

export interface Summary {
	last: number | null;
	min: number | null;
	max: number | null;
	/** Points that have a value. */
	count: number;
}

/** Last, min and max over the points that have a value: a chart's text alternative. */
export function summarize(values: readonly (number | null | undefined)[]): Summary {
	let last: number | null = null;
	let min = Infinity;
	let max = -Infinity;
	let count = 0;
	for (const v of values) {
		if (typeof v !== 'number' || !Number.isFinite(v)) continue;
		last = v;
		if (v < min) min = v;
		if (v > max) max = v;
		count++;
	}
	return count ? { last, min, max, count } : { last: null, min: null, max: null, count: 0 };
}

export class Series {
	/** x axes: env steps, update (or episode) count, wall time and time since the first point, both in s. */
	readonly x = { step: [] as number[], update: [] as number[], time: [] as number[], elapsed: [] as number[] };
	readonly y: Record<string, Column> = {};
	/** Bumped when points were thinned or cleared: the columns did not only grow (display caches start over). */
	epoch = 0;

	constructor(
		readonly keys: readonly string[],
		private readonly maxPoints = MAX_POINTS
	) {
		for (const key of keys) this.y[key] = [];
	}

	get length(): number {
		return this.x.step.length;
	}

	clear(): void {
		this.epoch++;
		for (const column of [...Object.values(this.x), ...Object.values(this.y)]) column.length = 0;
	}

	/** One point: `time` in ms (kept as seconds); values not finite numbers are gaps. */
	push(step: number, update: number, time: number, values: Record<string, unknown>): void {
		this.x.step.push(step);
		this.x.update.push(update);
		this.x.time.push(time / 1000);
		this.x.elapsed.push(time / 1000 - this.x.time[0]);
		for (const key of this.keys) this.y[key].push(gap(values[key]));
		if (this.length > this.maxPoints) this.thin();
	}

	/** Keeps every other point of the older half (recent points stay at full resolution). */
	private thin(): void {
		this.epoch++;
		const half = Math.floor(this.length / 2);
		const columns: Column[] = [...Object.values(this.x), ...Object.values(this.y)];
		for (const column of columns) {
			const kept = column.slice(0, half).filter((_, i) => i % 2 === 0);
			column.splice(0, half, ...kept);
		}
	}
}
