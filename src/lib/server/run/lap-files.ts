/**
 * A run's laps on disk, so they survive restarts: laps.jsonl (one LapRecord per line, capped like
 * metrics.jsonl), tracks.json (every track the run has seen) and replays/<lap id>.json (the traces
 * kept for replays). Writes of whole files go through a temporary file and a rename.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LapRecord, LapReplay, TrackView } from '../../protocol/index.ts';
import { MetricsFile, linesFrom } from './metrics-file.ts';

const REPLAY_FILE = /^(\d+)\.json$/;

function writeAtomically(path: string, text: string): void {
	writeFileSync(`${path}.tmp`, text);
	renameSync(`${path}.tmp`, path);
}

/** The laps of a laps.jsonl from byte `start` on, each with the offset to resume after it. */
export function* lapRecords(path: string, start = 0): Generator<{ record: LapRecord; end: number }> {
	for (const { line, end } of linesFrom(path, start)) {
		try {
			const record = JSON.parse(line) as LapRecord;
			if (Number.isSafeInteger(record?.id) && typeof record.timeMs === 'number') yield { record, end };
		} catch {
			// a torn line (a crash mid-write)
		}
	}
}

export class LapFiles {
	readonly laps: MetricsFile;
	private readonly tracksPath: string;
	private readonly replaysDir: string;

	constructor(
		readonly dir: string,
		maxLapsBytes: number
	) {
		this.laps = new MetricsFile(join(dir, 'laps.jsonl'), maxLapsBytes);
		this.tracksPath = join(dir, 'tracks.json');
		this.replaysDir = join(dir, 'replays');
	}

	/** Every well-formed line of laps.jsonl, in order (a torn last line after a crash is skipped). */
	records(): LapRecord[] {
		return [...lapRecords(this.laps.path)].map(({ record }) => record);
	}

	/** Appends a lap; false once laps.jsonl has reached its cap. */
	append(record: LapRecord): boolean {
		return this.laps.append({ ...record });
	}

	loadTracks(): TrackView[] {
		try {
			const tracks = JSON.parse(readFileSync(this.tracksPath, 'utf8')) as unknown;
			return Array.isArray(tracks) ? (tracks as TrackView[]) : [];
		} catch {
			return [];
		}
	}

	saveTracks(tracks: TrackView[]): void {
		writeAtomically(this.tracksPath, JSON.stringify(tracks));
	}

	/** Lap ids with a replay file. */
	replayIds(): number[] {
		if (!existsSync(this.replaysDir)) return [];
		return readdirSync(this.replaysDir).flatMap((name) => {
			const match = REPLAY_FILE.exec(name);
			return match ? [Number(match[1])] : [];
		});
	}

	saveReplay(replay: LapReplay): void {
		mkdirSync(this.replaysDir, { recursive: true });
		writeAtomically(join(this.replaysDir, `${replay.lap.id}.json`), JSON.stringify(replay));
	}

	loadReplay(id: number): LapReplay | undefined {
		try {
			return JSON.parse(readFileSync(join(this.replaysDir, `${id}.json`), 'utf8')) as LapReplay;
		} catch {
			return undefined;
		}
	}

	deleteReplay(id: number): void {
		rmSync(join(this.replaysDir, `${id}.json`), { force: true });
	}
}
