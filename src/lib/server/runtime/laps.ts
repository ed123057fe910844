/**
 * Tracks and laps for the console: the track each actor drives (TRACK), every lap it completes
 * (LAP) numbered over the run, each track's leaderboard of clean laps, and the traces kept for
 * replays — every lap that set its track's record when it was driven (the progression), the
 * leaderboards' laps (both on disk), and each actor's last lap (in memory). Everything a peer can
 * grow is capped: tracks per run and per session, laps per second, actor ids, kept replays, and
 * laps.jsonl's size. A run restarted in its directory reads its laps back (run/lap-files.ts).
 */
import {
	ErrorCode,
	ProtocolError,
	type LapEntry,
	type LapRecord,
	type LapReplay,
	type LapReport,
	type LapsView,
	type TrackDescription,
	type TrackView
} from '../../protocol/index.ts';
import type { LapFiles } from '../run/lap-files.ts';
import type { Log } from '../log.ts';
import type { ActorEntry } from './actors.ts';
import type { Alerts } from './alerts.ts';
import type { Clock } from './clock.ts';

export const LEADERBOARD_SIZE = 10;
export const RECENT_LAPS = 50;
/** Laps kept per actor id for its table (older ones stay in laps.jsonl). */
export const ACTOR_LAPS = 200;
export const MAX_TRACKS = 16;
export const MAX_TRACKS_PER_SESSION = 4;
/** Replays kept on disk; past it the oldest progression lap off every leaderboard goes. */
export const MAX_KEPT_REPLAYS = 200;
/** Actor ids whose laps and last replay are kept in memory (the least recently heard go first). */
const MAX_ACTOR_IDS = 256;

const round = (values: Float32Array, digits: number) => Array.from(values, (v) => Number(v.toFixed(digits)));

export class Laps {
	/** Bumped on every change of the laps view / of the tracks: the console pushes on change. */
	revision = 0;
	tracksRevision = 0;
	private nextId = 1;
	private total = 0;
	private clean = 0;
	private readonly recent: LapRecord[] = [];
	private readonly byActor = new Map<string, LapRecord[]>();
	private readonly boards = new Map<string, LapRecord[]>();
	private readonly bestOf = new Map<string, number>();
	/** The progression: every lap that was its track's fastest clean lap when driven, by id (oldest first). */
	private readonly records = new Map<number, LapRecord>();
	/** Lap ids whose replay is on disk. */
	private readonly kept = new Set<number>();
	private readonly lastReplay = new Map<string, LapReplay>();
	private readonly tracks = new Map<string, TrackView>();
	private capAlerted = false;

	constructor(
		private readonly files: LapFiles | undefined,
		private readonly maxLapsPerSec: number,
		private readonly clock: Clock,
		private readonly log: Log,
		private readonly alerts: Alerts
	) {
		if (!files) return;
		for (const track of files.loadTracks()) this.tracks.set(track.name, track);
		for (const record of files.records()) this.add(record);
		const onDisk = new Set(files.replayIds());
		for (const id of this.records.keys()) if (onDisk.has(id)) this.kept.add(id);
		for (const board of this.boards.values()) for (const lap of board) if (onDisk.has(lap.id)) this.kept.add(lap.id);
		if (this.total > 0) log.info({ laps: this.total, clean: this.clean, replays: this.kept.size, tracks: this.tracks.size }, 'laps read back');
	}

	/** TRACK: the actor's track, shared by name. Throws RATE_LIMITED / LIMIT_EXCEEDED to refuse the session. */
	track(entry: ActorEntry, message: TrackDescription): void {
		if (++entry.tracksSent > MAX_TRACKS_PER_SESSION)
			throw new ProtocolError(ErrorCode.RATE_LIMITED, `more than ${MAX_TRACKS_PER_SESSION} TRACK messages in one session`);
		if (!this.tracks.has(message.name) && this.tracks.size >= MAX_TRACKS)
			throw new ProtocolError(ErrorCode.LIMIT_EXCEEDED, `this run already has ${MAX_TRACKS} tracks`);
		entry.track = message.name;
		const view: TrackView = {
			name: message.name,
			lengthM: message.lengthM,
			halfWidthM: message.halfWidthM,
			x: round(message.x, 2),
			z: round(message.z, 2),
			sectors: message.sectors
		};
		if (JSON.stringify(this.tracks.get(view.name)) === JSON.stringify(view)) return; // a reconnect resends it
		this.tracks.set(view.name, view);
		this.tracksRevision++;
		this.write('tracks.json', () => this.files?.saveTracks([...this.tracks.values()]));
	}

