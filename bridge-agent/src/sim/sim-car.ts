/**
 * The simulated car on a track, speaking AC's page layouts: each step fills physics, graphics and
 * static pages exactly where AC puts those fields, so the agent reads it through the same parser
 * (in process, or from /dev/shm files published for a separate agent process). Laps, lap times,
 * normalizedCarPosition and numberOfTyresOut behave as AC's do. Deterministic for a seed.
 */
import { acHeadingFromYaw } from '../ac/heading.ts';
import { GRAPHICS_BYTES, GRAPHICS_FIELDS, PHYSICS_BYTES, PHYSICS_FIELDS, STATIC_BYTES, STATIC_FIELDS, AcStatus, writePage } from '../ac/layout.ts';
import type { Controls } from '../driving/controls.ts';
import { Track } from '../driving/track.ts';
import { Car, DEFAULT_CAR } from './car.ts';
import type { DriverState } from './reference-driver.ts';

/** Physics substep, s. */
export const PHYSICS_DT = 0.005;
const WHEEL_HALF_TRACK = 0.8;

function lapTimeText(ms: number): string {
	if (ms <= 0) return '-:--:---';
	const minutes = Math.floor(ms / 60000);
	const seconds = Math.floor((ms % 60000) / 1000);
	return `${minutes}:${String(seconds).padStart(2, '0')}:${String(Math.floor(ms % 1000)).padStart(3, '0')}`;
}

/** A start index in [0, points) from seed and episode (integer hash, deterministic). */
function hashIndex(seed: number, episode: number, points: number): number {
	let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(episode + 1, 0xc2b2ae35);
	h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
	h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
	return ((h ^ (h >>> 16)) >>> 0) % points;
}

export class SimCar {
	readonly car = new Car();
	readonly physics = new Uint8Array(PHYSICS_BYTES);
	readonly graphics = new Uint8Array(GRAPHICS_BYTES);
	readonly static = new Uint8Array(STATIC_BYTES);
	/** Simulated time since the session started, ms. */
	timeMs = 0;
	private packetId = 0;
	private index = 0;
	distance = 0;
	lateral = 0;
	tyresOut = 0;
	completedLaps = 0;
	lapStartMs = 0;
	lastLapMs = 0;
	bestLapMs = 0;
	/** No tyre left the track during the current lap. */
	lapClean = true;
	/** Lap times of clean laps, ms. */
	cleanLapTimes: number[] = [];

	/**
	 * @param start 'line': every episode starts at the start line, as AC resets do. 'random': at a
	 * point along the track drawn from the seed and episode, so training meets every corner from
	 * the first minute (the lap started away from the line does not count as a lap).
	 */
	constructor(
		readonly track: Track,
		private readonly seed = 1,
		readonly start: 'line' | 'random' = 'line'
	) {
		writePage(STATIC_FIELDS, this.static, {
			smVersion: '1.7',
			acVersion: 'pitwall-sim',
			numberOfSessions: 1,
			numCars: 1,
			carModel: 'pitwall_sim_rwd',
			track: track.name,
			playerName: 'pitwall',
			playerSurname: 'sim',
			playerNick: 'sim',
			sectorCount: 1,
			maxTorque: 400,
			maxPower: DEFAULT_CAR.maxPowerW / 1000,
			maxRpm: DEFAULT_CAR.maxRpm,
			maxFuel: 60,
			trackSPlineLength: track.length,
			trackConfiguration: track.name,
			carSkin: 'default'
		});
		this.reset(0);
	}

	/** Puts the car at rest at its start point (a little lateral jitter from the seed and episode). */
	reset(episode: number): void {
		const jitter = ((Math.sin((this.seed * 9301 + episode * 49297) % 233280) + 1) / 2 - 0.5) * 2;
		const at = this.start === 'line' ? 0 : hashIndex(this.seed, episode, this.track.points);
		const car = this.car;
		car.x = this.track.x[at] - Math.sin(this.track.heading[at]) * jitter;
		car.y = this.track.y[at] + Math.cos(this.track.heading[at]) * jitter;
		car.yaw = this.track.heading[at];
		car.vx = car.vy = car.yawRate = car.ax = car.ay = 0;
		car.controls = { steer: 0, throttle: 0, brake: 0 };
		this.index = at;
		this.distance = at * this.track.step;
		this.completedLaps = 0;
		this.lapStartMs = this.timeMs;
		this.lastLapMs = 0;
		this.lapClean = at === 0; // a lap started away from the line is no lap
		this.cleanLapTimes = [];
		this.locate();
		this.publish();
	}

