/**
 * Every run in the runs directory, read-only, for the runs page: a summary per run (algorithm,
 * samples, updates, best clean lap, first and last point, checkpoints), its config.json, its
 * metric series for overlays (metrics.jsonl streamed once, thinned as it is read like the
 * console's, downsampled per pixel column, cached until the file changes) and its checkpoint
 * files. Run ids and checkpoint ids are validated: nothing outside the runs directory is read.
 */
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { LapRecord, MetricPoint, RunSeries, RunSummary, TrainerAlgo } from '../../protocol/index.ts';
import { ColumnCache, downsample } from '../../state/downsample.ts';
import { bestLapSeconds, Series } from '../../state/series.ts';
import { linesFromEnd } from './metrics-file.ts';
import { CHECKPOINT_ID } from './run-dir.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SERIES_KEY = /^[A-Za-z0-9_./-]{1,64}$/;
export const MAX_SERIES_KEYS = 4;
/** Episode series (as the console's charts name them); every other key is an update point's. */
export const EPISODE_KEYS = ['return', 'length', 'lap'] as const;
/** Pixel columns a run's series is downsampled to. */
const COLUMNS = 1000;
const CACHED_SERIES = 32;

export class RunIndexError extends Error {
	override readonly name = 'RunIndexError';

	constructor(
		readonly status: 400 | 404,
		message: string
	) {
		super(message);
	}

	/** By name, not instanceof: the server and the routes' bundle each hold a copy of this class. */
	static is(error: unknown): error is RunIndexError {
		return error instanceof Error && error.name === 'RunIndexError' && typeof (error as RunIndexError).status === 'number';
	}
}

export class RunIndex {
	private readonly cache = new Map<string, { stamp: string; series: RunSeries }>();
	private readonly summaries = new Map<string, { stamp: string; summary: RunSummary }>();

	constructor(
		readonly runsDir: string,
		/** The run being trained now. */
		readonly liveRunId: string
	) {}

	/** The run's directory; throws RunIndexError 400 for an id that is no run id, 404 for none. */
	private dirOf(id: string): string {
		if (!RUN_ID.test(id)) throw new RunIndexError(400, `not a run id: ${JSON.stringify(id)}`);
		const dir = resolve(this.runsDir, id);
		if (!existsSync(join(dir, 'config.json'))) throw new RunIndexError(404, `no run ${id}`);
		return dir;
	}

