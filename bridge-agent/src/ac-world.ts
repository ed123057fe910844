/**
 * Assetto Corsa as a World: telemetry from its shared memory, controls through vJoy, the track
 * line from `record-line`. Reset: ac/reset.ts (the in-game CSP app or the restart buttons,
 * confirmed from telemetry, retried once).
 */
import { AcStatus } from './ac/layout.ts';
import { AcReset, RESET_TIMELINE_MS, type ResetMethod, type ResetTimeline } from './ac/reset.ts';
import type { ResetChannel } from './ac/reset-channel.ts';
import type { Controls } from './driving/controls.ts';
import type { Track } from './driving/track.ts';
import { GuardedSink } from './sinks/control-sink.ts';
import type { AcReader } from './sources/ac-reader.ts';
import type { World } from './world.ts';

export { RESET_TIMELINE_MS, SIM_HOST_RESET_MS, type ResetTimeline } from './ac/reset.ts';
/** Pages frozen this long → let go of them and map them again, to see whether the game is gone. */
export const REOPEN_AFTER_MS = 1000;
const STATUS_HOLD: Record<number, string> = {
	[AcStatus.PAUSE]: 'paused',
	[AcStatus.REPLAY]: 'replay',
	[AcStatus.OFF]: 'off (in a menu, or the game is closing)'
};

export class AcWorld implements World {
	readonly kind = 'ac';
	private lapStartLaps = 0;
	private lapClean = true;
	private readonly laps: number[] = [];

	private lastReopenAt = 0;
	readonly resetter: AcReset;

	constructor(
		readonly reader: AcReader,
		readonly track: Track,
		private readonly sink: GuardedSink,
		timeline: ResetTimeline = RESET_TIMELINE_MS,
		readonly controls?: string,
		private readonly now: () => number = Date.now,
		resetMethod: ResetMethod = 'buttons',
		channel?: ResetChannel
	) {
		this.resetter = new AcReset(reader, sink, timeline, resetMethod, channel);
	}

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

	async reset(): Promise<boolean> {
		const ok = await this.resetter.reset();
		if (ok) {
			this.lapStartLaps = this.reader.read().graphics.completedLaps;
			this.lapClean = true;
			this.laps.length = 0;
		}
		return ok;
	}

	/** What the last reset did (method, telemetry), for the log. */
	get resetDetail(): string {
		return this.resetter.detail;
	}

	cleanLaps(): number[] {
		return [...this.laps];
	}

	close(): void {
		this.sink.close();
	}
}
