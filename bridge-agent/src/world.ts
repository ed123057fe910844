/**
 * What the agent drives: a telemetry reader, the track line, a control sink and a way to reset.
 * The simulated car implements it in process; Assetto Corsa implements it with shared memory
 * and vJoy (ac-world.ts).
 */
import type { Controls } from './sim/car.ts';
import type { Track } from './sim/track.ts';
import { AcReader } from './sources/ac-reader.ts';
import { MemoryMapper } from './sources/memory-mapper.ts';
import { SimCar } from './sim/sim-car.ts';

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
}

export class SimWorld implements World {
	readonly kind = 'sim';
	readonly sim: SimCar;
	readonly reader: AcReader;
	private episode = 0;

	constructor(readonly track: Track, seed: number, start: 'line' | 'random' = 'line') {
		this.sim = new SimCar(track, seed, start);
		this.reader = new AcReader(new MemoryMapper({ physics: this.sim.physics, graphics: this.sim.graphics, static: this.sim.static }));
	}

	apply(controls: Controls): void {
		this.sim.apply(controls);
	}

	advance(dt: number): void {
		this.sim.step(dt);
	}

	async reset(): Promise<boolean> {
		this.sim.reset(++this.episode);
		return true;
	}

	close(): void {
		this.sim.apply({ steer: 0, throttle: 0, brake: 0 });
	}

	cleanLaps(): number[] {
		return this.sim.cleanLapTimes;
	}
}