	list(): RunSummary[] {
		if (!existsSync(this.runsDir)) return [];
		const ids = readdirSync(this.runsDir).filter((id) => RUN_ID.test(id) && existsSync(join(this.runsDir, id, 'config.json')));
		return ids.map((id) => this.summary(id)).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0) || b.id.localeCompare(a.id));
	}

	/** A run's summary, read again only when its metrics, laps or checkpoints changed. */
	summary(id: string): RunSummary {
		const dir = this.dirOf(id);
		const stamp = ['metrics.jsonl', 'laps.jsonl', 'checkpoints'].map((f) => stampOf(join(dir, f))).join('|');
		const hit = this.summaries.get(id);
		if (hit?.stamp === stamp) return { ...hit.summary, live: id === this.liveRunId };
		const summary = this.read(id, dir);
		this.summaries.set(id, { stamp, summary });
		return summary;
	}

	private read(id: string, dir: string): RunSummary {
		const config = this.config(id) as { algo?: TrainerAlgo };
		const metrics = join(dir, 'metrics.jsonl');
		let lastUpdate: Extract<MetricPoint, { kind: 'update' }> | undefined;
		let lastAt: number | null = null;
		for (const { line } of linesFromEnd(metrics)) {
			const point = parse<MetricPoint>(line);
			if (!point) continue;
			lastAt ??= point.time;
			if (point.kind === 'update') {
				lastUpdate = point;
				break;
			}
		}
		const laps = this.laps(dir);
		const clean = laps.filter((l) => l.clean).map((l) => l.timeMs);
		return {
			id,
			live: id === this.liveRunId,
			algo: config.algo ?? null,
			samples: lastUpdate?.step ?? 0,
			updates: lastUpdate?.update ?? 0,
			bestCleanLapMs: clean.length ? Math.min(...clean) : null,
			laps: laps.length,
			startedAt: firstTime(metrics),
			lastAt,
			checkpoints: this.checkpoints(dir)
		};
	}

	config(id: string): unknown {
		return JSON.parse(readFileSync(join(this.dirOf(id), 'config.json'), 'utf8'));
	}

	/** The checkpoint file of a run, or a RunIndexError. */
	checkpointFile(id: string, checkpoint: string): string {
		const dir = this.dirOf(id);
		if (!CHECKPOINT_ID.test(checkpoint)) throw new RunIndexError(400, `not a checkpoint id: ${JSON.stringify(checkpoint)}`);
		const file = join(dir, 'checkpoints', `${checkpoint}.zip`);
		if (!existsSync(file)) throw new RunIndexError(404, `run ${id} has no checkpoint ${checkpoint}`);
		return file;
	}

	/** Up to MAX_SERIES_KEYS series of one kind (episode keys or update keys), downsampled. */
	async series(id: string, keys: string[]): Promise<RunSeries> {
		const dir = this.dirOf(id);
		if (keys.length === 0 || keys.length > MAX_SERIES_KEYS || !keys.every((k) => SERIES_KEY.test(k))) {
			throw new RunIndexError(400, `keys: 1…${MAX_SERIES_KEYS} metric names, got ${JSON.stringify(keys)}`);
		}
		const episodes = keys.every((k) => (EPISODE_KEYS as readonly string[]).includes(k));
		if (!episodes && keys.some((k) => (EPISODE_KEYS as readonly string[]).includes(k)))
			throw new RunIndexError(400, 'episode and update metrics come in separate requests');
		const file = join(dir, 'metrics.jsonl');
		const stamp = stampOf(file);
		const cacheKey = `${id}|${keys.join(',')}`;
		const hit = this.cache.get(cacheKey);
		if (hit?.stamp === stamp) return hit.series;
		const series = new Series(keys);
		if (existsSync(file)) {
			const wanted = episodes ? '"kind":"episode"' : '"kind":"update"';
			for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
				if (!line.includes(wanted)) continue;
				const point = parse<MetricPoint>(line);
				if (point?.kind === 'update') series.push(point.step, point.update, point.time, point);
				else if (point?.kind === 'episode' && point.evalId === undefined) {
					series.push(point.step, series.length + 1, point.time, { return: point.return, length: point.length, lap: bestLapSeconds(point.lapTimesMs ?? []) });
				}
			}
		}
		const caches = keys.map((key) => {
			const cache = new ColumnCache();
			cache.sync(series.y[key], 0, 0);
			return cache;
		});
		// One downsampling for every axis: the same points, picked along the env-step axis.
		const index = series.x.step.map((_, i) => i);
		const [picked, ...ys] = downsample(index, caches, COLUMNS);
		const result: RunSeries = {
			runId: id,
			x: {
				step: picked.map((i) => series.x.step[i]),
				update: picked.map((i) => series.x.update[i]),
				time: picked.map((i) => series.x.time[i]),
				elapsed: picked.map((i) => series.x.elapsed[i])
			},
			y: Object.fromEntries(keys.map((key, k) => [key, ys[k]]))
		};
		this.cache.delete(cacheKey);
		this.cache.set(cacheKey, { stamp, series: result });
		if (this.cache.size > CACHED_SERIES) this.cache.delete(this.cache.keys().next().value!);
		return result;
	}

	private laps(dir: string): LapRecord[] {
		const file = join(dir, 'laps.jsonl');
		if (!existsSync(file)) return [];
		return readFileSync(file, 'utf8')
			.split('\n')
			.flatMap((line) => parse<LapRecord>(line) ?? []);
	}

	private checkpoints(dir: string): string[] {
		const checkpoints = join(dir, 'checkpoints');
		if (!existsSync(checkpoints)) return [];
		return readdirSync(checkpoints)
			.filter((f) => f.endsWith('.zip') && CHECKPOINT_ID.test(f.slice(0, -4)))
			.map((f) => f.slice(0, -4))
			.sort();
	}
}

/** Size and modification time: a file (or directory) that changed has another stamp. */
function stampOf(path: string): string {
	if (!existsSync(path)) return 'none';
	const stat = statSync(path);
	return `${stat.size}:${stat.mtimeMs}`;
}

function parse<T>(line: string): T | undefined {
	if (!line.trim()) return undefined;
	try {
		const value = JSON.parse(line) as unknown;
		return value !== null && typeof value === 'object' ? (value as T) : undefined;
	} catch {
		return undefined; // a torn line
	}
}

/** The time of a metrics file's first point (read from its first 64 KiB). */
function firstTime(file: string): number | null {
	if (!existsSync(file)) return null;
	const fd = openSync(file, 'r');
	const buffer = Buffer.alloc(65536);
	const read = readSync(fd, buffer, 0, buffer.length, 0);
	closeSync(fd);
	for (const line of buffer.subarray(0, read).toString('utf8').split('\n')) {
		const point = parse<MetricPoint>(line);
		if (point && typeof point.time === 'number') return point.time;
	}
	return null;
}
