/** The limit lap: analytic cases, the profile's bounds, grip, the named tracks against the scripted driver. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Track, TRACKS } from '../../../bridge-agent/src/driving/track.ts';
import { Car, DEFAULT_CAR, G } from '../../../bridge-agent/src/sim/car.ts';
import { limitLap, mengerCurvature } from '../../../bridge-agent/src/sim/limit-lap.ts';
import { ReferenceDriver } from '../../../bridge-agent/src/sim/reference-driver.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';

const MU = DEFAULT_CAR.muTrack;
const circle = (radius: number) =>
	new Track({ name: `circle-${radius}`, halfWidth: 6, curve: (t) => [radius * Math.cos(2 * Math.PI * t), radius * Math.sin(2 * Math.PI * t)] });
const near = (actual: number, expected: number, relative: number, what: string) =>
	assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

/** The reference driver's lap times from the line (ms): the first from a standing start, then flying laps. */
function referenceLaps(track: Track, laps: number): number[] {
	const sim = new SimCar(track, 1);
	const driver = new ReferenceDriver(track);
	for (let t = 0; t < 600 && sim.completedLaps < laps; t += 0.05) {
		const c = sim.car;
		sim.apply(driver.controls({ x: c.x, y: c.y, yaw: c.yaw, speed: c.speed, distance: sim.distance, lateral: sim.lateral }));
		sim.step(0.05);
	}
	return sim.cleanLapTimes;
}

describe('limit lap', () => {
	it('on a circle of radius r: v = √(μ·g·r) everywhere and lap = 2πr / v', () => {
		for (const radius of [22, 100, 250]) {
			const lap = limitLap(circle(radius));
			const v = Math.sqrt(MU * G * radius);
			// The Track's resampling leaves the points within micrometres of the circle: ≤ 0.1 % in v.
			near(lap.minSpeed, v, 1e-3, `min speed on r = ${radius}`);
			near(lap.maxSpeed, v, 1e-3, `max speed on r = ${radius}`);
			near(lap.lengthM, 2 * Math.PI * radius, 1e-4, 'length');
			near(lap.lapSec, (2 * Math.PI * radius) / v, 1e-4, `lap on r = ${radius}`);
		}
	});

	it('reads curvature from three points (Menger): 1/r on a circle, signed by the turn', () => {
		const n = 500;
		const xs = Array.from({ length: n }, (_, i) => 50 * Math.cos((2 * Math.PI * i) / n));
		const ys = Array.from({ length: n }, (_, i) => 50 * Math.sin((2 * Math.PI * i) / n));
		for (const k of mengerCurvature(xs, ys)) near(k, 1 / 50, 1e-9, 'anticlockwise');
		for (const k of mengerCurvature(
			xs,
			ys.map((y) => -y)
		))
			near(k, -1 / 50, 1e-9, 'clockwise');
	});

	it('tops out where drive force meets drag, as the car does on a long straight', () => {
		const car = new Car();
		car.controls = { steer: 0, throttle: 1, brake: 0 };
		for (let t = 0; t < 200; t += 0.005) car.step(0.005);
		near(limitLap(circle(100)).topSpeed, car.speed, 2e-3, 'top speed');
	});

	it('never exceeds the corner limit or the top speed, nor out-accelerates or out-brakes the car', () => {
		const maxAccel = DEFAULT_CAR.maxDriveForceN / DEFAULT_CAR.mass;
		for (const name of Object.keys(TRACKS)) {
			const track = Track.named(name);
			const lap = limitLap(track);
			const kappa = mengerCurvature(track.x, track.y);
			const n = track.points;
			const maxDecel =
				(DEFAULT_CAR.maxBrakeForceN + DEFAULT_CAR.dragCoef * lap.maxSpeed ** 2 + DEFAULT_CAR.rollingCoef * DEFAULT_CAR.mass * G) / DEFAULT_CAR.mass;
			for (let i = 0; i < n; i++) {
				const v = lap.profile[i];
				assert.ok(v <= Math.sqrt((MU * G) / Math.abs(kappa[i])) + 1e-9, `${name} point ${i}: ${v} m/s over the corner limit`);
				assert.ok(v <= lap.topSpeed + 1e-9 && v <= lap.cornerLimit[i] + 1e-9, `${name} point ${i}`);
				const next = lap.profile[(i + 1) % n];
				const ds = Math.hypot(track.x[(i + 1) % n] - track.x[i], track.y[(i + 1) % n] - track.y[i]);
				const accel = (next * next - v * v) / (2 * ds);
				assert.ok(accel <= maxAccel + 1e-6 && accel >= -maxDecel - 1e-6, `${name} point ${i}: ${accel} m/s²`);
			}
		}
	});

	it('is faster with more grip, slower with the slip-angle cost or one friction circle for the whole car', () => {
		for (const name of Object.keys(TRACKS)) {
			const track = Track.named(name);
			const laps = [0.8, 1.0, 1.2, 1.4].map((mu) => limitLap(track, { mu }).lapSec);
			for (let i = 1; i < laps.length; i++) assert.ok(laps[i] < laps[i - 1], `${name}: ${laps.join(' ')}`);
			const base = limitLap(track).lapSec;
			assert.ok(limitLap(track, { slipCost: true }).lapSec >= base, `${name}: slip cost`);
			assert.ok(limitLap(track, { grip: 'circle', slipCost: true }).lapSec >= limitLap(track, { slipCost: true }).lapSec - 0.01, `${name}: circle`);
		}
		near(limitLap(circle(100), { grip: 'circle' }).lapSec, limitLap(circle(100)).lapSec, 0.01, 'one circle costs little on a circle');
	});

	it('smooths a noisy recorded line back to its circle', () => {
		// As record-line keeps them: a point every 1.5 m, here with ±5 cm of wobble, which 1-m Menger curvature reads as ±0.04/m.
		const n = 420;
		const points = Array.from({ length: n }, (_, i) => {
			const r = 100 + 0.1 * (((i * 7919) % 13) / 12 - 0.5);
			return [r * Math.cos((2 * Math.PI * i) / n), r * Math.sin((2 * Math.PI * i) / n)] as const;
		});
		const track = Track.fromPoints('recorded', 6, points);
		const analytic = (2 * Math.PI * 100) / Math.sqrt(MU * G * 100);
		assert.ok(limitLap(track).lapSec > 1.5 * analytic, 'the wobble reads as tight corners');
		near(limitLap(track, { smoothing: 21 }).lapSec, analytic, 0.005, 'smoothed over 21 m');
		near(limitLap(circle(100), { smoothing: 21 }).lapSec, analytic, 1e-4, 'a clean circle is unchanged by smoothing');
	});

	for (const name of Object.keys(TRACKS)) {
		it(`${name}: a finite lap at a plausible average speed, not beaten by the reference driver`, () => {
			const track = Track.named(name);
			const lap = limitLap(track);
			near(lap.lengthM, track.length, 0.01, 'length');
			const average = lap.lengthM / lap.lapSec;
			assert.ok(Number.isFinite(lap.lapSec) && average > 20 && average < lap.topSpeed, `${lap.lapSec} s, ${average} m/s average`);
			assert.ok(lap.minSpeed > 10 && lap.maxSpeed <= lap.topSpeed, `${lap.minSpeed}–${lap.maxSpeed} m/s`);
			const laps = referenceLaps(track, 2);
			assert.equal(laps.length, 2, 'two clean laps');
			for (const ms of laps) assert.ok(ms / 1000 >= 0.97 * lap.lapSec, `reference lap ${ms / 1000} s against the limit ${lap.lapSec} s`);
		});
	}
});
