/**
 * Every run in the runs directory, read-only, for the runs page: a summary per run (algorithm,
 * samples, updates, best clean lap, first and last point, checkpoints), its config.json, its
 * metric series for overlays (thinned as they are read, like the console's, and downsampled per
 * pixel column) and its checkpoint files. metrics.jsonl and laps.jsonl are read once and then
 * only what was appended since (the live run's grow while it trains); a file that shrank (a
 * resume cuts metrics.jsonl) is read again. Run ids and checkpoint ids are validated: nothing
 * outside the runs directory is read.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MetricPoint, RunSeries, RunSummary, TrainerAlgo } from '../../protocol/index.ts';
import { ColumnCache, downsample } from '../../state/downsample.ts';
import { bestLapSeconds, Series } from '../../state/series.ts';
import { lapRecords } from './lap-files.ts';
import { linesFrom, linesFromEnd } from './metrics-file.ts';
import { CHECKPOINT_ID } from './run-dir.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SERIES_KEY = /^[A-Za-z0-9_./-]{1,64}$/;
export const MAX_SERIES_KEYS = 4;
/** Episode series (as the console's charts name them); every other key is an update point's. */
export const EPISODE_KEYS = ['return', 'length', 'lap'] as const;
/** Pixel columns a run's series is downsampled to. */
const COLUMNS = 1000;
/** Series kept between requests (each up to MAX_POINTS points per axis and key). */
const CACHED_SERIES = 8;
/** Lines read between two turns of the event loop when a series is read. */
const LINES_PER_TURN = 20_000;

/** A series as read so far: the file up to `offset`, and its downsampled form at that point. */
interface SeriesRead {
	offset: number;
	series: Series;
	/** Training episodes counted so far (their x in the `update` axis: thinning drops points, not the count). */
	episodes: number;
	result?: RunSeries;
}

/** laps.jsonl as read so far. */
interface LapsRead {
	offset: number;
	laps: number;
	bestCleanMs: number | null;
}

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
	private readonly reads = new Map<string, SeriesRead>();
	/** A series being read: a second request for it waits for the same read. */
	private readonly reading = new Map<string, Promise<RunSeries>>();
	private readonly lapReads = new Map<string, LapsRead>();
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
		const laps = this.lapStats(id, join(dir, 'laps.jsonl'));
		return {
			id,
			live: id === this.liveRunId,
			algo: config.algo ?? null,
			samples: lastUpdate?.step ?? 0,
			updates: lastUpdate?.update ?? 0,
			bestCleanLapMs: laps.bestCleanMs,
			laps: laps.laps,
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
		const key = `${id}|${keys.join(',')}`;
		const pending = this.reading.get(key);
		if (pending) return pending;
		const read = this.readSeries(key, join(dir, 'metrics.jsonl'), keys, episodes).finally(() => this.reading.delete(key));
		this.reading.set(key, read);
		return read;
	}

	/** Brings a series up to the end of its metrics file (from where the last read stopped). */
	private async readSeries(key: string, file: string, keys: string[], episodes: boolean): Promise<RunSeries> {
		const size = existsSync(file) ? statSync(file).size : 0;
		let state = this.reads.get(key);
		if (!state || size < state.offset) state = { offset: 0, series: new Series(keys), episodes: 0 };
		this.reads.delete(key); // re-inserted last: the least recently asked for goes first
		this.reads.set(key, state);
		if (this.reads.size > CACHED_SERIES) this.reads.delete(this.reads.keys().next().value!);
		if (state.result && size === state.offset) return state.result;
		const { series } = state;
		const wanted = episodes ? '"kind":"episode"' : '"kind":"update"';
		let lines = 0;
		for (const { line, end } of linesFrom(file, state.offset)) {
			state.offset = end;
			if (++lines % LINES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
			if (!line.includes(wanted)) continue;
			const point = parse<MetricPoint>(line);
			if (point?.kind === 'update') series.push(point.step, point.update, point.time, point);
			else if (point?.kind === 'episode' && point.evalId === undefined) {
				series.push(point.step, ++state.episodes, point.time, { return: point.return, length: point.length, lap: bestLapSeconds(point.lapTimesMs ?? []) });
			}
		}
		const caches = keys.map((k) => {
			const cache = new ColumnCache();
			cache.sync(series.y[k], 0, 0);
			return cache;
		});
		// One downsampling for every axis: the same points, picked along the env-step axis.
		const index = series.x.step.map((_, i) => i);
		const [picked, ...ys] = downsample(index, caches, COLUMNS);
		const pick = (axis: number[]) => picked.map((i) => axis[i]);
		state.result = {
			runId: key.slice(0, key.indexOf('|')),
			x: { step: pick(series.x.step), update: pick(series.x.update), time: pick(series.x.time), elapsed: pick(series.x.elapsed) },
			y: Object.fromEntries(keys.map((k, i) => [k, ys[i]]))
		};
		return state.result;
	}

	/** Laps and the best clean one, read on from where the last call stopped. */
	private lapStats(id: string, file: string): LapsRead {
		const size = existsSync(file) ? statSync(file).size : 0;
		let state = this.lapReads.get(id);
		if (!state || size < state.offset) state = { offset: 0, laps: 0, bestCleanMs: null };
		this.lapReads.set(id, state);
		for (const { record, end } of lapRecords(file, state.offset)) {
			state.offset = end;
			state.laps++;
			if (record.clean && (state.bestCleanMs === null || record.timeMs < state.bestCleanMs)) state.bestCleanMs = record.timeMs;
		}
		return state;
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