	/** LAP: numbered, recorded, ranked; its trace kept if it made a leaderboard or a record. */
	lap(entry: ActorEntry, message: LapReport): LapRecord {
		const now = this.clock.now();
		entry.rates.laps.take(now, this.maxLapsPerSec, 'laps');
		const { type: _type, trace, ...lap } = message;
		const record: LapRecord = { id: this.nextId, at: now, actorId: entry.id, actorName: entry.hello.actorName, track: entry.track ?? '', ...lap };
		// Past laps.jsonl's cap (or a write error, alerted) the lap is still shown, only not kept on disk.
		this.write('laps.jsonl', () => this.appendRecord(record));
		const keep = this.add(record);
		if (trace) {
			const replay: LapReplay = {
				lap: record,
				hz: trace.hz,
				x: round(trace.x, 2),
				z: round(trace.z, 2),
				speedKmh: round(trace.speedKmh, 1),
				steer: round(trace.steer, 3),
				throttle: round(trace.throttle, 3),
				brake: round(trace.brake, 3),
				...(trace.tyresOut ? { tyresOut: Array.from(trace.tyresOut) } : {})
			};
			this.lastReplay.delete(entry.id);
			this.lastReplay.set(entry.id, replay);
			if (this.lastReplay.size > MAX_ACTOR_IDS) this.lastReplay.delete(this.lastReplay.keys().next().value!);
			if (keep && this.write('a replay', () => this.files?.saveReplay(replay))) this.kept.add(record.id);
			this.prune();
		}
		return record;
	}

	private appendRecord(record: LapRecord): boolean {
		if (!this.files || this.files.append(record)) return true;
		if (!this.capAlerted) {
			this.capAlerted = true;
			this.alerts.raise('run-error', `laps.jsonl reached its cap (${Math.round(this.files.laps.maxBytes / 2 ** 20)} MiB): further laps are not recorded`);
		}
		return false;
	}

	/** Counts and ranks a record; true when its trace is worth keeping on disk. */
	private add(record: LapRecord): boolean {
		this.nextId = Math.max(this.nextId, record.id + 1);
		this.total++;
		this.revision++;
		this.recent.push(record);
		if (this.recent.length > RECENT_LAPS) this.recent.shift();
		const own = this.byActor.get(record.actorId) ?? [];
		this.byActor.delete(record.actorId); // re-inserted last: the map's order is least recently heard first
		this.byActor.set(record.actorId, own);
		own.push(record);
		if (own.length > ACTOR_LAPS) own.shift();
		if (this.byActor.size > MAX_ACTOR_IDS) this.byActor.delete(this.byActor.keys().next().value!);
		if (!record.clean) return false;
		this.clean++;
		const best = this.bestOf.get(record.track);
		if (best === undefined || record.timeMs < best) {
			this.bestOf.set(record.track, record.timeMs);
			this.records.set(record.id, record);
		}
		const board = this.boards.get(record.track) ?? [];
		this.boards.set(record.track, board);
		board.push(record);
		board.sort((a, b) => a.timeMs - b.timeMs || a.id - b.id);
		const dropped = board.length > LEADERBOARD_SIZE ? board.pop() : undefined;
		if (dropped && dropped !== record && !this.records.has(dropped.id)) this.forget(dropped.id);
		return dropped !== record || this.records.has(record.id);
	}

	/** Over the cap: the oldest progression replays that are on no leaderboard go. */
	private prune(): void {
		if (this.kept.size <= MAX_KEPT_REPLAYS) return;
		const onBoards = new Set([...this.boards.values()].flatMap((b) => b.map((lap) => lap.id)));
		// The map holds records in the order they were set: oldest first.
		for (const id of this.records.keys()) {
			if (this.kept.size <= MAX_KEPT_REPLAYS) return;
			if (onBoards.has(id)) continue;
			this.records.delete(id);
			this.forget(id);
		}
	}

	private forget(id: number): void {
		if (!this.kept.delete(id)) return;
		this.write('a replay', () => this.files?.deleteReplay(id));
	}

	/** Runs a file operation; a failure is logged and alerted, never thrown at the actor's session. */
	private write(what: string, operation: () => unknown): boolean {
		try {
			return operation() !== false;
		} catch (error) {
			this.log.error({ err: error }, `could not write ${what}`);
			this.alerts.raise('run-error', `could not write ${what}: ${(error as Error).message}`);
			return false;
		}
	}

	private entry(record: LapRecord): LapEntry {
		return { ...record, replay: this.kept.has(record.id) || this.lastReplay.get(record.actorId)?.lap.id === record.id };
	}

	view(): LapsView {
		return {
			total: this.total,
			clean: this.clean,
			leaderboards: [...this.boards].map(([track, laps]) => ({
				track,
				laps: laps.map((l) => this.entry(l)),
				records: [...this.records.values()].filter((r) => r.track === track).map((l) => this.entry(l))
			})),
			recent: this.recent.map((l) => this.entry(l)).reverse()
		};
	}

	/** An actor id's newest laps, newest first. */
	ofActor(actorId: string): LapEntry[] {
		return (this.byActor.get(actorId) ?? []).map((l) => this.entry(l)).reverse();
	}

	replay(id: number): LapReplay | undefined {
		for (const replay of this.lastReplay.values()) if (replay.lap.id === id) return replay;
		return this.kept.has(id) ? this.files?.loadReplay(id) : undefined;
	}

	trackViews(): TrackView[] {
		return [...this.tracks.values()];
	}
}
