/**
 * Laps as the console shows them, from the pages alone (AC's and the simulated car's alike): a lap
 * runs from one crossing of the start line to the next (graphics.completedLaps rises); it is clean
 * when no tyre was off the track in any period of it; sector times come from lapPosition crossing
 * the track's sector boundaries; a trace of position, speed, inputs and tyres off the track is
 * sampled on the lap clock for replays. A lap begun anywhere but the line (a reset to a random
 * point) is not a lap, nor is one that did not pass every sector boundary in order (half a lap on
 * a one-sector track): a car that rolls back over the line and forward again has crossed it twice
 * without lapping.
 */
import { DEFAULT_LIMITS, LAP_TRACE_COLUMNS, MAX_SPEED_KMH, MAX_TYRES_OUT, type LapReport, type LapTrace } from '../../../src/lib/protocol/index.ts';
import type { Snapshot } from '../sources/ac-reader.ts';

/** Trace samples per second of lap time. */
export const TRACE_HZ = 10;
/** An episode starting this close to the line (lap fraction), this early on the lap clock, starts a lap. */
const AT_LINE_FRACTION = 0.02;
const AT_LINE_MS = 1000;

/** What the tracker knows of a completed lap; the agent adds the episode, policy and evaluation. */
export type CompletedLap = Omit<LapReport, 'type' | 'episodeId' | 'policyVersion' | 'evalId'>;

type Column = (typeof LAP_TRACE_COLUMNS)[number] | 'tyresOut';

export class LapTracker {
	private startLaps = 0;
	/** The current lap began at the line. */
	private full = false;
	private clean = true;
	private maxSpeed = 0;
	/** Lap clock at each checkpoint crossed so far, ms. */
	private crossings: number[] = [];
	/** Lap fractions a lap must pass in order: the sector boundaries, or half way round. */
	private readonly checkpoints: readonly number[];
	private lastPosition = 0;
	private nextSampleMs = 0;
	private trace: Record<Column, number[]> = emptyTrace();
	private lapsThisEpisode = 0;
	private readonly periodMs: number;

	constructor(
		/** Sector boundaries, ascending lap fractions in (0, 1) (the TRACK's `sectors`). */
		readonly sectors: readonly number[],
		readonly traceHz = TRACE_HZ,
		readonly maxTracePoints = DEFAULT_LIMITS.maxTracePoints
	) {
		this.periodMs = 1000 / traceHz;
		this.checkpoints = sectors.length > 0 ? sectors : [0.5];
	}

	/** A new episode from this state (after a reset, or the game coming back). */
	restart(s: Snapshot): void {
		const position = s.graphics.normalizedCarPosition;
		const atLine = s.graphics.iCurrentTime <= AT_LINE_MS && (position < AT_LINE_FRACTION || position > 1 - AT_LINE_FRACTION);
		this.lapsThisEpisode = 0;
		this.startLap(s, atLine);
	}

	/** One period's pages; returns the lap this period completed, if it did. */
	feed(s: Snapshot): CompletedLap | undefined {
		const { graphics, physics } = s;
		if (graphics.completedLaps < this.startLaps) {
			this.restart(s); // the game restarted the session under us
			return undefined;
		}
		let completed: CompletedLap | undefined;
		if (graphics.completedLaps > this.startLaps) {
			if (this.full && graphics.iLastTime > 0 && this.crossings.length === this.checkpoints.length) completed = this.finish(graphics.iLastTime);
			this.startLap(s, true);
			return completed;
		}
		if (physics.numberOfTyresOut > 0) this.clean = false;
		this.maxSpeed = Math.max(this.maxSpeed, speed(physics.speedKmh));
		const position = graphics.normalizedCarPosition;
		// A fast-forwarded car may pass two boundaries in one period; a jump of half a lap is no crossing.
		while (this.crossings.length < this.checkpoints.length && position - this.lastPosition < 0.5) {
			const boundary = this.checkpoints[this.crossings.length];
			if (!(this.lastPosition < boundary && position >= boundary)) break;
			this.crossings.push(graphics.iCurrentTime);
		}
		this.lastPosition = position;
		this.sample(s);
		return undefined;
	}

	private startLap(s: Snapshot, full: boolean): void {
		const { graphics, physics } = s;
		this.startLaps = graphics.completedLaps;
		this.full = full;
		this.clean = physics.numberOfTyresOut === 0;
		this.maxSpeed = speed(physics.speedKmh);
		this.crossings = [];
		// Just after the line AC may still say 0.99…: the lap starts at 0 whatever the page says.
		this.lastPosition = graphics.normalizedCarPosition < 0.5 ? graphics.normalizedCarPosition : 0;
		this.nextSampleMs = 0;
		this.trace = emptyTrace();
		this.sample(s);
	}

	private sample(s: Snapshot): void {
		const lapMs = s.graphics.iCurrentTime;
		if (lapMs < this.nextSampleMs || this.trace.x.length >= this.maxTracePoints) return;
		const [x, , z] = s.graphics.carCoordinates;
		const t = this.trace;
		// What the learner would refuse (a glitching page) is not sent: non-finite as 0, speed in range.
		t.x.push(finite(x));
		t.z.push(finite(z));
		t.speedKmh.push(speed(s.physics.speedKmh));
		t.steer.push(finite(s.physics.steerAngle));
		t.throttle.push(finite(s.physics.gas));
		t.brake.push(finite(s.physics.brake));
		t.tyresOut.push(tyres(s.physics.numberOfTyresOut));
		while (this.nextSampleMs <= lapMs) this.nextSampleMs += this.periodMs;
	}

	private finish(timeMs: number): CompletedLap {
		const sectorsMs: number[] = [];
		if (this.sectors.length > 0) {
			let previous = 0;
			for (const at of [...this.crossings, timeMs]) {
				sectorsMs.push(Math.max(0, at - previous));
				previous = at;
			}
		}
		const n = this.trace.x.length;
		const trace = { hz: this.traceHz, n } as LapTrace;
		for (const key of LAP_TRACE_COLUMNS) trace[key] = Float32Array.from(this.trace[key]);
		trace.tyresOut = Uint8Array.from(this.trace.tyresOut);
		return {
			lap: ++this.lapsThisEpisode,
			timeMs: Math.round(timeMs),
			clean: this.clean,
			sectorsMs,
			maxSpeedKmh: this.maxSpeed,
			...(n > 0 ? { trace } : {})
		};
	}
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);
const speed = (kmh: number) => Math.min(MAX_SPEED_KMH, Math.max(0, finite(kmh)));
const tyres = (out: number) => Math.min(MAX_TYRES_OUT, Math.max(0, Math.round(finite(out))));

function emptyTrace(): Record<Column, number[]> {
	return { x: [], z: [], speedKmh: [], steer: [], throttle: [], brake: [], tyresOut: [] };
}
