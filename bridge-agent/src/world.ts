/**
 * What the agent drives: a telemetry reader, the track line, a control sink and a way to reset.
 * Assetto Corsa implements it with shared memory and vJoy (ac-world.ts); the simulated car in
 * process (sim/sim-world.ts).
 */
import type { Controls } from './driving/controls.ts';
import type { Track } from './driving/track.ts';
import type { AcReader } from './sources/ac-reader.ts';

export interface World {
	readonly kind: 'sim' | 'ac';
	readonly reader: AcReader;
	readonly track: Track;
	/** Control sink: the action the car gets until the next one. Values are already in bounds. */
	apply(controls: Controls): void;
	/** Advances time by dt seconds where the world does not run by itself (the sim). */
	advance(dt: number): void;
	/** Starts a new episode; resolves false when the reset could not be confirmed. */
	reset(): Promise<boolean>;
	close(): void;
	/** Clean lap times completed since the last reset, ms (the sim knows; AC: from graphics). */
	cleanLaps(): number[];
	/**
	 * Why the car cannot be driven now — the game paused, in a replay or a menu, frozen or gone —
	 * or '' when it can. Absent: always drivable (the in-process sim).
	 */
	hold?(): string;
	/** What the last reset did or lacked (AC: the method and what telemetry showed), for the log. */
	readonly resetDetail?: string;
	/** What drives the car, for the log (e.g. the vJoy DLL used). */
	readonly controls?: string;
}