	apply(controls: Controls): void {
		this.car.controls = controls;
	}

	/** What the reference driver steers by. */
	get driverState(): DriverState {
		const { x, y, yaw, speed } = this.car;
		return { x, y, yaw, speed, distance: this.distance, lateral: this.lateral };
	}

	private locate(): void {
		const where = this.track.locate(this.car.x, this.car.y, this.index);
		const previous = this.distance;
		this.index = where.index;
		this.distance = where.distance;
		this.lateral = where.lateral;
		// Wheel lateral offsets: the body's sideways extent projected on the track normal.
		const relYaw = this.car.yaw - this.track.heading[where.index];
		const sideways = Math.sin(relYaw);
		const across = Math.cos(relYaw);
		let out = 0;
		for (const [along, side] of [
			[this.car.p.lf, 1],
			[this.car.p.lf, -1],
			[-this.car.p.lr, 1],
			[-this.car.p.lr, -1]
		]) {
			const wheelLateral = this.lateral + along * sideways + side * WHEEL_HALF_TRACK * across;
			if (Math.abs(wheelLateral) > this.track.halfWidth) out++;
		}
		this.tyresOut = out;
		this.car.grass = out / 4;
		if (out > 0) this.lapClean = false;
		const L = this.track.length;
		if (previous > 0.9 * L && this.distance < 0.1 * L) {
			this.completedLaps++;
			this.lastLapMs = this.timeMs - this.lapStartMs;
			if (this.lapClean) this.cleanLapTimes.push(this.lastLapMs);
			if (this.lapClean && (this.bestLapMs === 0 || this.lastLapMs < this.bestLapMs)) this.bestLapMs = this.lastLapMs;
			this.lapStartMs = this.timeMs;
			this.lapClean = out === 0;
		} else if (previous < 0.1 * L && this.distance > 0.9 * L) {
			this.lapClean = false; // crossed the line backwards: this lap cannot count
		}
	}

	/** Advances the simulation by dt seconds in PHYSICS_DT substeps. */
	step(dt: number): void {
		const steps = Math.max(1, Math.round(dt / PHYSICS_DT));
		const h = dt / steps;
		for (let i = 0; i < steps; i++) {
			this.car.step(h);
			this.timeMs += h * 1000;
		}
		this.locate();
		this.publish();
	}

	/** Writes the current state into the three pages (packetId last, as a writer should). */
	private publish(): void {
		const car = this.car;
		const cos = Math.cos(car.yaw);
		const sin = Math.sin(car.yaw);
		const { steer, throttle, brake } = car.controls;
		const slip = (Math.abs(car.slipFront) + Math.abs(car.slipRear)) / 2;
		writePage(PHYSICS_FIELDS, this.physics, {
			gas: throttle,
			brake,
			fuel: 40,
			gear: car.gear() + 1,
			rpms: car.rpm(),
			steerAngle: steer,
			speedKmh: car.speed * 3.6,
			// AC's world frame is x/z on the ground, y up.
			velocity: [car.vx * cos - car.vy * sin, 0, car.vx * sin + car.vy * cos],
			accG: [car.ay / 9.81, 0, car.ax / 9.81],
			wheelSlip: [slip, slip, slip, slip],
			heading: acHeadingFromYaw(car.yaw), // AC's convention, atan2(−forward.x, forward.z)
			numberOfTyresOut: this.tyresOut,
			localVelocity: [car.vy, 0, car.vx],
			localAngularVel: [0, car.yawRate, 0],
			carDamage: [0, 0, 0, 0, 0],
			autoShifterOn: 1,
			currentMaxRpm: DEFAULT_CAR.maxRpm
		});
		const lapMs = Math.round(this.timeMs - this.lapStartMs);
		writePage(GRAPHICS_FIELDS, this.graphics, {
			status: AcStatus.LIVE,
			session: 3,
			currentTime: lapTimeText(lapMs),
			lastTime: lapTimeText(this.lastLapMs),
			bestTime: lapTimeText(this.bestLapMs),
			completedLaps: this.completedLaps,
			position: 1,
			iCurrentTime: lapMs,
			iLastTime: this.lastLapMs,
			iBestTime: this.bestLapMs,
			distanceTraveled: this.completedLaps * this.track.length + this.distance,
			normalizedCarPosition: this.distance / this.track.length,
			carCoordinates: [car.x, 0, car.y],
			surfaceGrip: 1,
			numberOfLaps: 0
		});
		this.packetId++;
		new DataView(this.physics.buffer).setInt32(0, this.packetId, true);
		new DataView(this.graphics.buffer).setInt32(0, this.packetId, true);
	}
}
