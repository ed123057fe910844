/**
 * Assetto Corsa as a World: telemetry from its shared memory, controls through vJoy, the track
 * line from `record-line`. Reset drives AC's restart buttons and then checks telemetry that the
 * restart happened (lap timer and laps back to zero, car at rest), retrying once.
 */
import { AcStatus } from './ac/layout.ts';
import type { Controls } from './driving/controls.ts';
import type { Track } from './driving/track.ts';
import { GuardedSink } from './sinks/control-sink.ts';
import { VJOY_BUTTON } from './sinks/vjoy-sink.ts';
import type { AcReader } from './sources/ac-reader.ts';
import type { World } from './world.ts';

/** The original's open-loop sequence (ac-facts.md): restart, wait, start, settle. */
export const RESET_TIMELINE_MS = { restartPress: 50, startAfter: 2000, startPress: 100, settleUntil: 5000 } as const;
export type ResetTimeline = Record<keyof typeof RESET_TIMELINE_MS, number>;
/** The sim host restarts at once; the same sequence, scaled down. */
export const SIM_HOST_RESET_MS = { restartPress: 50, startAfter: 200, startPress: 50, settleUntil: 500 } as const;
const RESET_TRIES = 2;
/** The lap timer may read this much more than the time since the restart press (game timing). */
export const RESET_MARGIN_MS = 1000;
/** Pages frozen this long → let go of them and map them again, to see whether the game is gone. */
export const REOPEN_AFTER_MS = 1000;
const STATUS_HOLD: Record<number, string> = {
	[AcStatus.PAUSE]: 'paused',
	[AcStatus.REPLAY]: 'replay',
	[AcStatus.OFF]: 'off (in a menu, or the game is closing)'
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AcWorld implements World {
	readonly kind = 'ac';
	private lapStartLaps = 0;
	private lapClean = true;
	private readonly laps: number[] = [];

	private lastReopenAt = 0;

	constructor(
		readonly reader: AcReader,
		readonly track: Track,
		private readonly sink: GuardedSink,
		private readonly timeline: ResetTimeline = RESET_TIMELINE_MS,
		readonly controls?: string,
		private readonly now: () => number = Date.now
	) {}

	/**
	 * '' while AC is LIVE and both packetIds advance; else why not. Frozen pages (a quit game whose
	 * mappings only we still hold, a hung one) are let go of and mapped again every second: gone
	 * pages mean the game quit; when it starts again its new pages are found.
	 */
	hold(): string {
		const now = this.now();
		const reopenDue = now - this.lastReopenAt >= REOPEN_AFTER_MS;
		if (!this.reader.mapped) {
			if (!reopenDue) return 'gone: the game quit (its pages are gone)';
			this.lastReopenAt = now;
			if (!this.reader.reopen()) return 'gone: the game quit (its pages are gone)';
		}
		const s = this.reader.read();
		const status = STATUS_HOLD[s.graphics.status];
		if (status) return status;
		if (s.graphics.status !== AcStatus.LIVE) return `status ${s.graphics.status}`;
		if (!s.stale) return '';
		if (s.staleMs >= REOPEN_AFTER_MS && reopenDue) {
			this.lastReopenAt = now;
			if (!this.reader.reopen()) return 'gone: the game quit (its pages are gone)';
		}
		return `frozen: no new data for ${Math.round(s.staleMs)} ms`;
	}

	apply(controls: Controls): void {
		this.sink.apply(controls);
	}

	/** AC runs by itself; this only watches laps (clean = no tyre off during the whole lap). */
	advance(): void {
		const { physics, graphics } = this.reader.read();
		if (physics.numberOfTyresOut > 0) this.lapClean = false;
		if (graphics.completedLaps > this.lapStartLaps) {
			if (this.lapClean && graphics.iLastTime > 0) this.laps.push(graphics.iLastTime);
			this.lapStartLaps = graphics.completedLaps;
			this.lapClean = true;
		}
	}

	/**
	 * True when telemetry shows a fresh start since `sinceMs` ago (the restart press): no laps,
	 * the lap timer restarted within that time (plus a margin for the game's own timing), out of
	 * the pit, car at rest.
	 */
	restarted(sinceMs = Infinity): boolean {
		const { physics, graphics } = this.reader.read();
		return graphics.completedLaps === 0 && graphics.iCurrentTime <= sinceMs + RESET_MARGIN_MS && graphics.isInPit === 0 && physics.speedKmh < 5;
	}

	async reset(): Promise<boolean> {
		for (let attempt = 0; attempt < RESET_TRIES; attempt++) {
			const started = Date.now();
			this.sink.apply({ steer: 0, throttle: 0, brake: 0 });
			await this.sink.press(VJOY_BUTTON.RESTART_RACE, this.timeline.restartPress);
			await sleep(this.timeline.startAfter);
			await this.sink.press(VJOY_BUTTON.START_RACE, this.timeline.startPress);
			await sleep(Math.max(0, this.timeline.settleUntil - (Date.now() - started)));
			await this.sink.press(VJOY_BUTTON.GEAR_UP, 100);
			if (this.restarted(Date.now() - started)) {
				this.lapStartLaps = 0;
				this.lapClean = true;
				this.laps.length = 0;
				return true;
			}
		}
		return false;
	}

	cleanLaps(): number[] {
		return [...this.laps];
	}

	close(): void {
		this.sink.close();
	}
}
