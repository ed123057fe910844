/**
 * The run's metrics: every update, episode and event as a MetricPoint, kept in memory (bounded,
 * for the console), appended to metrics.jsonl and, for updates and episodes, to TensorBoard —
 * until metrics.jsonl reaches its size cap (--max-metrics-mb): then points stay in memory only.
 */
import type { MetricPoint } from '../../protocol/index.ts';
import type { RunDir } from '../run/run-dir.ts';

/** Points kept in memory; older ones stay in metrics.jsonl. */
export const METRICS_HISTORY = 50_000;

export class MetricsLog {
	readonly points: MetricPoint[] = [];
	private readonly subscribers = new Set<(point: MetricPoint) => void>();

	constructor(private readonly run: RunDir) {
		// A resumed run continues its curves: the newest points on disk, read from the end.
		this.points.push(...run.metrics.tail<MetricPoint>(METRICS_HISTORY));
	}

	private keep(point: MetricPoint): void {
		this.points.push(point);
		if (this.points.length > METRICS_HISTORY) this.points.splice(0, this.points.length - METRICS_HISTORY);
	}

	subscribe(listener: (point: MetricPoint) => void): () => void {
		this.subscribers.add(listener);
		return () => this.subscribers.delete(listener);
	}

	/** Keeps and writes a point; false when the files are full (the point is kept in memory only). */
	add(point: MetricPoint): boolean {
		this.keep(point);
		const written = this.run.metrics.append(point);
		for (const listener of this.subscribers) listener(point);
		if (!written) return false;
		if (point.kind === 'update') {
			const scalars: Record<string, number> = {};
			for (const [key, value] of Object.entries(point)) if (typeof value === 'number' && key.includes('/')) scalars[key] = value;
			this.run.events.scalars(point.step, scalars, point.time);
		} else if (point.kind === 'episode') {
			const group = point.evalId === undefined ? 'charts' : 'eval';
			this.run.events.scalars(point.step, { [`${group}/episodic_return`]: point.return, [`${group}/episodic_length`]: point.length }, point.time);
		}
		return true;
	}

	/** Mean return of the last `count` training episodes (NaN when none; evaluation episodes do not count). */
	recentReturn(count = 20): number {
		const episodes: number[] = [];
		for (let i = this.points.length - 1; i >= 0 && episodes.length < count; i--) {
			const p = this.points[i];
			if (p.kind === 'episode' && p.evalId === undefined) episodes.push(p.return);
		}
		return episodes.length ? episodes.reduce((s, r) => s + r, 0) / episodes.length : NaN;
	}

	/** metrics as CSV: one row per point, the union of keys as columns. */
	csv(): string {
		const keys = new Set<string>();
		for (const p of this.points) for (const k of Object.keys(p)) keys.add(k);
		const columns = [...keys];
		const cell = (v: unknown) => {
			if (v === undefined || v === null) return '';
			const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
			return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
		};
		return [columns.join(','), ...this.points.map((p) => columns.map((c) => cell((p as Record<string, unknown>)[c])).join(','))].join('\n') + '\n';
	}
}
