/**
 * Assetto Corsa as a World: telemetry from its shared memory, controls through vJoy, the track
 * line from `record-line`. Reset drives AC's restart buttons and then checks telemetry that the
 * restart happened (lap timer and laps back to zero, car at rest), retrying once.
 */
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AcWorld implements World {
	readonly kind = 'ac';
	private lapStartLaps = 0;
	private lapClean = true;
	private readonly laps: number[] = [];

	constructor(
		readonly reader: AcReader,
		readonly track: Track,
		private readonly sink: GuardedSink,
		private readonly timeline: ResetTimeline = RESET_TIMELINE_MS
	) {}

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

	/** True when telemetry shows a fresh start: no laps, lap timer near zero, car at rest. */
	restarted(): boolean {
		const { physics, graphics } = this.reader.read();
		return graphics.completedLaps === 0 && graphics.iCurrentTime < 3000 && physics.speedKmh < 5;
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
			if (this.restarted()) {
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
