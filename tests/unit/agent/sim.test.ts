/** The simulated car: sanity of its physics, laps and determinism. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { Car } from '../../../bridge-agent/src/sim/car.ts';
import { ReferenceDriver } from '../../../bridge-agent/src/sim/reference-driver.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';

const DT = 0.005;

describe('simulated car', () => {
	it('reaches a top speed of 240–280 km/h on a straight', () => {
		const car = new Car();
		car.controls = { steer: 0, throttle: 1, brake: 0 };
		for (let t = 0; t < 120; t += DT) car.step(DT);
		const kmh = car.speed * 3.6;
		assert.ok(kmh > 240 && kmh < 280, `top speed ${kmh.toFixed(1)} km/h`);
	});

	it('brakes from 100 km/h to rest in 30–40 m', () => {
		const car = new Car();
		car.vx = 100 / 3.6;
		car.controls = { steer: 0, throttle: 0, brake: 1 };
		while (car.speed > 0.05) car.step(DT);
		assert.ok(car.x > 30 && car.x < 40, `braking distance ${car.x.toFixed(1)} m`);
	});

	it('holds a 50 m radius up to about √(μ·g·R) and runs wide above it', () => {
		const holds = (v: number) => {
			const car = new Car();
			car.vx = v;
			for (let t = 0; t < 8; t += DT) {
				const curvature = car.yawRate / Math.max(car.speed, 1);
				car.controls = {
					steer: Math.max(-1, Math.min(1, car.controls.steer + (1 / 50 - curvature) * 2)),
					throttle: Math.max(0, 0.2 + (v - car.speed) * 0.5),
					brake: 0
				};
				car.step(DT);
			}
			return car.speed / Math.abs(car.yawRate);
		};
		const limit = Math.sqrt(1.2 * 9.81 * 50); // 24.3 m/s
		assert.ok(Math.abs(holds(limit * 0.85) - 50) < 1, 'below the limit the car holds the line');
		assert.ok(holds(limit * 1.15) > 55, 'above it the front tyres saturate and the car runs wide');
	});

	it('is deterministic: same seed and inputs give the same pages', () => {
		const run = () => {
			const sim = new SimCar(Track.named('mixed'), 7);
			for (let i = 0; i < 400; i++) {
				sim.apply({ steer: Math.sin(i / 30) * 0.3, throttle: 0.6, brake: i % 97 < 5 ? 0.5 : 0 });
				sim.step(0.05);
			}
			return [sim.physics.slice(), sim.graphics.slice()];
		};
		assert.deepStrictEqual(run(), run());
	});

	for (const name of ['oval', 'mixed']) {
		it(`laps the ${name} track cleanly with the reference driver; lap counters behave as AC's`, () => {
			const track = Track.named(name);
			const sim = new SimCar(track, 1);
			const driver = new ReferenceDriver(track);
			for (let t = 0; t < 300 && sim.completedLaps < 2; t += 0.05) {
				const c = sim.car;
				sim.apply(driver.controls({ x: c.x, y: c.y, yaw: c.yaw, speed: c.speed, distance: sim.distance, lateral: sim.lateral }));
				sim.step(0.05);
			}
			assert.equal(sim.completedLaps, 2);
			assert.equal(sim.cleanLapTimes.length, 2, 'both laps without a tyre off');
			assert.equal(new DataView(sim.graphics.buffer).getInt32(132, true), 2, 'completedLaps in the graphics page');
			assert.equal(new DataView(sim.graphics.buffer).getInt32(148, true), Math.min(...sim.cleanLapTimes), 'iBestTime');
		});
	}
});
