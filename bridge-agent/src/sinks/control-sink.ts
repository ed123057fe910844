/**
 * Where controls go: vJoy on Windows (vjoy-sink.ts), the simulated car elsewhere. Every sink gets
 * the same guard: only finite, in-range values reach the device (anything else → neutral, counted)
 * and a dead-man that goes neutral when no fresh action arrives in time.
 */
import type { Controls } from '../driving/controls.ts';

export const NEUTRAL_CONTROLS: Readonly<Controls> = Object.freeze({ steer: 0, throttle: 0, brake: 0 });
/** No apply() for this long → neutral controls. */
export const DEADMAN_MS = 250;

export interface ControlDevice {
	write(controls: Controls): void;
	/** Presses button n (1-based) for ms milliseconds. */
	press(button: number, ms: number): Promise<void>;
	close(): void;
}

export class GuardedSink {
	refused = 0;
	deadmanTrips = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;

	constructor(
		private readonly device: ControlDevice,
		private readonly deadmanMs = DEADMAN_MS
	) {}

	static valid(c: Controls): boolean {
		return (
			Number.isFinite(c.steer) &&
			Number.isFinite(c.throttle) &&
			Number.isFinite(c.brake) &&
			c.steer >= -1 &&
			c.steer <= 1 &&
			c.throttle >= 0 &&
			c.throttle <= 1 &&
			c.brake >= 0 &&
			c.brake <= 1
		);
	}

	apply(controls: Controls): void {
		if (GuardedSink.valid(controls)) this.device.write(controls);
		else {
			this.refused++;
			this.device.write(NEUTRAL_CONTROLS);
		}
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.deadmanTrips++;
			this.device.write(NEUTRAL_CONTROLS);
		}, this.deadmanMs);
		this.timer.unref?.();
	}

	press(button: number, ms: number): Promise<void> {
		return this.device.press(button, ms);
	}

	/** Neutral, then release the device. Safe to call more than once. */
	close(): void {
		clearTimeout(this.timer);
		this.device.write(NEUTRAL_CONTROLS);
		this.device.close();
	}
}
