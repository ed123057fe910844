/**
 * The simulated car as a World, in process: the agent reads its AC-layout pages straight from
 * memory, through the same parser as AC's.
 */
import type { Controls } from '../driving/controls.ts';
import type { Track } from '../driving/track.ts';
import { AcReader } from '../sources/ac-reader.ts';
import { MemoryMapper } from '../sources/memory-mapper.ts';
import type { World } from '../world.ts';
import { SimCar } from './sim-car.ts';

export class SimWorld implements World {
	readonly kind = 'sim';
	readonly sim: SimCar;
	readonly reader: AcReader;
	private episode = 0;

	constructor(
		readonly track: Track,
		seed: number,
		start: 'line' | 'random' = 'line'
	) {
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
